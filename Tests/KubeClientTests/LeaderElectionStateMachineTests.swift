import Foundation
import KubernetesAPI
import XCTest
@testable import KubeClient

final class LeaderElectionStateMachineTests: XCTestCase {
    let clock = ContinuousClock()
    lazy var origin = clock.now
    let wall = Date(timeIntervalSince1970: 1_795_320_600)

    func t(_ seconds: Int) -> ContinuousClock.Instant { origin + .seconds(seconds) }

    func record(_ holder: String, transitions: Int = 0, renew: Int = 0) -> LeaderElectionRecord {
        LeaderElectionRecord(holderIdentity: holder, leaseDurationSeconds: 15, acquireTime: wall,
                             renewTime: wall.addingTimeInterval(TimeInterval(renew)), leaseTransitions: transitions)
    }

    func testNoLeaseMeansCreateThenLead() {
        var machine = LeaderElectionStateMachine(identity: "a")
        XCTAssertEqual(machine.tick(now: t(0), wallNow: wall), .getLease)
        guard case .createLease(let created) = machine.leaseRead(nil, resourceVersion: nil, now: t(0), wallNow: wall) else {
            return XCTFail("expected a create")
        }
        XCTAssertEqual(created.holderIdentity, "a")
        XCTAssertEqual(created.leaseDurationSeconds, 15)
        XCTAssertEqual(machine.leaseWritten(created, resourceVersion: "1", now: t(0)), .startLeading)
        XCTAssertTrue(machine.isLeader)
    }

    func testAHeldLeaseIsLeftAloneUntilItExpiresOnOurClock() {
        var machine = LeaderElectionStateMachine(identity: "b")
        let held = record("a")
        XCTAssertEqual(machine.leaseRead(held, resourceVersion: "5", now: t(0), wallNow: wall), .none)
        // Same record 14 s later: still valid (observed at t0, 15 s lease).
        XCTAssertEqual(machine.leaseRead(held, resourceVersion: "5", now: t(14), wallNow: wall), .none)
        // Unchanged for 15 s: expired, take it with one more transition.
        guard case .updateLease(let taken, let version) = machine.leaseRead(held, resourceVersion: "5", now: t(15), wallNow: wall) else {
            return XCTFail("expected a takeover")
        }
        XCTAssertEqual(version, "5")
        XCTAssertEqual(taken.holderIdentity, "b")
        XCTAssertEqual(taken.leaseTransitions, 1)
        XCTAssertEqual(machine.leaseWritten(taken, resourceVersion: "6", now: t(15)), .startLeading)
    }

    func testARenewedLeaseRestartsTheExpiryClock() {
        var machine = LeaderElectionStateMachine(identity: "b")
        XCTAssertEqual(machine.leaseRead(record("a", renew: 0), resourceVersion: "5", now: t(0), wallNow: wall), .none)
        XCTAssertEqual(machine.leaseRead(record("a", renew: 10), resourceVersion: "6", now: t(10), wallNow: wall), .none)
        XCTAssertEqual(machine.leaseRead(record("a", renew: 10), resourceVersion: "6", now: t(20), wallNow: wall), .none)
        guard case .updateLease = machine.leaseRead(record("a", renew: 10), resourceVersion: "6", now: t(25), wallNow: wall) else {
            return XCTFail("expected a takeover 15 s after the last change")
        }
    }

    func testAReleasedLeaseIsTakenAtOnce() {
        var machine = LeaderElectionStateMachine(identity: "b")
        guard case .updateLease(let taken, _) = machine.leaseRead(record(""), resourceVersion: "9", now: t(0), wallNow: wall) else {
            return XCTFail("an empty holder is free")
        }
        XCTAssertEqual(taken.holderIdentity, "b")
    }

    func testLosingTheWriteRaceStaysFollower() {
        var machine = LeaderElectionStateMachine(identity: "b")
        _ = machine.leaseRead(nil, resourceVersion: nil, now: t(0), wallNow: wall)
        XCTAssertEqual(machine.requestFailed(now: t(0)), .none)
        XCTAssertFalse(machine.isLeader)
    }

    func testLeaderRenewsOptimisticallyThenFallsBackToReading() {
        var machine = LeaderElectionStateMachine(identity: "a")
        _ = machine.leaseRead(nil, resourceVersion: nil, now: t(0), wallNow: wall)
        _ = machine.leaseWritten(record("a"), resourceVersion: "1", now: t(0))
        guard case .updateLease(let renewed, let version) = machine.tick(now: t(2), wallNow: wall.addingTimeInterval(2)) else {
            return XCTFail("expected the optimistic renewal")
        }
        XCTAssertEqual(version, "1")
        XCTAssertEqual(renewed.renewTime, wall.addingTimeInterval(2))
        XCTAssertEqual(machine.requestFailed(now: t(2)), .getLease)
        guard case .updateLease(_, let readVersion) = machine.leaseRead(record("a", renew: 1), resourceVersion: "3", now: t(2), wallNow: wall) else {
            return XCTFail("expected an update from the read record")
        }
        XCTAssertEqual(readVersion, "3")
        XCTAssertEqual(machine.leaseWritten(record("a", renew: 2), resourceVersion: "4", now: t(2)), .none)
        XCTAssertTrue(machine.isLeader)
    }

    func testLeaderStopsWhenItCannotRenewWithinTheDeadline() {
        var machine = LeaderElectionStateMachine(identity: "a")
        _ = machine.leaseRead(nil, resourceVersion: nil, now: t(0), wallNow: wall)
        _ = machine.leaseWritten(record("a"), resourceVersion: "1", now: t(0))
        _ = machine.tick(now: t(2), wallNow: wall)
        XCTAssertEqual(machine.requestFailed(now: t(2)), .getLease)
        XCTAssertEqual(machine.requestFailed(now: t(3)), .none)
        XCTAssertTrue(machine.isLeader)
        _ = machine.tick(now: t(8), wallNow: wall)
        XCTAssertEqual(machine.requestFailed(now: t(10)), .stopLeading)
        XCTAssertFalse(machine.isLeader)
    }

    func testLeaderStopsAtTheDeadlineEvenWithoutAnAnswer() {
        var machine = LeaderElectionStateMachine(identity: "a")
        _ = machine.leaseRead(nil, resourceVersion: nil, now: t(0), wallNow: wall)
        _ = machine.leaseWritten(record("a"), resourceVersion: "1", now: t(0))
        XCTAssertEqual(machine.tick(now: t(10), wallNow: wall), .stopLeading)
    }

    func testLeaderThatSeesAnotherHolderStops() {
        var machine = LeaderElectionStateMachine(identity: "a")
        _ = machine.leaseRead(nil, resourceVersion: nil, now: t(0), wallNow: wall)
        _ = machine.leaseWritten(record("a"), resourceVersion: "1", now: t(0))
        _ = machine.tick(now: t(2), wallNow: wall)
        _ = machine.requestFailed(now: t(2))
        XCTAssertEqual(machine.leaseRead(record("b", transitions: 1), resourceVersion: "7", now: t(2), wallNow: wall), .stopLeading)
    }

    func testStopReleasesTheLeaseOnlyWhenLeading() {
        var follower = LeaderElectionStateMachine(identity: "b")
        XCTAssertEqual(follower.stop(wallNow: wall), .none)

        var leader = LeaderElectionStateMachine(identity: "a")
        _ = leader.leaseRead(nil, resourceVersion: nil, now: t(0), wallNow: wall)
        _ = leader.leaseWritten(record("a", transitions: 3), resourceVersion: "1", now: t(0))
        guard case .releaseLease(let released, let version) = leader.stop(wallNow: wall) else {
            return XCTFail("expected a release")
        }
        XCTAssertEqual(released.holderIdentity, "")
        XCTAssertEqual(released.leaseDurationSeconds, 1)
        XCTAssertEqual(released.leaseTransitions, 3)
        XCTAssertEqual(version, "1")
        XCTAssertEqual(leader.tick(now: t(1), wallNow: wall), .none)
    }
}

final class LeaseRecordConversionTests: XCTestCase {
    func testLeaseSpecRoundTripsWithMicrosecondTimes() throws {
        let acquired = Date(timeIntervalSince1970: 1_795_320_600.25)
        let record = LeaderElectionRecord(holderIdentity: "kube-injector-0", leaseDurationSeconds: 15,
                                          acquireTime: acquired, renewTime: acquired.addingTimeInterval(2),
                                          leaseTransitions: 4)
        let spec = LeaderElector.spec(record)
        XCTAssertEqual(spec.acquireTime, "2026-11-22T04:10:00.250000Z")
        let back = LeaderElector.record(Lease(metadata: ObjectMeta(name: "l"), spec: spec))
        XCTAssertEqual(back.holderIdentity, record.holderIdentity)
        XCTAssertEqual(back.leaseTransitions, 4)
        XCTAssertEqual(back.renewTime?.timeIntervalSince1970 ?? 0, 1_795_320_602.25, accuracy: 0.000_01)
    }

    func testAnEmptyLeaseIsFree() {
        let record = LeaderElector.record(Lease(metadata: ObjectMeta(name: "l")))
        XCTAssertEqual(record.holderIdentity, "")
        XCTAssertEqual(record.leaseTransitions, 0)
    }
}
