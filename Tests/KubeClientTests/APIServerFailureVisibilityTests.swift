import Foundation
@testable import KubeClient
import KubernetesAPI
import Logging
import MetricsTestKit
import TestSupport
import XCTest

/// Every API-server failure is counted and, when a person should hear of it, logged at warning, rate-limited
/// per (resource, verb, code) and naming what was asked.
final class APIServerFailureVisibilityTests: FakeServerTestCase {
    private func makeObservedClient(metrics: TestMetrics, capture: CapturedLog,
                                    options: ClientOptions = .init()) throws -> KubernetesClient {
        let configuration = ClientConfiguration(server: server.url,
                                                certificateAuthorityPEM: server.certificates.caCertificatePEM,
                                                credentials: .token(server.token), namespace: "shop")
        return try KubernetesClient(configuration: configuration, options: options, logger: capture.logger(),
                                    metricsFactory: metrics)
    }

    func testForbiddenNamesTheMissingPermissionAndIsCounted() async throws {
        let metrics = TestMetrics()
        let capture = CapturedLog()
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
        let capture = CapturedLog()
        let client = try makeObservedClient(metrics: metrics, capture: capture)
        let events = "/api/v1/namespaces/shop/events"
        try await server.inject(.init(method: "POST", pathPrefix: events, count: 1, status: 403))
        _ = try? await client.create(path: events, body: warningEvent(name: "web.1", namespace: "shop"))
        XCTAssertEqual(capture.warnings(containing: "forbidden: cannot create events in namespace shop: add it to the chart's RBAC").count, 1)
    }

    func testRepeatedFailuresLogOncePerIntervalWithTheSuppressedCount() async throws {
        let metrics = TestMetrics()
        let capture = CapturedLog()
        var options = ClientOptions(qps: 0)
        options.failureLogInterval = .milliseconds(700)
        let client = try makeObservedClient(metrics: metrics, capture: capture, options: options)
        let events = "/api/v1/namespaces/shop/events"
        try await server.inject(.init(method: "GET", pathPrefix: events, count: 100, status: 503))
        for _ in 0..<5 { _ = try? await client.list(Event.self, path: events) }
        XCTAssertEqual(capture.warnings(containing: "list events").count, 1, capture.all.joined(separator: "\n"))
        // Part of the scenario: the 700 ms log interval runs out before the next failure.
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
        let capture = CapturedLog()
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
        let capture = CapturedLog()
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
