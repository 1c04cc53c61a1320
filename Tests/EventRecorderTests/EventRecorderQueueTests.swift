import Foundation
import KubeClient
import KubernetesAPI
import XCTest
@testable import EventRecorder

/// `record` on its own, with no worker running: it must return at once however full the queue is,
/// and identical occurrences wait as one entry with a count.
final class EventRecorderQueueTests: XCTestCase {
    private func recorder(queueCapacity: Int) throws -> EventRecorder {
        // Never contacted: the worker does not run in these tests.
        let client = try KubernetesClient(configuration: ClientConfiguration(server: "https://127.0.0.1:1"))
        var options = EventRecorderOptions()
        options.queueCapacity = queueCapacity
        return EventRecorder(client: client, options: options)
    }

    private func hpa(_ name: String) -> ObjectIdentity {
        ObjectIdentity(apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", namespace: "shop", name: name)
    }

    func testRecordNeverBlocksWhenTheQueueIsFull() throws {
        let recorder = try recorder(queueCapacity: 10)
        for index in 0..<10 {
            recorder.record(involvedObject: hpa("h\(index)"), type: .warning, reason: "Tested", message: "m")
        }
        // A new failure finds ten distinct entries waiting: every call is dropped, none waits.
        let failure = FailureReport(message: "boom", namespace: "shop", name: "web-1")
        let calls = 100_000
        let started = ContinuousClock.now
        for _ in 0..<calls { recorder.record(failure) }
        let took = ContinuousClock.now - started
        print("FIGURE record() with a full queue: \(took / calls) per call over \(calls) calls")
        XCTAssertEqual(recorder.statistics.queued, 10)
        XCTAssertEqual(recorder.statistics.dropped(.queueFull), calls)
        XCTAssertEqual(recorder.statistics.queueDepth, 10)
        XCTAssertEqual(recorder.statistics.outstanding, 10)
    }

    func testRepeatsOfAWaitingOccurrenceAreTakenWhenTheQueueIsFull() throws {
        let recorder = try recorder(queueCapacity: 2)
        recorder.record(involvedObject: hpa("a"), type: .warning, reason: "Tested", message: "m")
        recorder.record(involvedObject: hpa("b"), type: .warning, reason: "Tested", message: "m")
        recorder.record(involvedObject: hpa("c"), type: .warning, reason: "Tested", message: "m")
        for _ in 0..<5 {
            recorder.record(involvedObject: hpa("a"), type: .warning, reason: "Tested", message: "m")
        }
        let statistics = recorder.statistics
        XCTAssertEqual(statistics.dropped(.queueFull), 1, "only the third distinct object")
        XCTAssertEqual(statistics.queued, 7)
        XCTAssertEqual(statistics.coalesced, 5)
        XCTAssertEqual(statistics.queueDepth, 7)
        XCTAssertEqual(statistics.outstanding, 7)
    }

    func testIdenticalRecordsFromManyThreadsWaitAsOneCountedEntry() throws {
        let recorder = try recorder(queueCapacity: 10)
        let failure = FailureReport(message: "boom", namespace: "shop", name: "", generateName: "web-5d9c-",
                                    ownerReferences: [OwnerReference(apiVersion: "apps/v1", kind: "ReplicaSet",
                                                                     name: "web-5d9c", uid: "rs-1", controller: true)])
        let started = ContinuousClock.now
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<12_500 { recorder.record(failure) }
        }
        let took = ContinuousClock.now - started
        print("FIGURE record() of one failure from 8 threads: \(took / 100_000) per call over 100000 calls")
        let statistics = recorder.statistics
        XCTAssertEqual(statistics.queued, 100_000)
        XCTAssertEqual(statistics.coalesced, 99_999)
        XCTAssertEqual(statistics.dropped, [:])
        XCTAssertEqual(statistics.queueDepth, 100_000)
    }

    func testRecordingFromManyThreadsCountsEveryOccurrenceOnce() throws {
        let recorder = try recorder(queueCapacity: 1_000)
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for index in 0..<500 {
                recorder.record(involvedObject: ObjectIdentity(apiVersion: "v1", kind: "Pod", namespace: "shop",
                                                               name: "p\(thread)-\(index)"),
                                type: .normal, reason: "Tested", message: "m")
            }
        }
        let statistics = recorder.statistics
        XCTAssertEqual(statistics.queued, 1_000)
        XCTAssertEqual(statistics.dropped(.queueFull), 3_000)
        XCTAssertEqual(statistics.outstanding, 1_000)
    }
}
