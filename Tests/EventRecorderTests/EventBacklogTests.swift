import Foundation
import KubernetesAPI
import XCTest
@testable import EventRecorder

final class EventBacklogTests: XCTestCase {
    private let now = Date(timeIntervalSince1970: 1_795_000_000)
    private let replicaSetOwner = OwnerReference(apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-5d9c",
                                                 uid: "rs-1", controller: true)

    private func backlog(maxRunning: Int = 2, capacity: Int = 100, burst: Int = 25) -> EventBacklog {
        EventBacklog(correlator: EventCorrelator(capacity: 64, spamBurst: burst, spamRefillInterval: .seconds(300)),
                     maxRunning: maxRunning, capacity: capacity)
    }

    private func hpa(_ name: String) -> ObjectIdentity {
        ObjectIdentity(apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", namespace: "shop",
                       name: name, uid: "")
    }

    private func objectOccurrence(_ name: String, message: String = "sink down") -> Occurrence {
        Occurrence(subject: .object(hpa(name)), type: .warning, reason: "ScaleEventForwardFailed",
                   message: message, timestamp: now)
    }

    private func podOccurrence(generateName: String = "web-5d9c-") -> Occurrence {
        let failure = FailureReport(message: "boom", namespace: "shop", name: "", generateName: generateName,
                                    ownerReferences: [replicaSetOwner])
        return Occurrence(subject: .pod(failure), type: .warning, reason: "InjectionFailed", message: "boom",
                          timestamp: now)
    }

    func testRepeatsWhileAWriteIsInFlightCoalesceIntoOneCount() {
        var backlog = backlog()
        let first = backlog.accept(objectOccurrence("a"))
        guard case .start(.write(let key)) = first else { return XCTFail("expected a runner to start") }
        guard case .deliver(.create(let event), 1) = backlog.startWrite(key, now: .now) else {
            return XCTFail("expected a create of one occurrence")
        }
        for _ in 0..<9_999 {
            XCTAssertEqual(backlog.accept(objectOccurrence("a")), .held)
        }
        backlog.written(event)
        // The same runner goes on with the same key: one PATCH carrying all 10,000.
        XCTAssertEqual(backlog.jobEnded(.write(key)), .write(key))
        guard case .deliver(.patch(let patched), 9_999) = backlog.startWrite(key, now: .now) else {
            return XCTFail("expected one patch")
        }
        XCTAssertEqual(patched.count, 10_000)
        XCTAssertNil(backlog.jobEnded(.write(key)))
        XCTAssertTrue(backlog.isIdle)
    }

    func testRepeatsDuringAWriteWaitTheWriteIntervalThenGoTogether() {
        let start = ContinuousClock.now
        var backlog = EventBacklog(correlator: EventCorrelator(capacity: 64, spamBurst: 25, spamRefillInterval: .seconds(300)),
                                   maxRunning: 2, capacity: 100, minimumWriteInterval: .seconds(10))
        guard case .start(.write(let key)) = backlog.accept(objectOccurrence("a")) else { return XCTFail() }
        guard case .deliver(.create(let event), 1) = backlog.startWrite(key, now: start) else { return XCTFail() }
        for _ in 0..<50 { _ = backlog.accept(objectOccurrence("a")) }
        backlog.written(event)
        XCTAssertNil(backlog.jobEnded(.write(key), now: start), "the repeats wait instead of writing at once")
        XCTAssertEqual(backlog.accept(objectOccurrence("a")), .held)
        XCTAssertEqual(backlog.deferredWritesDue(now: start + .seconds(9)), [])
        XCTAssertEqual(backlog.deferredWritesDue(now: start + .seconds(10)), [.write(key)])
        guard case .deliver(.patch(let patched), 51) = backlog.startWrite(key, now: start + .seconds(10)) else {
            return XCTFail("expected one patch for the 51 repeats")
        }
        XCTAssertEqual(patched.count, 52)
    }

    func testRunnersAreBoundedAndPickUpWaitingJobs() {
        var backlog = backlog(maxRunning: 2)
        guard case .start(let a) = backlog.accept(objectOccurrence("a")),
              case .start(let b) = backlog.accept(objectOccurrence("b")) else {
            return XCTFail("two runners expected")
        }
        XCTAssertEqual(backlog.accept(objectOccurrence("c")), .held, "a third runner would pass the bound")
        XCTAssertEqual(backlog.running, 2)
        // "a" backing off keeps its runner; "b" finishing hands its runner to "c".
        _ = backlog.startWrite(keyOf(b), now: .now)
        guard case .write(let c)? = backlog.jobEnded(b) else { return XCTFail("expected c next") }
        XCTAssertEqual(c.involvedObject.name, "c")
        _ = a
    }

    func testPodsOfOneReplicaSetShareOneOwnerLookup() {
        var backlog = backlog()
        guard case .start(.resolveOwner(let podKey)) = backlog.accept(podOccurrence(generateName: "web-5d9c-")) else {
            return XCTFail("expected an owner lookup")
        }
        XCTAssertEqual(backlog.accept(podOccurrence(generateName: "web-5d9c-")), .held)
        let deployment = ObjectIdentity(apiVersion: "apps/v1", kind: "Deployment", namespace: "shop",
                                        name: "web", uid: "d-1")
        backlog.ownerResolved(podKey, as: deployment)
        guard case .write(let writeKey)? = backlog.jobEnded(.resolveOwner(podKey)) else {
            return XCTFail("the lookup's runner goes on to write")
        }
        XCTAssertEqual(writeKey.involvedObject, deployment)
        guard case .deliver(.create(let event), 2) = backlog.startWrite(writeKey, now: .now) else {
            return XCTFail("expected one create carrying both pods")
        }
        XCTAssertEqual(event.count, 2)
    }

    func testNewKeysPastCapacityAreDroppedButRepeatsStillCount() {
        var backlog = backlog(maxRunning: 1, capacity: 2)
        _ = backlog.accept(objectOccurrence("a"))
        _ = backlog.accept(objectOccurrence("b"))
        XCTAssertEqual(backlog.accept(objectOccurrence("c")), .dropped)
        XCTAssertEqual(backlog.accept(objectOccurrence("a")), .held)
        XCTAssertEqual(backlog.abandon(), 3)
    }

    func testHeldBackCountIsWrittenWhenTheTokenIsBack() {
        let start = ContinuousClock.now
        var backlog = backlog(burst: 1)
        guard case .start(.write(let key)) = backlog.accept(objectOccurrence("a")) else { return XCTFail() }
        guard case .deliver(.create(let event), 1) = backlog.startWrite(key, now: start) else { return XCTFail() }
        backlog.written(event)
        XCTAssertNil(backlog.jobEnded(.write(key)))
        for _ in 0..<4 { _ = backlog.accept(objectOccurrence("a")) }
        XCTAssertEqual(backlog.startWrite(key, now: start), .suppressed(occurrences: 4))
        XCTAssertNil(backlog.jobEnded(.write(key)))
        XCTAssertEqual(backlog.deferredKeys, 1)
        XCTAssertEqual(backlog.deferredWritesDue(now: start + .seconds(299)), [], "the token is not back yet")
        XCTAssertEqual(backlog.deferredWritesDue(now: start + .seconds(300)), [.write(key)])
        guard case .deliver(.patch(let patched), 0) = backlog.startWrite(key, now: start + .seconds(300)) else {
            return XCTFail("expected the held-back count to be patched")
        }
        XCTAssertEqual(patched.count, 5)
    }

    func testFinalFlushWritesHeldBackCountsPastTheSpamFilter() {
        let start = ContinuousClock.now
        var backlog = backlog(burst: 1)
        guard case .start(.write(let key)) = backlog.accept(objectOccurrence("a")) else { return XCTFail() }
        guard case .deliver(.create(let event), 1) = backlog.startWrite(key, now: start) else { return XCTFail() }
        backlog.written(event)
        _ = backlog.jobEnded(.write(key))
        _ = backlog.accept(objectOccurrence("a"))
        XCTAssertEqual(backlog.startWrite(key, now: start), .suppressed(occurrences: 1))
        _ = backlog.jobEnded(.write(key))
        XCTAssertEqual(backlog.beginFinalFlush(), [.write(key)])
        guard case .deliver(.patch(let patched), 0) = backlog.startWrite(key, now: start) else {
            return XCTFail("the final write ignores the spam filter")
        }
        XCTAssertEqual(patched.count, 2)
    }

    private func keyOf(_ job: EventBacklog.Job) -> EventAggregationKey {
        guard case .write(let key) = job else { preconditionFailure("not a write job") }
        return key
    }
}
