import Foundation
import KubeClient
import KubernetesAPI
import Logging
import MetricsTestKit
import TestSupport
import XCTest

final class ReflectorTests: FakeServerTestCase {
    private let events = "/api/v1/namespaces/default/events"
    private let fastOptions = ReflectorOptions(timeoutSeconds: 30...30, initialBackoff: .milliseconds(50),
                                               maximumBackoff: .milliseconds(200), jitter: 0.1, pageSize: 2)

    private func startReflector(_ client: KubernetesClient, log: DeltaLog) -> Task<Void, Never> {
        let reflector = Reflector<Event>(client: client, path: events, options: fastOptions)
        return Task { await reflector.run { await log.append($0) } }
    }

    func testFirstListIsServedFromTheCacheInOneRequestThenChangesArrive() async throws {
        let client = try makeClient()
        for index in 1...3 { _ = try await client.create(path: events, body: warningEvent(name: "web.r\(index)")) }
        let log = DeltaLog()
        let task = startReflector(client, log: log)
        defer { task.cancel() }
        try await log.waitUntil { await $0.listCount == 1 }
        guard case .listed(let items) = await log.deltas.first else { return XCTFail("first delta must be listed") }
        XCTAssertEqual(items.map(\.metadata.name), ["web.r1", "web.r2", "web.r3"])

        try await server.waitForOpenWatches(1)
        _ = try await client.create(path: events, body: warningEvent(name: "web.r4"))
        try await log.waitUntil { await $0.addedNames == ["web.r4"] }
        // client-go tools/cache/reflector.go relistResourceVersion: the first list asks for resourceVersion=0,
        // which the API server answers from its watch cache, ignoring limit.
        let lists = try await server.requests(pathPrefix: events).filter { $0.method == "GET" && $0.query["watch"] == nil }
        XCTAssertEqual(lists.count, 1)
        XCTAssertEqual(lists.first?.query["resourceVersion"], "0")
        XCTAssertNil(lists.first?.query["limit"])
    }

    func testAFailedListFallsBackToAQuorumReadInPages() async throws {
        let client = try makeClient()
        for index in 1...3 { _ = try await client.create(path: events, body: warningEvent(name: "web.q\(index)")) }
        try await server.inject(.init(method: "GET", pathPrefix: events, status: 500, watch: false))
        let log = DeltaLog()
        let task = startReflector(client, log: log)
        defer { task.cancel() }
        try await log.waitUntil { await $0.listCount == 1 }
        guard case .listed(let items) = await log.deltas.first else { return XCTFail("first delta must be listed") }
        XCTAssertEqual(items.map(\.metadata.name), ["web.q1", "web.q2", "web.q3"])
        let lists = try await server.requests(pathPrefix: events).filter { $0.method == "GET" && $0.query["watch"] == nil }
        XCTAssertEqual(lists.map { $0.query["resourceVersion"] ?? "" }, ["0", "", ""], "cache, then a quorum read in two pages")
        XCTAssertEqual(lists.last?.query["limit"], "2")
    }

    func testRelistsWhenTheWatchEndsWithGone() async throws {
        let client = try makeClient()
        let log = DeltaLog()
        let task = startReflector(client, log: log)
        defer { task.cancel() }
        try await server.waitForOpenWatches(1)
        try await server.endWatchesWithGone()
        try await log.waitUntil { await $0.listCount == 2 }
        try await server.waitForOpenWatches(1)
    }

    func testResumesFromTheLastResourceVersionAfterADroppedConnection() async throws {
        let client = try makeClient()
        let log = DeltaLog()
        let task = startReflector(client, log: log)
        defer { task.cancel() }
        try await server.waitForOpenWatches(1)
        let first = try await client.create(path: events, body: warningEvent(name: "web.d1"))
        try await log.waitUntil { await $0.addedNames == ["web.d1"] }

        // Make the reconnect fail once, so the change below happens while no watch is open.
        try await server.inject(.init(method: "GET", pathPrefix: events, status: 503, watch: true))
        try await server.dropWatches()
        _ = try await client.create(path: events, body: warningEvent(name: "web.d2"))
        try await log.waitUntil { await $0.addedNames == ["web.d1", "web.d2"] }

        let logged = try await server.requests(pathPrefix: events).filter { $0.method == "GET" }
        XCTAssertEqual(logged.filter { $0.query["watch"] == nil }.count, 1, "resumed, not relisted")
        XCTAssertEqual(logged.last?.query["resourceVersion"], first.metadata.resourceVersion)
        let listCount = await log.listCount
        XCTAssertEqual(listCount, 1)
    }

    func testRelistsWhenTheResumeVersionWasCompacted() async throws {
        let client = try makeClient()
        let log = DeltaLog()
        let task = startReflector(client, log: log)
        defer { task.cancel() }
        try await server.waitForOpenWatches(1)
        try await server.inject(.init(method: "GET", pathPrefix: events, status: 500, watch: true))
        try await server.dropWatches()
        _ = try await client.create(path: events, body: warningEvent(name: "web.c1"))
        try await server.compact()
        try await log.waitUntil { await $0.listCount == 2 }
        guard case .listed(let items) = await log.deltas.last(where: {
            if case .listed = $0 { return true } else { return false }
        }) else { return XCTFail("expected a second list") }
        XCTAssertEqual(items.map(\.metadata.name), ["web.c1"])
    }

    func testKeepsGoingAcrossAnAPIServerOutage() async throws {
        // The client counts every request that got no answer as code "error": the witness that the
        // reflector really tried, and failed, to reconnect while the server was down.
        let metrics = TestMetrics()
        let configuration = ClientConfiguration(server: server.url,
                                                certificateAuthorityPEM: server.certificates.caCertificatePEM,
                                                credentials: .token(server.token), namespace: "default")
        let client = try KubernetesClient(configuration: configuration, options: .init(),
                                          logger: Logger(label: "test"), metricsFactory: metrics)
        let unanswered = { metrics.counterTotal(label: KubeClientMetrics.requestsLabel,
                                                dimensions: [("resource", "events"), ("code", "error")]) }
        let log = DeltaLog()
        let task = startReflector(client, log: log)
        defer { task.cancel() }
        try await server.waitForOpenWatches(1)
        try await server.goDown()
        try await eventually("three unanswered requests while the API server is down") { unanswered() >= 3 }
        try await server.comeUp()
        try await server.waitForOpenWatches(1)
        _ = try await client.create(path: events, body: warningEvent(name: "web.o1"))
        try await log.waitUntil { await $0.addedNames.contains("web.o1") }
    }
}
