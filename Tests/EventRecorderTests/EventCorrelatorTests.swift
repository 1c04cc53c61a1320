import Foundation
import KubernetesAPI
import XCTest
@testable import EventRecorder

final class EventCorrelatorTests: XCTestCase {
    private let deployment = ObjectIdentity(apiVersion: "apps/v1", kind: "Deployment", namespace: "shop",
                                            name: "web", uid: "d-1")
    private let start = ContinuousClock.now
    private let t0 = Date(timeIntervalSince1970: 1_795_000_000)

    private func key(_ message: String = "profile agent: volume agent already exists") -> EventAggregationKey {
        EventAggregationKey(involvedObject: deployment, type: .warning, reason: "InjectionFailed", message: message)
    }

    func testFirstOccurrenceCreatesAnEventNamedAfterTheObject() throws {
        var correlator = EventCorrelator(capacity: 16, spamBurst: 25, spamRefillInterval: .seconds(300))
        guard case .create(let event) = correlator.observe(key(), occurrences: 1, timestamp: t0, now: start) else {
            return XCTFail("expected a create")
        }
        XCTAssertEqual(event.count, 1)
        XCTAssertEqual(event.firstTimestamp, t0)
        XCTAssertEqual(event.lastTimestamp, t0)
        XCTAssertEqual(event.namespace, "shop")
        // <name>.<hex nanoseconds>, as client-go names Events.
        let parts = event.name.split(separator: ".")
        XCTAssertEqual(parts.count, 2)
        XCTAssertEqual(parts.first, "web")
        XCTAssertEqual(UInt64(parts[1], radix: 16), UInt64(t0.timeIntervalSince1970 * 1_000_000_000))
    }

    func testRepeatedFailureBecomesOnePatchedEvent() {
        var correlator = EventCorrelator(capacity: 16, spamBurst: 25, spamRefillInterval: .seconds(300))
        guard case .create(let created) = correlator.observe(key(), occurrences: 1, timestamp: t0, now: start) else {
            return XCTFail("expected a create")
        }
        correlator.written(created)
        let later = t0.addingTimeInterval(42)
        guard case .patch(let patched) = correlator.observe(key(), occurrences: 9, timestamp: later, now: start) else {
            return XCTFail("expected a patch")
        }
        XCTAssertEqual(patched.name, created.name)
        XCTAssertEqual(patched.count, 10)
        XCTAssertEqual(patched.firstTimestamp, t0)
        XCTAssertEqual(patched.lastTimestamp, later)
    }

    func testADifferentMessageIsADifferentEvent() {
        var correlator = EventCorrelator(capacity: 16, spamBurst: 25, spamRefillInterval: .seconds(300))
        guard case .create(let first) = correlator.observe(key("a"), occurrences: 1, timestamp: t0, now: start) else {
            return XCTFail("expected a create")
        }
        correlator.written(first)
        guard case .create(let second) = correlator.observe(key("b"), occurrences: 1, timestamp: t0, now: start) else {
            return XCTFail("expected a second create")
        }
        XCTAssertNotEqual(first.name, second.name, "two Events about one object in one instant need two names")
    }

    func testSpamFilteredOccurrencesAreStillCountedInTheNextWrite() {
        var correlator = EventCorrelator(capacity: 16, spamBurst: 1, spamRefillInterval: .seconds(300))
        guard case .create(let created) = correlator.observe(key(), occurrences: 1, timestamp: t0, now: start) else {
            return XCTFail("expected a create")
        }
        correlator.written(created)
        XCTAssertEqual(correlator.observe(key(), occurrences: 5, timestamp: t0, now: start + .seconds(1)),
                       .suppressed(occurrences: 5, retryAt: start + .seconds(300)))
        guard case .patch(let patched) = correlator.observe(key(), occurrences: 1, timestamp: t0,
                                                            now: start + .seconds(301)) else {
            return XCTFail("expected a patch once a token is back")
        }
        XCTAssertEqual(patched.count, 7)
    }

    func testDeferredWriteCarriesTheHeldBackCountAndThenHasNothingToSay() {
        var correlator = EventCorrelator(capacity: 16, spamBurst: 1, spamRefillInterval: .seconds(60))
        guard case .create(let created) = correlator.observe(key(), occurrences: 1, timestamp: t0, now: start) else {
            return XCTFail("expected a create")
        }
        correlator.written(created)
        let last = t0.addingTimeInterval(5)
        guard case .suppressed = correlator.observe(key(), occurrences: 3, timestamp: last, now: start) else {
            return XCTFail("expected the spam filter to hold the write back")
        }
        guard case .patch(let patched) = correlator.observe(key(), occurrences: 0, timestamp: last,
                                                            now: start + .seconds(60)) else {
            return XCTFail("expected the deferred patch")
        }
        XCTAssertEqual(patched.count, 4)
        XCTAssertEqual(patched.lastTimestamp, last, "lastTimestamp is the last occurrence, not the write")
        correlator.written(patched)
        XCTAssertEqual(correlator.observe(key(), occurrences: 0, timestamp: last, now: start + .seconds(999)), .upToDate)
        XCTAssertEqual(correlator.observe(key("unknown"), occurrences: 0, timestamp: last, now: start), .upToDate)
    }

    func testUnconfirmedCreateIsCreatedAgainWithTheFullCount() {
        var correlator = EventCorrelator(capacity: 16, spamBurst: 25, spamRefillInterval: .seconds(300))
        _ = correlator.observe(key(), occurrences: 3, timestamp: t0, now: start)
        // No written(): the create failed. The next write must create, carrying all occurrences.
        guard case .create(let retried) = correlator.observe(key(), occurrences: 2, timestamp: t0, now: start) else {
            return XCTFail("expected a create")
        }
        XCTAssertEqual(retried.count, 5)
    }

    func testRefusedEventIsForgottenSoTheNextOccurrenceCreates() {
        var correlator = EventCorrelator(capacity: 16, spamBurst: 25, spamRefillInterval: .seconds(300))
        guard case .create(let created) = correlator.observe(key(), occurrences: 1, timestamp: t0, now: start) else {
            return XCTFail("expected a create")
        }
        correlator.written(created)
        correlator.forgetEventName(for: key())
        guard case .create = correlator.observe(key(), occurrences: 1, timestamp: t0, now: start) else {
            return XCTFail("expected a create after the refusal")
        }
    }

    func testCorrelationMemoryIsBounded() {
        var correlator = EventCorrelator(capacity: 32, spamBurst: 25, spamRefillInterval: .seconds(300))
        for i in 0..<5_000 {
            _ = correlator.observe(key("message \(i)"), occurrences: 1, timestamp: t0, now: start)
        }
        XCTAssertEqual(correlator.trackedKeys, 32)
    }

    func testNamesStayWithinTheAPILimit() {
        var correlator = EventCorrelator(capacity: 4, spamBurst: 25, spamRefillInterval: .seconds(300))
        let long = ObjectIdentity(apiVersion: "v1", kind: "Pod", namespace: "n",
                                  name: String(repeating: "a", count: 253))
        let key = EventAggregationKey(involvedObject: long, type: .warning, reason: "r", message: "m")
        guard case .create(let event) = correlator.observe(key, occurrences: 1, timestamp: t0, now: start) else {
            return XCTFail("expected a create")
        }
        XCTAssertLessThanOrEqual(event.name.count, 253)
    }

    func testClusterScopedObjectsGetTheirEventsInDefault() {
        var correlator = EventCorrelator(capacity: 4, spamBurst: 25, spamRefillInterval: .seconds(300))
        let namespace = ObjectIdentity(apiVersion: "v1", kind: "Namespace", namespace: "", name: "shop")
        for (object, expected) in [(namespace, "default"), (deployment, "shop")] {
            let key = EventAggregationKey(involvedObject: object, type: .warning, reason: "r", message: "m")
            guard case .create(let event) = correlator.observe(key, occurrences: 1, timestamp: t0, now: start) else {
                return XCTFail("expected a create")
            }
            XCTAssertEqual(event.namespace, expected)
        }
    }
}
