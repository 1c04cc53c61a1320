import Foundation
import TestSupport
import XCTest

/// The limits that keep slow, silent or oversized clients from holding the webhook's resources,
/// and the answers it gives when the API server is in a hurry.
final class HTTPLimitsTests: XCTestCase {
    private var pki: TestCertificates!
    private var server: WebhookTestServer!

    override func setUp() async throws {
        pki = try TestCertificates.make()
        let pair = try pki.makeServingPair(name: "serving", organization: "first")
        server = try await WebhookTestServer(pki: pki, pair: pair) {
            $0.requestReadTimeout = .milliseconds(300)
        }
    }

    override func tearDown() async throws {
        try await server?.stop()
        pki?.remove()
    }

    func testOversizedContentLengthIsAnswered413BeforeAnyBodyIsSent() async throws {
        let session = try OpenSSLClientSession(port: server.port, caFile: pki.caCertificatePath)
        defer { session.close() }
        session.send("POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: \(8 * 1024 * 1024)\r\n\r\n")
        let answer = try await session.waitFor("\r\n\r\n")
        XCTAssertTrue(answer.hasPrefix("HTTP/1.1 413"), answer)
        XCTAssertTrue(answer.lowercased().contains("connection: close"), answer)
        let closed = try await session.waitForExit()
        XCTAssertTrue(closed, "the connection must be closed after a 413")
    }

    func testCurlPostingEightMebibytesGets413() async throws {
        let file = pki.directory.appendingPathComponent("big.json")
        try Data(repeating: UInt8(ascii: " "), count: 8 * 1024 * 1024).write(to: file)
        let result = try await server.curl(["-o", "/dev/null", "-w", "%{http_code}", "-H", "Content-Type: application/json",
                                            "--data-binary", "@\(file.path)", "\(server.baseURL)/mutate"])
        XCTAssertEqual(result.standardOutput, "413", result.standardError)
    }

    func testChunkedBodyCrossingTheLimitIs413() async throws {
        try await server.stop()
        server = try await WebhookTestServer(pki: pki, pair: try pki.makeServingPair(name: "chunked", organization: "chunked")) {
            $0.maxBodyBytes = 1024
        }
        let session = try OpenSSLClientSession(port: server.port, caFile: pki.caCertificatePath)
        defer { session.close() }
        // No Content-Length to refuse up front: the limit is crossed while the chunks arrive.
        session.send("POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        let chunk = String(repeating: " ", count: 600)
        session.send("258\r\n\(chunk)\r\n258\r\n\(chunk)\r\n")
        let answer = try await session.waitFor("\r\n\r\n")
        XCTAssertTrue(answer.hasPrefix("HTTP/1.1 413"), answer)
        let closed = try await session.waitForExit()
        XCTAssertTrue(closed)
        let inFlight = try await server.metric("kube_injector_admission_in_flight")
        XCTAssertEqual(inFlight, 0, "the refused review is no longer in flight")
    }

    func testHalfAHeaderThenSilenceIsClosedByTheHeaderTimeout() async throws {
        let session = try OpenSSLClientSession(port: server.port, caFile: pki.caCertificatePath)
        defer { session.close() }
        session.send("POST /mutate HTTP/1.1\r\nHost: loc")
        let closed = try await session.waitForExit()
        XCTAssertTrue(closed, "a stalled header must not hold the connection")
        XCTAssertEqual(session.text, "", "nothing is answered to half a request")
    }

    func testIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout() async throws {
        try await server.stop()
        server = try await WebhookTestServer(pki: pki, pair: try pki.makeServingPair(name: "idle", organization: "idle")) {
            $0.idleTimeout = .milliseconds(300)
        }
        let session = try OpenSSLClientSession(port: server.port, caFile: pki.caCertificatePath)
        defer { session.close() }
        session.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        try await session.waitFor("ok\n")
        let closed = try await session.waitForExit()
        XCTAssertTrue(closed, "an idle keep-alive connection must be closed")
    }

    func testExpiredTimeoutIsAnsweredAllowedWithoutPatch() async throws {
        let session = try OpenSSLClientSession(port: server.port, caFile: pki.caCertificatePath)
        defer { session.close() }
        let body = AdmissionReviewSamples.podCreate(uid: "late-1")
        session.send("POST /mutate?timeout=20ms HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n")
        // The body arrives well after the API server's 20 ms (but within the 300 ms read timeout).
        try await Task.sleep(nanoseconds: 100_000_000)
        session.send(body)
        let answer = try await session.waitFor("}}")
        let json = String(answer[answer.range(of: "\r\n\r\n")!.upperBound...])
        let response = try XCTUnwrap(AdmissionReviewSamples.response(json), answer)
        XCTAssertEqual(response.uid, "late-1")
        XCTAssertTrue(response.allowed)
        XCTAssertNil(response.patch, "too late to inject: admitted unchanged")
    }

    func testGenerousTimeoutStillInjects() async throws {
        let body = pki.directory.appendingPathComponent("review.json")
        try Data(AdmissionReviewSamples.podCreate(uid: "on-time-1").utf8).write(to: body)
        let result = try await server.curl(["-H", "Content-Type: application/json", "--data-binary", "@\(body.path)",
                                            "\(server.baseURL)/mutate?timeout=10s"])
        let response = try XCTUnwrap(AdmissionReviewSamples.response(result.standardOutput), result.standardOutput)
        XCTAssertEqual(response.uid, "on-time-1")
        XCTAssertNotNil(response.patch)
    }

    func testUnknownPathIs404AndWrongMethodIs405() async throws {
        let missing = try await server.curl(["-o", "/dev/null", "-w", "%{http_code}", "\(server.baseURL)/validate"])
        XCTAssertEqual(missing.standardOutput, "404")
        let wrongMethod = try await server.curl(["-o", "/dev/null", "-w", "%{http_code}", "\(server.baseURL)/mutate"])
        XCTAssertEqual(wrongMethod.standardOutput, "405")
    }

    func testConnectionsBeyondTheCapAreClosedAndCounted() async throws {
        try await server.stop()
        server = try await WebhookTestServer(pki: pki, pair: try pki.makeServingPair(name: "cap", organization: "cap")) {
            $0.maxConnections = 1
        }
        let holder = try OpenSSLClientSession(port: server.port, caFile: pki.caCertificatePath)
        defer { holder.close() }
        holder.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        try await holder.waitFor("ok\n")
        let refused = try await server.curl(["\(server.baseURL)/healthz"])
        XCTAssertNotEqual(refused.status, 0, "the second connection must be refused while the first is open")
        let rejected = try await server.waitForMetric("kube_injector_connections_rejected_total") { $0 >= 1 }
        XCTAssertEqual(rejected, 1)
    }
}
