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
