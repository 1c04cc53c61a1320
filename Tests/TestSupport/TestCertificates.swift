import Foundation

/// A throw-away PKI for one test run, made with the openssl CLI in a temporary directory: a root CA,
/// an intermediate CA, a server certificate for 127.0.0.1 and localhost signed by the root (for the
/// fake API server and fake sink), serving pairs with a leaf + intermediate chain on demand (for the
/// webhook), and a client certificate (CN test-user, O system:masters). ECDSA P-256, valid two days.
/// Nothing here is committed; `remove()` deletes the directory.
public struct TestCertificates: Sendable {
    public let directory: URL
    /// The root a client trusts.
    public var caCertificatePath: String { path("ca.crt") }
    public var serverCertificatePath: String { path("server.crt") }
    public var serverKeyPath: String { path("server.key") }
    public var clientCertificatePath: String { path("client.crt") }
    public var clientKeyPath: String { path("client.key") }

    public var caCertificatePEM: String { read("ca.crt") }
    public var clientCertificatePEM: String { read("client.crt") }
    public var clientKeyPEM: String { read("client.key") }

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

    /// Makes the CAs, the server certificate and the client certificate.
    public static func make() throws -> TestCertificates {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("kube-injector-pki-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let pki = TestCertificates(directory: directory)
        try pki.write("intermediate.ext", "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n")
        try pki.write("server.ext", "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n")
        try pki.write("client.ext", "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n")
        try pki.openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                         "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=kube-injector test CA",
                         "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        try pki.signedKeyPair(name: "intermediate", subject: "/CN=kube-injector test intermediate",
                              issuer: "ca", extensions: "intermediate.ext")
        try pki.signedKeyPair(name: "server", subject: "/CN=localhost", issuer: "ca", extensions: "server.ext")
        try pki.signedKeyPair(name: "client", subject: "/O=system:masters/CN=test-user", issuer: "ca", extensions: "client.ext")
        return pki
    }

    /// A new serving key and certificate under `name`, signed by the intermediate.
    public func makeServingPair(name: String, organization: String) throws -> ServingPair {
        try signedKeyPair(name: name, subject: "/O=\(organization)/CN=localhost", issuer: "intermediate", extensions: "server.ext")
        let leaf = try Data(contentsOf: directory.appendingPathComponent("\(name).crt"))
        let intermediate = try Data(contentsOf: directory.appendingPathComponent("intermediate.crt"))
        let chain = directory.appendingPathComponent("\(name)-chain.crt")
        try (leaf + intermediate).write(to: chain)
        return ServingPair(chainPath: chain.path, keyPath: path("\(name).key"), organization: organization)
    }

    public func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    public func path(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }

    private func read(_ name: String) -> String {
        (try? String(contentsOfFile: path(name), encoding: .utf8)) ?? ""
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
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
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
