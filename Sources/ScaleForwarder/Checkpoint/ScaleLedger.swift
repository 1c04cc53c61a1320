#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// At-least-once bookkeeping for scales, with resends only for what was in flight when a leader died. Each increment of an HPA Event's `count` is one scale.
/// `claim` answers which counts of an Event are still to send and remembers them as in flight;
/// `complete` records a count as handled in the checkpoint. Relists, restarts and leader changes
/// see the same Event again and get nothing twice.
public struct ScaleLedger: Sendable {
    public private(set) var checkpoint: ScaleCheckpoint
    /// Highest count queued per Event uid, ahead of the checkpoint while deliveries are in flight.
    private var claimed: [String: Int] = [:]
    public var retention: Duration
    public var capacity: Int

    public init(checkpoint: ScaleCheckpoint, retention: Duration = .seconds(3600), capacity: Int = 2000) {
        self.checkpoint = checkpoint
        self.retention = retention
        self.capacity = capacity
    }

    /// The counts of this Event not yet sent nor queued, oldest first; empty when there is nothing to do.
    ///
    /// An Event the checkpoint does not know is judged by its timestamps: last updated before the
    /// checkpoint began (or before the retention horizon) means it was never ours to send; first
    /// seen after it began means every count is new; otherwise only the latest count is known to
    /// have happened since, and only it is sent.
    public mutating func claim(eventUID: String, count: Int, firstTimestamp: Date?, lastTimestamp: Date,
                               now: Date) -> ClosedRange<Int>? {
        let count = max(count, 1)
        let handled: Int
        if let inFlight = claimed[eventUID] {
            handled = inFlight
        } else if let entry = checkpoint.entries[eventUID] {
            handled = entry.count
        } else {
            let horizon = max(checkpoint.since, now.addingTimeInterval(-retention.seconds))
            if lastTimestamp < horizon {
                handled = count
            } else if let first = firstTimestamp, first >= checkpoint.since {
                handled = 0
            } else {
                handled = count - 1
            }
            if handled == count {
                // Remember it so the decision is not taken again with a later horizon.
                checkpoint.entries[eventUID] = .init(count: count, lastSeen: lastTimestamp)
            }
        }
        guard count > handled else { return nil }
        claimed[eventUID] = count
        return (handled + 1)...count
    }

    /// Records `count` of the Event as handled (sent, or given up on and reported).
    public mutating func complete(eventUID: String, count: Int, lastTimestamp: Date) {
        let previous = checkpoint.entries[eventUID]?.count ?? 0
        if count > previous {
            checkpoint.entries[eventUID] = .init(count: count, lastSeen: lastTimestamp)
        }
        if let inFlight = claimed[eventUID], inFlight <= count {
            claimed[eventUID] = nil
        }
    }

    /// Gives back counts just claimed and not queued (the HPA could not be read), so the next
    /// sight of the Event claims them again.
    public mutating func unclaim(eventUID: String, counts: ClosedRange<Int>) {
        guard claimed[eventUID] == counts.upperBound else { return }
        let handled = checkpoint.entries[eventUID]?.count ?? 0
        claimed[eventUID] = counts.lowerBound - 1 > handled ? counts.lowerBound - 1 : nil
    }

    /// Forgets what was queued but not handled: after leadership is lost the queues are gone,
    /// and the next leader resumes from the checkpoint.
    public mutating func dropClaims() {
        claimed.removeAll()
    }

    public mutating func evict(now: Date) {
        checkpoint.evict(now: now, retention: retention, capacity: capacity)
    }
}
