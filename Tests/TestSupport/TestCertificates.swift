import Foundation

/// A throwaway PKI for one test run, made with the openssl CLI in a temporary directory: a CA, a server
/// certificate for 127.0.0.1 and localhost, and a client certificate (CN test-user, O system:masters).
/// Nothing here is committed; `remove()` deletes the directory.
public struct TestCertificates: Sendable {
    public let directory: URL
    public var caCertificatePath: String { path("ca.crt") }
    public var serverCertificatePath: String { path("server.crt") }
    public var serverKeyPath: String { path("server.key") }
    public var clientCertificatePath: String { path("client.crt") }
    public var clientKeyPath: String { path("client.key") }

    public var caCertificatePEM: String { read("ca.crt") }
    public var clientCertificatePEM: String { read("client.crt") }
    public var clientKeyPEM: String { read("client.key") }

    /// Makes the CA and both leaf certificates (ECDSA P-256, valid one day).
    public static func make() throws -> TestCertificates {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("kube-injector-pki-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let certificates = TestCertificates(directory: directory)
        try certificates.generate()
        return certificates
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

    private func generate() throws {
        let key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try openssl(["req", "-x509"] + key + ["-keyout", "ca.key", "-out", "ca.crt", "-days", "1",
                                               "-subj", "/CN=kube-injector-test-ca",
                                               "-addext", "basicConstraints=critical,CA:TRUE",
                                               "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        try issue(name: "server", subject: "/CN=localhost",
                  extensions: "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
        try issue(name: "client", subject: "/O=system:masters/CN=test-user",
                  extensions: "extendedKeyUsage=clientAuth\n")
    }

    private func issue(name: String, subject: String, extensions: String) throws {
        try extensions.write(toFile: path("\(name).ext"), atomically: true, encoding: .utf8)
        try openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                     "-keyout", "\(name).key", "-out", "\(name).csr", "-subj", subject])
        try openssl(["x509", "-req", "-in", "\(name).csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                     "-out", "\(name).crt", "-days", "1", "-extfile", "\(name).ext"])
    }

    private func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.currentDirectoryURL = directory
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let output = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestSupportError("openssl \(arguments.prefix(2).joined(separator: " ")) failed: "
                                   + String(decoding: output, as: UTF8.self))
        }
    }
}
