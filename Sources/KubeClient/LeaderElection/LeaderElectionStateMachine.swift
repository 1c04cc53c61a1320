#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// client-go's leader election algorithm over a Lease, as a plain state machine: it decides,
/// the `LeaderElector` performs its actions (GET, create, update of the Lease) and reports back.
///
/// Every `retryPeriod` the elector calls `tick`. A follower reads the Lease and takes it when it
/// is empty or has not changed for `leaseDuration` (measured on its own clock from when it last
/// saw the record change, never from the timestamps written by another host). The leader renews
/// with an optimistic update of the record it last wrote, falling back to a GET; if it cannot
/// renew for `renewDeadline` it stops leading.
public struct LeaderElectionStateMachine: Sendable {
    public typealias Instant = ContinuousClock.Instant

    /// The record as last seen, with the resourceVersion to update it from and when it was seen.
    public struct Observation: Sendable, Equatable {
        public var record: LeaderElectionRecord
        public var resourceVersion: String?
        public var observedAt: Instant
    }

    public enum State: Sendable, Equatable {
        /// Someone else holds the Lease, or nobody has been seen yet.
        case follower(observed: Observation?)
        /// Writing ourselves into the Lease; not leading until the write succeeds.
        case candidate(observed: Observation?)
        /// Holding the Lease since the last successful renewal at `renewedAt`.
        case leader(observed: Observation, renewedAt: Instant, renewing: Renewal)
        case stopped
    }

    /// How the leader's current renewal is going: the optimistic update first, then the GET path.
    public enum Renewal: Sendable, Equatable {
        case idle, optimisticUpdate, readingLease, updating
    }

    public enum Action: Sendable, Equatable {
        case none
        case getLease
        case createLease(LeaderElectionRecord)
        case updateLease(LeaderElectionRecord, resourceVersion: String?)
        /// The write made us the holder: start forwarding.
        case startLeading
        /// Renewal failed past the renew deadline, or the Lease was taken: stop forwarding now.
        case stopLeading
        /// Give the Lease up on shutdown so the next replica need not wait for it to expire.
        case releaseLease(LeaderElectionRecord, resourceVersion: String?)
    }

    public let identity: String
    public let leaseDuration: Duration
    public let renewDeadline: Duration
    public private(set) var state: State = .follower(observed: nil)

    public init(identity: String, leaseDuration: Duration = .seconds(15), renewDeadline: Duration = .seconds(10)) {
        self.identity = identity
        self.leaseDuration = leaseDuration
        self.renewDeadline = renewDeadline
    }

    public var isLeader: Bool {
        if case .leader = state { return true }
        return false
    }

    /// Time for another round: the leader renews, a follower looks at the Lease.
    public mutating func tick(now: Instant, wallNow: Date) -> Action {
        switch state {
        case .leader(let observed, let renewedAt, _):
            if now - renewedAt >= renewDeadline {
                state = .follower(observed: observed)
                return .stopLeading
            }
            if isValid(observed, now: now) {
                state = .leader(observed: observed, renewedAt: renewedAt, renewing: .optimisticUpdate)
                return .updateLease(renewal(of: observed.record, wallNow: wallNow), resourceVersion: observed.resourceVersion)
            }
            state = .leader(observed: observed, renewedAt: renewedAt, renewing: .readingLease)
            return .getLease
        case .follower, .candidate:
            return .getLease
        case .stopped:
            return .none
        }
    }

    /// The GET answered: `nil` when the Lease does not exist.
    public mutating func leaseRead(_ record: LeaderElectionRecord?, resourceVersion: String?, now: Instant,
                                   wallNow: Date) -> Action {
        let previous: Observation?
        switch state {
        case .stopped: return .none
        case .follower(let observed), .candidate(let observed): previous = observed
        case .leader(let observed, _, _): previous = observed
        }
        guard let record else {
            let fresh = LeaderElectionRecord(holderIdentity: identity, leaseDurationSeconds: leaseDurationSeconds,
                                             acquireTime: wallNow, renewTime: wallNow, leaseTransitions: 0)
            if case .leader(let observed, let renewedAt, _) = state {
                state = .leader(observed: observed, renewedAt: renewedAt, renewing: .updating)
            } else {
                state = .candidate(observed: previous)
            }
            return .createLease(fresh)
        }
        // The observation time moves only when the record changes: expiry is judged on our clock.
        var observed = Observation(record: record, resourceVersion: resourceVersion, observedAt: now)
        if let previous, previous.record == record {
            observed.observedAt = previous.observedAt
        }
        if case .leader(_, let renewedAt, _) = state {
            if record.holderIdentity != identity && !record.holderIdentity.isEmpty {
                // Someone took the Lease from us (we must have looked expired to them).
                state = .follower(observed: observed)
                return .stopLeading
            }
            state = .leader(observed: observed, renewedAt: renewedAt, renewing: .updating)
            return .updateLease(renewal(of: record, wallNow: wallNow), resourceVersion: resourceVersion)
        }
        if !record.holderIdentity.isEmpty && record.holderIdentity != identity && isValid(observed, now: now) {
            state = .follower(observed: observed)
            return .none
        }
        state = .candidate(observed: observed)
        var acquired = record
        acquired.holderIdentity = identity
        acquired.leaseDurationSeconds = leaseDurationSeconds
        acquired.renewTime = wallNow
        if record.holderIdentity != identity {
            acquired.acquireTime = wallNow
            acquired.leaseTransitions = record.leaseTransitions + 1
        }
        return .updateLease(acquired, resourceVersion: resourceVersion)
    }

    /// A create or update of the Lease succeeded with `record`, now at `resourceVersion`.
    public mutating func leaseWritten(_ record: LeaderElectionRecord, resourceVersion: String?, now: Instant) -> Action {
        let observed = Observation(record: record, resourceVersion: resourceVersion, observedAt: now)
        switch state {
        case .stopped:
            return .none
        case .leader:
            state = .leader(observed: observed, renewedAt: now, renewing: .idle)
            return .none
        case .follower, .candidate:
            state = .leader(observed: observed, renewedAt: now, renewing: .idle)
            return .startLeading
        }
    }

    /// A GET, create or update failed (conflict, network, timeout).
    public mutating func requestFailed(now: Instant) -> Action {
        switch state {
        case .leader(let observed, let renewedAt, let renewing):
            if now - renewedAt >= renewDeadline {
                state = .follower(observed: observed)
                return .stopLeading
            }
            if renewing == .optimisticUpdate {
                // client-go falls back to reading the Lease when the optimistic update fails.
                state = .leader(observed: observed, renewedAt: renewedAt, renewing: .readingLease)
                return .getLease
            }
            state = .leader(observed: observed, renewedAt: renewedAt, renewing: .idle)
            return .none
        case .candidate(let observed):
            state = .follower(observed: observed)
            return .none
        case .follower, .stopped:
            return .none
        }
    }

    /// Shutting down: the leader releases the Lease; nothing more happens after this.
    public mutating func stop(wallNow: Date) -> Action {
        defer { state = .stopped }
        guard case .leader(let observed, _, _) = state else { return .none }
        let released = LeaderElectionRecord(holderIdentity: "", leaseDurationSeconds: 1, acquireTime: wallNow,
                                            renewTime: wallNow, leaseTransitions: observed.record.leaseTransitions)
        return .releaseLease(released, resourceVersion: observed.resourceVersion)
    }

    private var leaseDurationSeconds: Int {
        Int(leaseDuration.components.seconds)
    }

    private func isValid(_ observed: Observation, now: Instant) -> Bool {
        observed.observedAt + .seconds(observed.record.leaseDurationSeconds) > now
    }

    private func renewal(of record: LeaderElectionRecord, wallNow: Date) -> LeaderElectionRecord {
        var renewed = record
        renewed.holderIdentity = identity
        renewed.leaseDurationSeconds = leaseDurationSeconds
        renewed.renewTime = wallNow
        return renewed
    }
}
