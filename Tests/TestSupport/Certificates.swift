import Foundation

/// A throw-away PKI made with the openssl CLI in a temp directory: a root CA, an intermediate CA,
/// serving certificates (leaf + intermediate chain, SANs `localhost` and `127.0.0.1`) and a client
/// certificate. Nothing here is ever committed; the directory is removed by `remove()`.
public struct TestCertificates: Sendable {
    public let directory: URL
    /// The root a client trusts.
    public var caCertificatePath: String { directory.appendingPathComponent("ca.crt").path }
    public var clientCertificatePath: String { directory.appendingPathComponent("client.crt").path }
    public var clientKeyPath: String { directory.appendingPathComponent("client.key").path }

    /// A serving certificate's files: `chainPath` holds leaf then intermediate.
    public struct ServingPair: Sendable {
        public var chainPath: String
        public var keyPath: String
        /// The subject's organization, to tell pairs apart on the wire.
        public var organization: String
    }

    public struct OpenSSLFailure: Error, CustomStringConvertible {
        public var arguments: [String]
        public var output: String
        public var description: String { "openssl \(arguments.joined(separator: " ")) failed: \(output)" }
    }

    /// Makes the CAs and a client certificate.
    public static func make() throws -> TestCertificates {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("kube-injector-pki-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let pki = TestCertificates(directory: directory)
        try pki.write("ca.ext", "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n")
        try pki.write("intermediate.ext", "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n")
        try pki.write("server.ext", "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n")
        try pki.write("client.ext", "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n")
        try pki.openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                         "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=kube-injector test CA",
                         "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        try pki.signedKeyPair(name: "intermediate", subject: "/CN=kube-injector test intermediate",
                              issuer: "ca", extensions: "intermediate.ext")
        try pki.signedKeyPair(name: "client", subject: "/CN=system:apiserver", issuer: "ca", extensions: "client.ext")
        return pki
    }

    /// A new serving key and certificate under `name`, signed by the intermediate.
    public func makeServingPair(name: String, organization: String) throws -> ServingPair {
        try signedKeyPair(name: name, subject: "/O=\(organization)/CN=localhost", issuer: "intermediate", extensions: "server.ext")
        let leaf = try Data(contentsOf: directory.appendingPathComponent("\(name).crt"))
        let intermediate = try Data(contentsOf: directory.appendingPathComponent("intermediate.crt"))
        let chain = directory.appendingPathComponent("\(name)-chain.crt")
        try (leaf + intermediate).write(to: chain)
        return ServingPair(chainPath: chain.path, keyPath: directory.appendingPathComponent("\(name).key").path,
                           organization: organization)
    }

    public func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    private func signedKeyPair(name: String, subject: String, issuer: String, extensions: String) throws {
        try openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                     "-keyout", "\(name).key", "-out", "\(name).csr", "-subj", subject])
        try openssl(["x509", "-req", "-in", "\(name).csr", "-CA", "\(issuer).crt", "-CAkey", "\(issuer).key",
                     "-set_serial", String(UInt32.random(in: 1...UInt32.max)), "-days", "2",
                     "-extfile", extensions, "-out", "\(name).crt"])
    }

    private func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: directory.appendingPathComponent(name))
    }

    private func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw OpenSSLFailure(arguments: arguments, output: text) }
    }
}
