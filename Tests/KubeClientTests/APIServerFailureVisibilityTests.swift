import Foundation
@testable import KubeClient
import Logging
import MetricsTestKit
import TestSupport
import XCTest

/// Every API-server failure is counted and, when a person should hear of it, logged at warning, rate-limited
/// per (resource, verb, code) and naming what was asked.
final class APIServerFailureVisibilityTests: FakeServerTestCase {
    private func makeObservedClient(metrics: TestMetrics, capture: LogLines,
                                    options: ClientOptions = .init()) throws -> KubernetesClient {
        let configuration = ClientConfiguration(server: server.url,
                                                certificateAuthorityPEM: server.certificates.caCertificatePEM,
                                                credentials: .token(server.token), namespace: "shop")
        return try KubernetesClient(configuration: configuration, options: options, logger: capture.logger(),
                                    metricsFactory: metrics)
    }

    func testForbiddenNamesTheMissingPermissionAndIsCounted() async throws {
        let metrics = TestMetrics()
        let capture = LogLines()
        let client = try makeObservedClient(metrics: metrics, capture: capture)
        let replicaSets = "/apis/apps/v1/namespaces/shop/replicasets"
        try await server.inject(.init(method: "GET", pathPrefix: replicaSets, count: 1, status: 403))
        do {
            _ = try await client.get(Event.self, path: "\(replicaSets)/web-1")
            XCTFail("a 403 must throw")
        } catch KubernetesError.forbidden {}
        XCTAssertEqual(capture.warnings(containing: "forbidden: cannot get replicasets.apps in namespace shop: add it to the chart's RBAC").count, 1)
        let counter = try metrics.expectCounter(KubeClientMetrics.requestsLabel,
                                                [("resource", "replicasets.apps"), ("verb", "get"), ("code", "403")])
        XCTAssertEqual(counter.totalValue, 1)
        XCTAssertFalse(try metrics.expectTimer(KubeClientMetrics.durationLabel,
                                               [("resource", "replicasets.apps"), ("verb", "get")]).values.isEmpty)
    }

    func testForbiddenEventsCreateNamesThePermission() async throws {
        let metrics = TestMetrics()
        let capture = LogLines()
        let client = try makeObservedClient(metrics: metrics, capture: capture)
        let events = "/api/v1/namespaces/shop/events"
        try await server.inject(.init(method: "POST", pathPrefix: events, count: 1, status: 403))
        _ = try? await client.create(path: events, body: warningEvent(name: "web.1", namespace: "shop"))
        XCTAssertEqual(capture.warnings(containing: "forbidden: cannot create events in namespace shop: add it to the chart's RBAC").count, 1)
    }

    func testRepeatedFailuresLogOncePerIntervalWithTheSuppressedCount() async throws {
        let metrics = TestMetrics()
        let capture = LogLines()
        var options = ClientOptions(qps: 0)
        options.failureLogInterval = .milliseconds(700)
        let client = try makeObservedClient(metrics: metrics, capture: capture, options: options)
        let events = "/api/v1/namespaces/shop/events"
        try await server.inject(.init(method: "GET", pathPrefix: events, count: 100, status: 503))
        for _ in 0..<5 { _ = try? await client.list(Event.self, path: events) }
        XCTAssertEqual(capture.warnings(containing: "list events").count, 1, capture.all.joined(separator: "\n"))
        try await Task.sleep(for: .milliseconds(800))
        _ = try? await client.list(Event.self, path: events)
        let lines = capture.warnings(containing: "list events")
        XCTAssertEqual(lines.count, 2)
        XCTAssertTrue(lines.last?.contains("suppressed=4") == true, lines.last ?? "")
        XCTAssertEqual(try metrics.expectCounter(KubeClientMetrics.requestsLabel,
                                                 [("resource", "events"), ("verb", "list"), ("code", "503")]).totalValue, 6)
    }

    func testAnUnreachableServerIsCountedAsErrorAndLogged() async throws {
        let metrics = TestMetrics()
        let capture = LogLines()
        let client = try makeObservedClient(metrics: metrics, capture: capture)
        try await server.goDown()
        _ = try? await client.get(Lease.self, path: "/apis/coordination.k8s.io/v1/namespaces/shop/leases/l")
        try await server.comeUp()
        XCTAssertEqual(capture.warnings(containing: "API server unreachable: get leases.coordination.k8s.io in namespace shop").count, 1,
                       capture.all.joined(separator: "\n"))
        XCTAssertEqual(try metrics.expectCounter(KubeClientMetrics.requestsLabel,
                                                 [("resource", "leases.coordination.k8s.io"), ("verb", "get"), ("code", "error")]).totalValue, 1)
    }

    func testRoutineAnswersAreCountedButNotLogged() async throws {
        let metrics = TestMetrics()
        let capture = LogLines()
        let client = try makeObservedClient(metrics: metrics, capture: capture)
        _ = try? await client.get(Lease.self, path: "/apis/coordination.k8s.io/v1/namespaces/shop/leases/none")
        XCTAssertTrue(capture.warnings(containing: "").isEmpty)
        XCTAssertEqual(try metrics.expectCounter(KubeClientMetrics.requestsLabel,
                                                 [("resource", "leases.coordination.k8s.io"), ("verb", "get"), ("code", "404")]).totalValue, 1)
    }

    func testRequestTargetsUseRBACsNames() {
        // apiserver/pkg/endpoints/request/requestinfo.go: verbs and resources as RBAC sees them.
        XCTAssertEqual(APIRequestTarget(method: "GET", path: "/apis/apps/v1/namespaces/shop/replicasets/web-1"),
                       APIRequestTarget(verb: "get", resource: "replicasets.apps", namespace: "shop", name: "web-1"))
        XCTAssertEqual(APIRequestTarget(method: "GET", path: "/api/v1/events", query: ["watch": "true"]),
                       APIRequestTarget(verb: "watch", resource: "events"))
        XCTAssertEqual(APIRequestTarget(method: "GET", path: "/api/v1/namespaces/shop/events").verb, "list")
        XCTAssertEqual(APIRequestTarget(method: "PATCH", path: "/api/v1/namespaces/shop/events/e.1").verb, "patch")
        XCTAssertEqual(APIRequestTarget(method: "PUT", path: "/apis/coordination.k8s.io/v1/namespaces/n/leases/l").resource,
                       "leases.coordination.k8s.io")
        XCTAssertEqual(APIRequestTarget(method: "GET", path: "/api/v1/namespaces/shop").resource, "namespaces")
    }

    func testFailureLogLetsTheFirstThroughThenOnePerInterval() {
        var log = APIServerFailureLog(interval: .seconds(10))
        let key = APIServerFailureLog.Key(resource: "events", verb: "create", code: "503")
        let other = APIServerFailureLog.Key(resource: "events", verb: "create", code: "error")
        let start = ContinuousClock.now
        XCTAssertEqual(log.failed(key, now: start), .log(suppressedSince: 0))
        XCTAssertEqual(log.failed(key, now: start + .seconds(1)), .suppress)
        XCTAssertEqual(log.failed(key, now: start + .seconds(2)), .suppress)
        XCTAssertEqual(log.failed(other, now: start + .seconds(2)), .log(suppressedSince: 0))
        XCTAssertEqual(log.failed(key, now: start + .seconds(10)), .log(suppressedSince: 2))
    }
}

/// Log lines kept in memory, with their levels.
final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [(Logger.Level, String)] = []

    func append(_ level: Logger.Level, _ line: String) { lock.withLock { lines.append((level, line)) } }
    var all: [String] { lock.withLock { lines.map(\.1) } }

    func warnings(containing text: String) -> [String] {
        lock.withLock { lines.filter { $0.0 >= .warning && (text.isEmpty || $0.1.contains(text)) }.map(\.1) }
    }

    func logger() -> Logger {
        var logger = Logger(label: "test") { _ in LineHandler(lines: self) }
        logger.logLevel = .debug
        return logger
    }

    private struct LineHandler: LogHandler {
        let lines: LogLines
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let fields = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            lines.append(event.level, "\(event.message) \(fields)")
        }
    }
}

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

/// A watch whose consumer falls behind holds a bounded number of events and pauses the transfer.
final class WatchBackpressureTests: FakeServerTestCase {
    func testASlowConsumerPausesTheTransferInsteadOfGrowingTheBuffer() async throws {
        let events = "/api/v1/namespaces/default/events"
        let client = try makeClient(options: ClientOptions(qps: 0))
        let list = try await client.list(Event.self, path: events)
        let (stream, buffer) = client.watchBuffered(Event.self, path: events, resourceVersion: list.metadata.resourceVersion,
                                                    timeoutSeconds: 120, allowBookmarks: false, query: [:],
                                                    bufferCapacity: 8)
        var iterator = stream.makeAsyncIterator()
        try await server.waitForOpenWatches(1)
        for index in 0..<60 { _ = try await client.create(path: events, body: warningEvent(name: "web.b\(index)")) }
        // Nobody reads: the buffer fills to its capacity and the transfer pauses there.
        let deadline = ContinuousClock.now + .seconds(10)
        while buffer.pauses == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        XCTAssertGreaterThanOrEqual(buffer.pauses, 1)
        try await Task.sleep(for: .milliseconds(300))
        // Bounded by the capacity plus the one read that crossed it (a libcurl read holds up to 16 KiB of events).
        XCTAssertLessThan(buffer.buffered, 60, "the paused transfer must not have taken everything")

        var names: [String] = []
        while names.count < 60, let event = try await iterator.next() {
            if case .added(let object) = event { names.append(object.metadata.name ?? "") }
        }
        XCTAssertEqual(names, (0..<60).map { "web.b\($0)" }, "every event, in order, after the resumes")
        XCTAssertGreaterThanOrEqual(buffer.pauses, 2)
    }
}
