/// A snapshot of what the recorder has done since it started: the same figures as its metrics,
/// readable without a metrics backend (for `serve --dev`, shutdown logs, and tests).
public struct EventRecorderStatistics: Sendable, Equatable {
    /// Occurrences accepted into the queue.
    public var queued: Int = 0
    /// Of those, occurrences that only added to the count of an identical one already waiting.
    public var coalesced: Int = 0
    /// Entries the worker took from the queue, each one occurrence or many identical ones: a storm
    /// of one failure shows many `queued` and few `batches`.
    public var batches: Int = 0
    /// Events created.
    public var created: Int = 0
    /// PATCHes of count and lastTimestamp on existing Events.
    public var patched: Int = 0
    /// Occurrences that produced no write, by why.
    public var dropped: [DropReason: Int] = [:]
    /// Write attempts retried after a retryable failure.
    public var retried: Int = 0
    /// Writes given up: refused by the API server, or out of tries.
    public var failed: Int = 0
    /// Occurrences waiting in the queue for the worker.
    public var queueDepth: Int = 0
    /// Occurrences accepted but not yet settled (written, held back by the spam filter, or given up).
    public var outstanding: Int = 0

    public init() {}

    public func dropped(_ why: DropReason) -> Int { dropped[why, default: 0] }
}
