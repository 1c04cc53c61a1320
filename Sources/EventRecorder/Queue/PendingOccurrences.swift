/// The occurrences recorded since the worker last looked: one entry per distinct key, in the
/// order they first came, each with its count. A repeat of a waiting entry only adds to its
/// count, so a storm of identical failures is one entry; bounded in distinct entries. Pure:
/// `EventQueue` owns one behind its lock and acts on what it returns.
struct PendingOccurrences: Sendable {
    enum AddResult: Sendable, Equatable {
        /// A new entry. `wakeWorker`: the table was empty, so the worker has no wake-up coming;
        /// otherwise the one already sent covers this entry too (the worker takes the whole table).
        case added(wakeWorker: Bool)
        /// Counted on an entry already waiting.
        case coalesced
        /// `capacity` distinct entries are waiting already.
        case full
        /// The worker has stopped taking occurrences (shutdown).
        case closed
    }

    /// What the worker takes in one go.
    struct Batch: Sendable {
        var occurrences: [Occurrence] = []
        /// The recorder's clock asked for deferred writes to be checked.
        var deferredWritesCheckDue = false

        var occurrenceCount: Int { occurrences.reduce(0) { $0 + $1.count } }
    }

    let capacity: Int
    private var entries: [Occurrence] = []
    private var index: [Occurrence.Key: Int] = [:]
    private var deferredWritesCheckDue = false
    private(set) var isClosed = false

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    var isEmpty: Bool { entries.isEmpty && !deferredWritesCheckDue }

    /// Adds one call of `record`; `key` is `occurrence.key`, worked out by the caller outside any lock.
    mutating func add(_ occurrence: Occurrence, key: Occurrence.Key) -> AddResult {
        guard !isClosed else { return .closed }
        if let position = index[key] {
            entries[position].repeated(at: occurrence.lastTimestamp)
            return .coalesced
        }
        guard entries.count < capacity else { return .full }
        let wakeWorker = isEmpty
        index[key] = entries.count
        entries.append(occurrence)
        return .added(wakeWorker: wakeWorker)
    }

    /// The clock's reminder to start deferred writes that are due. Returns whether the worker
    /// needs waking for it, or nil once closed.
    mutating func requestDeferredWritesCheck() -> Bool? {
        guard !isClosed else { return nil }
        defer { deferredWritesCheckDue = true }
        return isEmpty
    }

    /// Everything waiting, leaving the table empty.
    mutating func takeAll() -> Batch {
        defer {
            entries = []
            index.removeAll(keepingCapacity: true)
            deferredWritesCheckDue = false
        }
        return Batch(occurrences: entries, deferredWritesCheckDue: deferredWritesCheckDue)
    }

    /// No more occurrences are taken; those waiting can still be taken.
    mutating func close() {
        isClosed = true
    }
}
