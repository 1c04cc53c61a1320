import Foundation
import TestSupport
import XCTest

/// Health, readiness, metrics, and graceful shutdown as the kubelet and Prometheus see them.
final class LifecycleTests: XCTestCase {
    private var pki: TestCertificates!

    override func setUp() async throws {
        pki = try TestCertificates.make()
    }

    override func tearDown() async throws {
        pki?.remove()
    }

    func testHealthzReadyzAndMetricsAnswer() async throws {
        let server = try await WebhookTestServer(pki: pki, pair: try pki.makeServingPair(name: "serving", organization: "first"))
        let healthz = try await server.curl(["-w", "%{http_code}", "\(server.baseURL)/healthz"])
        XCTAssertEqual(healthz.standardOutput, "ok\n200")
        let readyz = try await server.curl(["-w", "%{http_code}", "\(server.baseURL)/readyz"])
        XCTAssertEqual(readyz.standardOutput, "ok\n200")

        let body = pki.directory.appendingPathComponent("review.json")
        try Data(AdmissionReviewSamples.podCreate(uid: "metrics-1").utf8).write(to: body)
        _ = try await server.curl(["-H", "Content-Type: application/json", "--data-binary", "@\(body.path)", "\(server.baseURL)/mutate"])
        let text = try await server.metricsText()
        for name in ["kube_injector_admission_requests_total{outcome=\"injected\"} 1",
                     "kube_injector_admission_duration_seconds_count 1",
                     "kube_injector_admission_in_flight 0",
                     "kube_injector_tls_handshake_failures_total 0",
                     "kube_injector_serving_certificate_expiry_timestamp_seconds "] {
            XCTAssertTrue(text.contains(name), "missing \(name) in:\n\(text)")
        }
        let operations = try await server.metric("kube_injector_admission_patch_operations_total")
        XCTAssertGreaterThan(operations, 0)
        try await server.stop()
    }

    func testShutdownTurnsUnreadyWhileStillServingThroughTheDrain() async throws {
        let server = try await WebhookTestServer(pki: pki, pair: try pki.makeServingPair(name: "serving", organization: "first")) {
            $0.drainPeriod = .seconds(3)
        }
        await server.triggerGracefulShutdown()
        let readyz = try await server.curl(["-w", "%{http_code}", "\(server.baseURL)/readyz"])
        XCTAssertEqual(readyz.standardOutput, "not ready\n503")
        let healthz = try await server.curl(["-w", "%{http_code}", "\(server.baseURL)/healthz"])
        XCTAssertEqual(healthz.standardOutput, "ok\n200", "still serving during the drain")
        try await server.stop()
        let afterwards = try await server.curl(["\(server.baseURL)/healthz"])
        XCTAssertEqual(afterwards.status, 7, "the listener is closed once the drain is over")
    }

    func testShutdownLetsAnInFlightRequestFinishThenClosesItsConnection() async throws {
        let server = try await WebhookTestServer(pki: pki, pair: try pki.makeServingPair(name: "serving", organization: "first"))
        let session = try OpenSSLClientSession(port: server.port, caFile: pki.caCertificatePath)
        defer { session.close() }
        session.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        try await session.waitFor("ok\n")  // connection established and served

        let body = AdmissionReviewSamples.podCreate(uid: "in-flight-1")
        let bytes = Array(body.utf8)
        session.send("POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: \(bytes.count)\r\n\r\n")
        session.send(String(decoding: bytes[..<100], as: UTF8.self))
        let metricsBefore = try await server.waitForMetric("kube_injector_admission_in_flight") { $0 == 1 }
        XCTAssertEqual(metricsBefore, 1)

        let stopping = Task { try await server.stop() }
        // The rest of the body goes out only once shutdown is under way: unready, and the listener closed
        // (a new connection is refused), so the request is one that shutdown found in flight.
        try await eventually("shutdown to begin", timeout: .seconds(10)) { !server.readiness.isReady }
        try await eventually("the listener to close", timeout: .seconds(10)) {
            try await server.curl(["--max-time", "2", "\(server.baseURL)/healthz"]).status == 7
        }
        session.send(String(decoding: bytes[100...], as: UTF8.self))
        let answer = try await session.waitFor("}}")
        XCTAssertTrue(answer.contains("in-flight-1"), answer)
        XCTAssertTrue(answer.lowercased().contains("connection: close"), answer)
        let closed = try await session.waitForExit()
        XCTAssertTrue(closed)
        try await stopping.value
    }
}
