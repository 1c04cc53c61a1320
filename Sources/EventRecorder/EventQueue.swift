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

    enum Item: Sendable {
        case occurrence(Occurrence)
        /// A reminder from the recorder's clock to start deferred writes that are due; it travels
        /// the queue so the worker has one place to wait on.
        case deferredWritesCheck
    }

    let stream: AsyncStream<Item>
    private let continuation: AsyncStream<Item>.Continuation

    init(capacity: Int) {
        // Keeping the oldest means a storm cannot push out what was already waiting.
        (stream, continuation) = AsyncStream.makeStream(of: Item.self, bufferingPolicy: .bufferingOldest(max(1, capacity)))
    }

    func offer(_ item: Item) -> OfferResult {
        switch continuation.yield(item) {
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
