// Queue: the bounded, never-blocking hand-off from callers of `record` to the worker, where
// identical occurrences wait as one count.

import Synchronization

/// The bounded hand-off between callers of `record` and the worker: a `PendingOccurrences`
/// table behind a lock. `offer` never waits; a repeat of a waiting occurrence only adds to its
/// count under the lock, and only an entry that finds the table empty wakes the worker, which
/// then takes the whole table at once. So a storm of identical failures costs the worker a
/// wake-up per batch, not per call.
final class EventQueue: Sendable {
    enum OfferResult: Sendable, Equatable {
        /// A new entry waits for the worker.
        case queued
        /// Added to the count of an entry already waiting.
        case coalesced
        /// `capacity` distinct entries are waiting already.
        case full
        /// The worker has stopped taking occurrences (shutdown).
        case closed
    }

    /// The worker waits here. At most one wake-up is kept: one take of the whole table answers any number.
    let wakeUps: AsyncStream<Void>
    private let wakeUp: AsyncStream<Void>.Continuation

    // Held only to add or swap, never across an await or a wake-up.
    private let pending: Mutex<PendingOccurrences>

    init(capacity: Int) {
        pending = Mutex(PendingOccurrences(capacity: capacity))
        (wakeUps, wakeUp) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    func offer(_ occurrence: Occurrence) -> OfferResult {
        let key = occurrence.key
        let result = pending.withLock { $0.add(occurrence, key: key) }
        switch result {
        case .added(let wakeWorker):
            if wakeWorker { wakeUp.yield() }
            return .queued
        case .coalesced: return .coalesced
        case .full: return .full
        case .closed: return .closed
        }
    }

    /// Asks the worker to start deferred writes that are due; false once the queue is closed.
    func requestDeferredWritesCheck() -> Bool {
        guard let wakeWorker = pending.withLock({ $0.requestDeferredWritesCheck() }) else { return false }
        if wakeWorker { wakeUp.yield() }
        return true
    }

    /// Everything waiting, in the order it first came.
    func takeAll() -> PendingOccurrences.Batch {
        pending.withLock { $0.takeAll() }
    }

    /// No more occurrences are taken; those waiting can still be taken, and the worker's wait ends.
    func close() {
        pending.withLock { $0.close() }
        wakeUp.finish()
    }
}
