import Foundation
import TestSupport
import XCTest

/// Certificate rotation through a Secret-style symlink swap while clients stay connected.
final class CertificateRotationTests: XCTestCase {
    private var pki: TestCertificates!
    private var first: TestCertificates.ServingPair!
    private var server: WebhookTestServer!

    override func setUp() async throws {
        pki = try TestCertificates.make()
        first = try pki.makeServingPair(name: "first", organization: "rotation-first")
        server = try await WebhookTestServer(pki: pki, pair: first)
    }

    override func tearDown() async throws {
        try await server?.stop()
        pki?.remove()
    }

    func testRotationServesTheNewCertificateToNewConnectionsAndKeepsTheOpenOne() async throws {
        let open = try OpenSSLClientSession(port: server.port, caFile: pki.caCertificatePath)
        defer { open.close() }
        open.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        try await open.waitFor("ok\n")
        let organizationBefore = try await servedOrganization()
        XCTAssertEqual(organizationBefore, "rotation-first")
        let expiryBefore = try await server.metric("kube_injector_serving_certificate_expiry_timestamp_seconds")
        XCTAssertGreaterThan(expiryBefore, Date().timeIntervalSince1970)

        let second = try pki.makeServingPair(name: "second", organization: "rotation-second")
        try server.rotate(to: second)
        let organizationAfter = try await waitForServedOrganization("rotation-second", limit: 10)
        XCTAssertEqual(organizationAfter, "rotation-second", "new connections must see the new certificate within 10 s")
        let reloads = try await server.metric(#"kube_injector_certificate_reloads_total{result="success"}"#)
        XCTAssertEqual(reloads, 1)
        // The reload is logged with the new certificate's notAfter as RFC 3339, not epoch seconds.
        let reloaded = server.logs.lines(containing: "serving a new certificate")
        XCTAssertEqual(reloaded.count, 1, "\(reloaded)")
        XCTAssertNotNil(reloaded.first?.range(of: #"notAfter=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ( |$)"#, options: .regularExpression),
                        "\(reloaded)")

        open.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        try await open.waitFor("ok\n", count: 2)
    }

    func testABrokenRotatedPairIsRefusedAndTheOldOneKept() async throws {
        let second = try pki.makeServingPair(name: "second", organization: "rotation-second")
        // The new certificate with the old key: a half-finished rotation.
        try server.rotate(certificate: second.chainPath, key: first.keyPath)
        let failures = try await server.waitForMetric(#"kube_injector_certificate_reloads_total{result="failure"}"#) { $0 >= 1 }
        XCTAssertEqual(failures, 1, "the mismatched pair must be refused, once")
        let organization = try await servedOrganization()
        XCTAssertEqual(organization, "rotation-first")
        let healthz = try await server.curl(["\(server.baseURL)/healthz"])
        XCTAssertEqual(healthz.standardOutput, "ok\n")

        // Finishing the rotation is then picked up.
        try server.rotate(to: second)
        let recovered = try await waitForServedOrganization("rotation-second", limit: 10)
        XCTAssertEqual(recovered, "rotation-second")
    }

    /// The O= of the leaf certificate a new connection is served.
    private func servedOrganization() async throws -> String? {
        let result = try await ProcessRunner.run(
            "/usr/bin/openssl",
            ["s_client", "-connect", "127.0.0.1:\(server.port)", "-servername", "localhost", "-CAfile", pki.caCertificatePath,
             "-verify_return_error"],
            input: Data(), limit: 20)
        guard result.status == 0 else { return nil }
        for line in result.standardOutput.split(separator: "\n") where line.hasPrefix("subject=") {
            for part in line.dropFirst("subject=".count).split(separator: ",") {
                let field = part.trimmingCharacters(in: .whitespaces)
                if field.hasPrefix("O = ") { return String(field.dropFirst(4)) }
            }
        }
        return nil
    }

    private func waitForServedOrganization(_ expected: String, limit: TimeInterval) async throws -> String? {
        let deadline = Date().addingTimeInterval(limit)
        var organization = try await servedOrganization()
        while organization != expected && Date() < deadline {
            try await Task.sleep(nanoseconds: 100_000_000)
            organization = try await servedOrganization()
        }
        return organization
    }
}
