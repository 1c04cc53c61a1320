import Foundation
import TestSupport
import XCTest

/// TLS as real clients see it: chain verification, protocol versions, ALPN, client certificates,
/// and what happens to a client that does not speak TLS at all.
final class TLSTransportTests: XCTestCase {
    private var pki: TestCertificates!
    private var pair: TestCertificates.ServingPair!
    private var server: WebhookTestServer!

    override func setUp() async throws {
        pki = try TestCertificates.make()
        pair = try pki.makeServingPair(name: "serving", organization: "first")
        server = try await WebhookTestServer(pki: pki, pair: pair)
    }

    override func tearDown() async throws {
        try await server?.stop()
        pki?.remove()
    }

    func testCurlVerifiesTheChainUpToTheTestCAAndGetsHealthz() async throws {
        let result = try await server.curl(["-w", "\n%{http_code} %{http_version} %{ssl_verify_result}", "\(server.baseURL)/healthz"])
        XCTAssertEqual(result.status, 0, result.standardError)
        XCTAssertEqual(result.standardOutput, "ok\n\n200 1.1 0")
    }

    func testCurlRefusesTheServerWithoutTheCA() async throws {
        // The system trust store knows nothing of the test CA.
        let result = try await ProcessRunner.run("/usr/bin/curl", ["-sS", "\(server.baseURL)/healthz"])
        XCTAssertEqual(result.status, 60, "curl should fail verification (60), got \(result.status): \(result.standardError)")
    }

    func testTLS12AndTLS13AreAcceptedAndTLS11IsRefused() async throws {
        for version in ["-tls1_2", "-tls1_3"] {
            let result = try await sClient([version])
            XCTAssertEqual(result.status, 0, "\(version): \(result.standardOutput)")
            XCTAssertTrue(result.standardOutput.contains("Verify return code: 0 (ok)"), result.standardOutput)
        }
        let failuresBefore = try await server.metric("kube_injector_tls_handshake_failures_total")
        // SECLEVEL=0 lets this OpenSSL offer TLS 1.1 at all, so the refusal is the server's.
        let old = try await sClient(["-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"])
        XCTAssertNotEqual(old.status, 0)
        XCTAssertTrue(old.standardOutput.contains("alert protocol version"), old.standardOutput)
        let failuresAfter = try await server.waitForMetric("kube_injector_tls_handshake_failures_total") { $0 > failuresBefore }
        XCTAssertEqual(failuresAfter, failuresBefore + 1)
    }

    func testTLS12OffersOnlyECDHEWithAEAD() async throws {
        let plainRSA = try await sClient(["-tls1_2", "-cipher", "AES128-SHA256:AES256-SHA"])
        XCTAssertNotEqual(plainRSA.status, 0, "non-ECDHE, non-AEAD suites must be refused")
        let ecdhe = try await sClient(["-tls1_2"])
        XCTAssertTrue(ecdhe.standardOutput.contains("Cipher is ECDHE-"), ecdhe.standardOutput)
        XCTAssertTrue(ecdhe.standardOutput.contains("GCM") || ecdhe.standardOutput.contains("CHACHA20"), ecdhe.standardOutput)
    }

    func testALPNSelectsHTTP11AndRefusesH2Only() async throws {
        let both = try await sClient(["-alpn", "h2,http/1.1"])
        XCTAssertTrue(both.standardOutput.contains("ALPN protocol: http/1.1"), both.standardOutput)
        let h2 = try await sClient(["-alpn", "h2"])
        XCTAssertNotEqual(h2.status, 0)
        XCTAssertTrue(h2.standardOutput.contains("no application protocol"), h2.standardOutput)
    }

    func testGarbageThatIsNotTLSIsClosedAndCounted() async throws {
        let before = try await server.metric("kube_injector_tls_handshake_failures_total")
        let connection = try RawTCPConnection(port: server.port)
        connection.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        let (ending, _) = connection.readUntilClosed()
        XCTAssertEqual(ending, .closedByPeer)
        let after = try await server.waitForMetric("kube_injector_tls_handshake_failures_total") { $0 > before }
        XCTAssertEqual(after, before + 1)
    }

    func testSilentClientIsClosedByTheHandshakeTimeout() async throws {
        try await server.stop()
        server = try await WebhookTestServer(pki: pki, pair: pair) { $0.tlsHandshakeTimeout = .milliseconds(300) }
        let connection = try RawTCPConnection(port: server.port)
        let (ending, _) = connection.readUntilClosed()  // says nothing at all
        XCTAssertEqual(ending, .closedByPeer)
    }

    func testClientCertificateIsRequiredWhenAClientCAIsConfigured() async throws {
        try await server.stop()
        server = try await WebhookTestServer(pki: pki, pair: pair, requireClientCertificates: true)
        let without = try await server.curl(["\(server.baseURL)/healthz"])
        XCTAssertNotEqual(without.status, 0, "a client without a certificate must be refused")
        let with = try await server.curl(["--cert", pki.clientCertificatePath, "--key", pki.clientKeyPath, "\(server.baseURL)/healthz"])
        XCTAssertEqual(with.status, 0, with.standardError)
        XCTAssertEqual(with.standardOutput, "ok\n")
    }

    private func sClient(_ arguments: [String]) async throws -> ProcessRunner.Result {
        var result = try await ProcessRunner.run(
            "/usr/bin/openssl",
            ["s_client", "-connect", "127.0.0.1:\(server.port)", "-servername", "localhost", "-CAfile", pki.caCertificatePath] + arguments,
            input: Data(), limit: 20)
        result.standardOutput += result.standardError
        return result
    }
}
