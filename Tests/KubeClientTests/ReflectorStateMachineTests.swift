import Foundation
@testable import KubeClient
import XCTest

final class ReflectorStateMachineTests: XCTestCase {
    func testListThenWatchFromTheListVersion() {
        var machine = ReflectorStateMachine()
        XCTAssertEqual(machine.start(), .list)
        XCTAssertEqual(machine.listSucceeded(resourceVersion: "10"), .watch(resourceVersion: "10"))
    }

    func testCleanEndRenewsFromTheNewestVersionSeen() {
        var machine = ReflectorStateMachine()
        _ = machine.start()
        _ = machine.listSucceeded(resourceVersion: "10")
        machine.observed(resourceVersion: "12")
        machine.observed(resourceVersion: "15")   // a bookmark
        XCTAssertEqual(machine.watchEnded(), .watch(resourceVersion: "15"))
    }

    func testFailureBacksOffWithGrowingCountThenResumes() {
        var machine = ReflectorStateMachine()
        _ = machine.start()
        _ = machine.listSucceeded(resourceVersion: "10")
        XCTAssertEqual(machine.watchFailed(), .backOff(failures: 1))
        XCTAssertEqual(machine.backoffElapsed(), .watch(resourceVersion: "10"))
        XCTAssertEqual(machine.watchFailed(), .backOff(failures: 2))
        XCTAssertEqual(machine.backoffElapsed(), .watch(resourceVersion: "10"))
        machine.observed(resourceVersion: "11")
        XCTAssertEqual(machine.watchFailed(), .backOff(failures: 1), "an event resets the failure count")
    }

    func testGoneRelistsAtOnce() {
        var machine = ReflectorStateMachine()
        _ = machine.start()
        _ = machine.listSucceeded(resourceVersion: "10")
        XCTAssertEqual(machine.gone(), .list)
        XCTAssertEqual(machine.state, .listing(relist: true))
        XCTAssertNil(machine.resourceVersion)
    }

    func testFailedListBacksOffThenListsAgain() {
        var machine = ReflectorStateMachine()
        _ = machine.start()
        XCTAssertEqual(machine.listFailed(), .backOff(failures: 1))
        XCTAssertEqual(machine.listFailed(), .backOff(failures: 2))
        XCTAssertEqual(machine.backoffElapsed(), .list)
    }

    func testBackoffDoublesUpToTheMaximumWithinTheJitter() {
        let backoff = Backoff(initial: .milliseconds(800), maximum: .seconds(30), jitter: 0.2)
        XCTAssertEqual(backoff.delay(failures: 1, random: 0.5), .milliseconds(800))
        XCTAssertEqual(backoff.delay(failures: 2, random: 0.5), .milliseconds(1600))
        XCTAssertEqual(backoff.delay(failures: 3, random: 0.5), .milliseconds(3200))
        XCTAssertEqual(backoff.delay(failures: 20, random: 0.5), .seconds(30))
        XCTAssertEqual(backoff.delay(failures: 1, random: 0), .milliseconds(640))
        XCTAssertEqual(backoff.delay(failures: 1, random: 1), .milliseconds(960))
    }

    func testTokenBucketAllowsTheBurstThenPacesAtQPS() {
        let start = ContinuousClock.now
        var bucket = TokenBucket(qps: 10, burst: 3, now: start)
        XCTAssertEqual(bucket.reserve(now: start), .zero)
        XCTAssertEqual(bucket.reserve(now: start), .zero)
        XCTAssertEqual(bucket.reserve(now: start), .zero)
        let fourth = bucket.reserve(now: start)
        let fifth = bucket.reserve(now: start)
        XCTAssertEqual(fourth.seconds, 0.1, accuracy: 0.001)
        XCTAssertEqual(fifth.seconds, 0.2, accuracy: 0.001)
        // A second later the bucket has refilled (capped at the burst).
        XCTAssertEqual(bucket.reserve(now: start + .seconds(1)), .zero)
    }

    func testTimestampsHaveTheAPIShapes() {
        let date = Date(timeIntervalSince1970: 1_795_320_600.123456)
        XCTAssertEqual(KubernetesTimestamp.time(date), "2026-11-22T04:10:00Z")
        XCTAssertEqual(KubernetesTimestamp.microTime(date), "2026-11-22T04:10:00.123456Z")
        let parsed = KubernetesTimestamp.date(from: "2026-11-22T04:10:00.123456Z")
        XCTAssertEqual(parsed?.timeIntervalSince1970 ?? 0, 1_795_320_600.123456, accuracy: 0.001)
        XCTAssertNotNil(KubernetesTimestamp.date(from: "2026-11-22T04:10:00Z"))
        XCTAssertNil(KubernetesTimestamp.date(from: "yesterday"))
    }
}
