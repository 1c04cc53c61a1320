// Correlation: pure decisions about what occurrences become on the API server (a new Event, a
// PATCH of its count, or nothing yet), with the spam filter and their bounded caches.

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Decides what each batch of occurrences becomes on the API server: a new Event, a PATCH of
/// `count` and `lastTimestamp` on the Event already written for the same object, reason and
/// message, or nothing for now because the spam filter holds the write back. Pure: no clock,
/// no I/O; the worker passes the time in and reports back what was written. Both of its caches
/// are bounded LRUs.
///
/// Unlike client-go, occurrences the spam filter holds back are still counted, so the next
/// write that passes says how often the failure really happened.
struct EventCorrelator: Sendable {
    /// What the correlator remembers about one key.
    struct Entry: Sendable, Equatable {
        /// The name of the Event on the API server; nil until a create has succeeded.
        var eventName: String?
        /// Every occurrence seen, written or not.
        var count: Int
        /// The count the API server holds, as far as the last successful write knows.
        var writtenCount: Int = 0
        var firstTimestamp: Date
        var lastTimestamp: Date
    }

    enum Decision: Sendable, Equatable {
        /// No Event exists for this key yet: create this one.
        case create(AggregatedEvent)
        /// An Event exists: PATCH it to this count and lastTimestamp.
        case patch(AggregatedEvent)
        /// The spam filter holds this write back until `retryAt`; the occurrences stay counted.
        case suppressed(occurrences: Int, retryAt: ContinuousClock.Instant)
        /// Nothing new to write (a deferred write whose count was carried by another).
        case upToDate
    }

    private var entries: LRUCache<EventAggregationKey, Entry>
    private var spamFilter: SpamFilter
    /// The last nanosecond stamp used in a name, kept so two Events about one object made in the
    /// same instant still get different names.
    private var lastNameStamp: UInt64 = 0

    init(capacity: Int, spamBurst: Int, spamRefillInterval: Duration) {
        entries = LRUCache(capacity: capacity)
        spamFilter = SpamFilter(burst: spamBurst, refillInterval: spamRefillInterval, capacity: capacity)
    }

    /// Counts `occurrences` more of `key`, the first at `firstTimestamp` (default: `timestamp`)
    /// and the latest at `timestamp`, and decides the write.
    /// `occurrences` may be 0: a deferred write of counts the spam filter held back. `now` drives
    /// the spam filter (a monotonic clock, unlike the Event's wall-clock timestamps);
    /// `bypassSpamFilter` is for the final writes at shutdown, one per key.
    mutating func observe(
        _ key: EventAggregationKey, occurrences: Int, firstTimestamp: Date? = nil, timestamp: Date,
        now: ContinuousClock.Instant, bypassSpamFilter: Bool = false
    ) -> Decision {
        let added = max(0, occurrences)
        guard var entry = entries.value(forKey: key) ?? (added > 0 ? Entry(
            eventName: nil, count: 0, firstTimestamp: min(firstTimestamp ?? timestamp, timestamp),
            lastTimestamp: timestamp) : nil)
        else { return .upToDate }
        entry.count += added
        entry.lastTimestamp = max(entry.lastTimestamp, timestamp)
        defer { entries.set(entry, forKey: key) }
        guard entry.count > entry.writtenCount || entry.eventName == nil else { return .upToDate }
        let spamKey = SpamFilterKey(key)
        guard bypassSpamFilter || spamFilter.allow(spamKey, now: now) else {
            return .suppressed(occurrences: added, retryAt: spamFilter.nextWrite(for: spamKey, now: now))
        }
        if let name = entry.eventName {
            return .patch(AggregatedEvent(key: key, name: name, count: entry.count,
                                          firstTimestamp: entry.firstTimestamp, lastTimestamp: entry.lastTimestamp))
        }
        return .create(AggregatedEvent(key: key, name: makeName(for: key, at: timestamp), count: entry.count,
                                       firstTimestamp: entry.firstTimestamp, lastTimestamp: entry.lastTimestamp))
    }

    /// The API server holds `event` now (created, or patched): later occurrences patch it.
    mutating func written(_ event: AggregatedEvent) {
        guard var entry = entries.peek(event.key) else {
            // Evicted while the write was in flight: remember it again so the next repeat patches.
            entries.set(Entry(eventName: event.name, count: event.count, writtenCount: event.count,
                              firstTimestamp: event.firstTimestamp, lastTimestamp: event.lastTimestamp),
                        forKey: event.key)
            return
        }
        entry.eventName = event.name
        entry.writtenCount = max(entry.writtenCount, event.count)
        entries.set(entry, forKey: event.key)
    }

    /// The API server refused the Event for good: the next occurrence starts a new one instead
    /// of patching something that may not exist. The count is kept, so nothing is lost.
    mutating func forgetEventName(for key: EventAggregationKey) {
        guard var entry = entries.peek(key) else { return }
        entry.eventName = nil
        entry.writtenCount = 0
        entries.set(entry, forKey: key)
    }

    func entry(for key: EventAggregationKey) -> Entry? { entries.peek(key) }

    var trackedKeys: Int { entries.count }
    var capacity: Int { entries.capacity }

    private mutating func makeName(for key: EventAggregationKey, at timestamp: Date) -> String {
        // Clamped so no clock, however wrong, can overflow the conversion.
        let nanoseconds = min(max(0, timestamp.timeIntervalSince1970 * 1_000_000_000), 9.0e18)
        var stamp = UInt64(nanoseconds)
        if stamp <= lastNameStamp { stamp = lastNameStamp + 1 }
        lastNameStamp = stamp
        let base = key.involvedObject.name.isEmpty ? key.involvedObject.kind.lowercased() : key.involvedObject.name
        // metadata.name may hold 253 characters; the stamp takes at most 17 of them.
        return "\(base.prefix(236)).\(String(stamp, radix: 16))"
    }
}
