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

    func testListsAskTheCacheFirstAndFallBackToAQuorumReadAfterAFailureOrGone() {
        // client-go tools/cache/reflector.go relistResourceVersion: "0" first, "" once that was found wanting.
        var machine = ReflectorStateMachine()
        XCTAssertEqual(machine.start(), .list)
        XCTAssertEqual(machine.listResourceVersion, "0")
        _ = machine.listFailed()
        XCTAssertEqual(machine.listResourceVersion, "")
        XCTAssertEqual(machine.backoffElapsed(), .list)
        XCTAssertEqual(machine.listSucceeded(resourceVersion: "7"), .watch(resourceVersion: "7"))
        XCTAssertEqual(machine.listResourceVersion, "0")
        XCTAssertEqual(machine.gone(), .list)
        XCTAssertEqual(machine.listResourceVersion, "")
    }

    func testAWatchThatEndsWithinASecondIsBackedOffNotReopenedAtOnce() {
        // client-go tools/cache/reflector.go watchHandler: a "very short watch" is an error, so it is backed off.
        var machine = ReflectorStateMachine()
        _ = machine.start()
        _ = machine.listSucceeded(resourceVersion: "7")
        XCTAssertEqual(machine.watchEnded(tooSoon: true), .backOff(failures: 1))
        XCTAssertEqual(machine.backoffElapsed(), .watch(resourceVersion: "7"))
        XCTAssertEqual(machine.watchEnded(tooSoon: true), .backOff(failures: 2))
        _ = machine.backoffElapsed()
        XCTAssertEqual(machine.watchEnded(tooSoon: false), .watch(resourceVersion: "7"))
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
