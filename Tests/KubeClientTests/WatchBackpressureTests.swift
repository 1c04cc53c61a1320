import Foundation
@testable import KubeClient
import KubernetesAPI
import Logging
import TestSupport
import XCTest

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
        try await eventually("the transfer to pause", timeout: .seconds(10)) { buffer.pauses >= 1 }
        // Witness that the engine went on working after the pause: three more requests through the same libcurl
        // engine, each a full round of its loop with the watch's bytes waiting on the socket. A transfer that
        // ignored the pause would have taken them in meanwhile.
        for _ in 0..<3 { _ = try await client.list(Event.self, path: events) }
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
