import Foundation
@testable import KubeClient
import KubernetesAPI
import Logging
import TestSupport
import XCTest

/// The transport and credential fixes of the Reflector-grade watch work.
final class TransportHardeningTests: FakeServerTestCase {
    func testACancellationThatArrivesBeforeTheTransferIsAddedStillEndsIt() async throws {
        // The race: onCancel ran before the transfer reached the engine, and the engine found nothing to cancel.
        try await server.inject(.init(method: "GET", pathPrefix: "/api/v1/namespaces/default/events", count: 1,
                                      action: .hang, seconds: 30))
        let engine = CurlEngine()
        let id = engine.makeID()
        engine.cancel(id: id)
        let request = HTTPRequest(method: "GET", url: server.url + "/api/v1/namespaces/default/events",
                                  headers: [("Authorization", "Bearer \(server.token)")], body: [],
                                  timeout: .seconds(30), certificateAuthorityPEM: server.certificates.caCertificatePEM)
        let started = ContinuousClock.now
        let outcome = LockedValue<String?>(nil)
        await engine.stream(request, id: id) { event in
            if case .finished(let error) = event { outcome.withLock { $0 = error.map { "\($0)" } ?? "ok" } }
        }
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(5), "must not run on to the server's 30 s hang")
        XCTAssertTrue(outcome.withLock { $0 }?.contains("cancelled") == true, outcome.withLock { $0 } ?? "nil")
    }

    func testTokenRotatedByAKubeletStyleDataSymlinkSwapIsUsedAtOnce() async throws {
        // kubelet pkg/volume/util/atomic_writer.go: files are links into ..data, which is swapped atomically
        // to a new timestamped directory; the token link itself never changes.
        let directory = server.certificates.directory.appendingPathComponent("projected-\(UUID().uuidString)").path
        let manager = FileManager.default
        try manager.createDirectory(atPath: directory + "/..2026_12_04_15_00_00.1", withIntermediateDirectories: true)
        try server.token.write(toFile: directory + "/..2026_12_04_15_00_00.1/token", atomically: true, encoding: .utf8)
        try manager.createSymbolicLink(atPath: directory + "/..data", withDestinationPath: "..2026_12_04_15_00_00.1")
        try manager.createSymbolicLink(atPath: directory + "/token", withDestinationPath: "..data/token")
        let configuration = ClientConfiguration(server: server.url,
                                                certificateAuthorityPEM: server.certificates.caCertificatePEM,
                                                credentials: .tokenFile(directory + "/token"), namespace: "default")
        let client = try KubernetesClient(configuration: configuration)
        _ = try await client.list(Event.self, path: "/api/v1/namespaces/default/events")

        // Rotate: new directory, new ..data link renamed over the old one, old token revoked.
        try manager.createDirectory(atPath: directory + "/..2026_12_04_15_10_00.2", withIntermediateDirectories: true)
        try "rotated-token".write(toFile: directory + "/..2026_12_04_15_10_00.2/token", atomically: true, encoding: .utf8)
        try manager.createSymbolicLink(atPath: directory + "/..data_tmp", withDestinationPath: "..2026_12_04_15_10_00.2")
        XCTAssertEqual(rename(directory + "/..data_tmp", directory + "/..data"), 0)
        try manager.removeItem(atPath: directory + "/..2026_12_04_15_00_00.1")
        try await server.acceptTokens(["rotated-token"])
        try await server.clearRequests()

        _ = try await client.list(Event.self, path: "/api/v1/namespaces/default/events")
        let statuses = try await server.requests(pathPrefix: "/api/v1").map(\.status)
        XCTAssertEqual(statuses, [200], "the new token is sent at once, with no 401 first")
    }
}
