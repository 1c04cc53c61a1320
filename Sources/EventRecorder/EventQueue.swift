import Foundation

/// The bounded queue between callers of `record` and the worker. `offer` never waits: when the
/// queue is full the occurrence is refused, and the caller counts the drop.
final class EventQueue: Sendable {
    enum OfferResult: Sendable, Equatable {
        case queued
        case full
        /// The worker has stopped taking occurrences (shutdown).
        case closed
    }

    let stream: AsyncStream<Occurrence>
    private let continuation: AsyncStream<Occurrence>.Continuation

    init(capacity: Int) {
        // Keeping the oldest means a storm cannot push out what was already waiting.
        (stream, continuation) = AsyncStream.makeStream(of: Occurrence.self, bufferingPolicy: .bufferingOldest(max(1, capacity)))
    }

    func offer(_ occurrence: Occurrence) -> OfferResult {
        switch continuation.yield(occurrence) {
        case .enqueued: return .queued
        case .dropped: return .full
        case .terminated: return .closed
        @unknown default: return .full
        }
    }

    /// No more occurrences are taken; those already queued can still be read.
    func close() {
        continuation.finish()
    }
}
