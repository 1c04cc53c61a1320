import Foundation
import KubeClient
import KubernetesAPI
import TestSupport
import XCTest

final class WatchTests: FakeServerTestCase {
    private let events = "/api/v1/namespaces/default/events"

    func testEventArrivesWhileTheWatchIsStillOpen() async throws {
        let client = try makeClient()
        let list = try await client.list(Event.self, path: events)
        let stream = client.watch(Event.self, path: events, resourceVersion: list.metadata.resourceVersion,
                                  timeoutSeconds: 60)
        var iterator = stream.makeAsyncIterator()
        try await server.waitForOpenWatches(1)
        _ = try await client.create(path: events, body: warningEvent(name: "web.w1"))

        guard case .added(let event)? = try await iterator.next() else { return XCTFail("expected ADDED") }
        XCTAssertEqual(event.metadata.name, "web.w1")
        // Decoded as it arrived: the server has not ended the stream.
        let open = try await server.openWatchCount()
        XCTAssertEqual(open, 1)

        _ = try await client.patch(Event.self, path: "\(events)/web.w1", patchType: .merge, body: Array(#"{"count": 2}"#.utf8))
        guard case .modified(let modified)? = try await iterator.next() else { return XCTFail("expected MODIFIED") }
        XCTAssertEqual(modified.count, 2)
        try await client.delete(path: "\(events)/web.w1")
        guard case .deleted? = try await iterator.next() else { return XCTFail("expected DELETED") }
    }

    func testBookmarkCarriesTheCurrentResourceVersion() async throws {
        let client = try makeClient()
        let created = try await client.create(path: events, body: warningEvent(name: "web.w2"))
        let stream = client.watch(Event.self, path: events, resourceVersion: created.metadata.resourceVersion,
                                  timeoutSeconds: 60, allowBookmarks: true)
        var iterator = stream.makeAsyncIterator()
        try await server.waitForOpenWatches(1)
        try await server.sendBookmarks()
        guard case .bookmark(let version)? = try await iterator.next() else { return XCTFail("expected BOOKMARK") }
        XCTAssertEqual(version, created.metadata.resourceVersion)
        let watchRequest = try await server.requests(pathPrefix: events).last
        XCTAssertEqual(watchRequest?.query["allowWatchBookmarks"], "true")
        XCTAssertEqual(watchRequest?.query["watch"], "true")
    }

    func testStreamEndsCleanlyWhenTimeoutSecondsElapse() async throws {
        let client = try makeClient()
        let stream = client.watch(Event.self, path: events, resourceVersion: nil, timeoutSeconds: 1)
        var count = 0
        for try await _ in stream { count += 1 }
        XCTAssertEqual(count, 0)
        let request = try await server.requests(pathPrefix: events).last
        XCTAssertEqual(request?.query["timeoutSeconds"], "1")
    }

    func testWatchWithoutResourceVersionStartsWithTheCurrentObjects() async throws {
        let client = try makeClient()
        _ = try await client.create(path: events, body: warningEvent(name: "web.w3"))
        var iterator = client.watch(Event.self, path: events, resourceVersion: nil, timeoutSeconds: 30).makeAsyncIterator()
        guard case .added(let event)? = try await iterator.next() else { return XCTFail("expected ADDED") }
        XCTAssertEqual(event.metadata.name, "web.w3")
    }

    func testWatchFromACompactedVersionEndsWithAnErrorEventOf410() async throws {
        let client = try makeClient()
        let created = try await client.create(path: events, body: warningEvent(name: "web.w4"))
        _ = try await client.create(path: events, body: warningEvent(name: "web.w5"))
        try await server.compact()
        var iterator = client.watch(Event.self, path: events, resourceVersion: created.metadata.resourceVersion,
                                    timeoutSeconds: 30).makeAsyncIterator()
        guard case .error(let status)? = try await iterator.next() else { return XCTFail("expected ERROR") }
        XCTAssertEqual(status.code, 410)
        let end = try await iterator.next()
        XCTAssertNil(end)
    }

    func testWatchAnswered410ThrowsGone() async throws {
        let client = try makeClient()
        try await server.inject(.init(method: "GET", pathPrefix: events, status: 410, watch: true))
        do {
            for try await _ in client.watch(Event.self, path: events, resourceVersion: "1", timeoutSeconds: 30) {}
            XCTFail("expected gone")
        } catch KubernetesError.gone(let status) {
            XCTAssertEqual(status.code, 410)
        }
    }

    func testCutWatchThrowsATransportError() async throws {
        let client = try makeClient()
        var iterator = client.watch(Event.self, path: events, resourceVersion: nil, timeoutSeconds: 60).makeAsyncIterator()
        try await server.waitForOpenWatches(1)
        try await server.dropWatches()
        do {
            _ = try await iterator.next()
            XCTFail("expected a transport error")
        } catch KubernetesError.transport {
        }
    }

    func testCancellingTheConsumerClosesTheWatch() async throws {
        let client = try makeClient()
        let path = events
        let consumer = Task {
            for try await _ in client.watch(Event.self, path: path, resourceVersion: nil, timeoutSeconds: 60) {}
        }
        try await server.waitForOpenWatches(1)
        consumer.cancel()
        _ = await consumer.result
        let deadline = ContinuousClock.now + .seconds(5)
        var open = try await server.openWatchCount()
        while open > 0 && ContinuousClock.now < deadline {
            // The fake notices the closed socket on its next write: provoke one.
            try await server.sendBookmarks()
            try await Task.sleep(for: .milliseconds(50))
            open = try await server.openWatchCount()
        }
        XCTAssertEqual(open, 0)
    }
}
