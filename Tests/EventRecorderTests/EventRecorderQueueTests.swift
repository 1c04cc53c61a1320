import Foundation
import KubeClient
import XCTest
@testable import EventRecorder

/// `record` on its own, with no worker running: it must return at once however full the queue is.
final class EventRecorderQueueTests: XCTestCase {
    private func recorder(queueCapacity: Int) throws -> EventRecorder {
        // Never contacted: the worker does not run in these tests.
        let client = try KubernetesClient(configuration: ClientConfiguration(server: "https://127.0.0.1:1"))
        var options = EventRecorderOptions()
        options.queueCapacity = queueCapacity
        return EventRecorder(client: client, options: options)
    }

    func testRecordNeverBlocksWhenTheQueueIsFull() throws {
        let recorder = try recorder(queueCapacity: 10)
        let failure = FailureReport(message: "boom", namespace: "shop", name: "web-1")
        let calls = 100_000
        let started = ContinuousClock.now
        for _ in 0..<calls { recorder.record(failure) }
        let took = ContinuousClock.now - started
        print("FIGURE record() with a full queue: \(took / calls) per call over \(calls) calls")
        XCTAssertEqual(recorder.statistics.queued, 10)
        XCTAssertEqual(recorder.statistics.dropped(.queueFull), calls - 10)
        XCTAssertEqual(recorder.statistics.queueDepth, 10)
        XCTAssertEqual(recorder.statistics.outstanding, 10)
    }

    func testRecordingFromManyThreadsCountsEveryOccurrenceOnce() throws {
        let recorder = try recorder(queueCapacity: 1_000)
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for index in 0..<500 {
                recorder.record(involvedObject: ObjectReference(apiVersion: "v1", kind: "Pod", name: "p\(thread)-\(index)",
                                                                namespace: "shop"),
                                type: .normal, reason: "Tested", message: "m")
            }
        }
        let statistics = recorder.statistics
        XCTAssertEqual(statistics.queued, 1_000)
        XCTAssertEqual(statistics.dropped(.queueFull), 3_000)
        XCTAssertEqual(statistics.outstanding, 1_000)
    }
}
