// Observability: the recorder's counters, their snapshot for tests and `serve --dev`, and the
// rate-limited log of dropped occurrences.

import Synchronization
import Metrics

/// The recorder's counters, reported through swift-metrics under `kube_injector_events_*` and
/// mirrored in an `EventRecorderStatistics` tally behind a lock (callers of `record` and the
/// worker both count).
final class EventRecorderMetrics: Sendable {
    private let queuedCounter: Counter
    private let coalescedCounter: Counter
    private let queueDepthGauge: Gauge
    private let createdCounter: Counter
    private let patchedCounter: Counter
    private let retriedCounter: Counter
    private let ownerLookupFailedCounter: Counter
    private let failedCounters: [String: Counter]
    private let droppedCounters: [DropReason: Counter]

    // Held only for a few additions, never across an await.
    private let tally = Mutex(EventRecorderStatistics())

    init(factory: MetricsFactory = MetricsSystem.factory) {
        queuedCounter = Counter(label: "kube_injector_events_queued_total", factory: factory)
        coalescedCounter = Counter(label: "kube_injector_events_coalesced_total", factory: factory)
        queueDepthGauge = Gauge(label: "kube_injector_events_queue_depth", factory: factory)
        createdCounter = Counter(label: "kube_injector_events_sent_total", factory: factory)
        patchedCounter = Counter(label: "kube_injector_events_patched_total", factory: factory)
        retriedCounter = Counter(label: "kube_injector_events_retried_total", factory: factory)
        ownerLookupFailedCounter = Counter(label: "kube_injector_events_owner_lookup_failures_total", factory: factory)
        failedCounters = Dictionary(uniqueKeysWithValues: ["refused", "exhausted"].map {
            ($0, Counter(label: "kube_injector_events_failed_total", dimensions: [("why", $0)], factory: factory))
        })
        droppedCounters = Dictionary(uniqueKeysWithValues: DropReason.allCases.map {
            ($0, Counter(label: "kube_injector_events_dropped_total", dimensions: [("why", $0.rawValue)], factory: factory))
        })
    }

    var statistics: EventRecorderStatistics {
        tally.withLock { $0 }
    }

    /// Called before an occurrence is offered to the queue, so the worker can never take or settle
    /// an occurrence the tally has not counted yet (which would let `outstanding` read 0 too early).
    func offering() {
        let depth = tally.withLock { tally in
            tally.outstanding += 1
            tally.queueDepth += 1
            return tally.queueDepth
        }
        queueDepthGauge.record(depth)
    }

    /// The queue took the occurrence `offering()` announced; `coalesced` when it only added to the
    /// count of an entry already waiting.
    func queued(coalesced: Bool) {
        queuedCounter.increment()
        if coalesced { coalescedCounter.increment() }
        tally.withLock { tally in
            tally.queued += 1
            if coalesced { tally.coalesced += 1 }
        }
    }

    /// The queue refused the occurrence `offering()` announced.
    func refusedByQueue(_ why: DropReason) {
        droppedCounters[why]?.increment()
        let depth = tally.withLock { tally in
            tally.dropped[why, default: 0] += 1
            tally.outstanding -= 1
            tally.queueDepth -= 1
            return tally.queueDepth
        }
        queueDepthGauge.record(depth)
    }

    /// The worker took `entries` entries carrying `occurrences` occurrences off the queue.
    func takenFromQueue(entries: Int, occurrences: Int) {
        let depth = tally.withLock { tally in
            tally.batches += entries
            tally.queueDepth -= occurrences
            return tally.queueDepth
        }
        queueDepthGauge.record(depth)
    }

    /// A dry run: never offered to the queue, so never outstanding.
    func droppedDryRun() {
        droppedCounters[.dryRun]?.increment()
        tally.withLock { tally in tally.dropped[.dryRun, default: 0] += 1 }
    }

    /// Dropped after it was queued: settles `occurrences` outstanding ones.
    func dropped(_ why: DropReason, occurrences: Int) {
        droppedCounters[why]?.increment(by: occurrences)
        tally.withLock { tally in
            tally.dropped[why, default: 0] += occurrences
            tally.outstanding -= occurrences
        }
    }

    func created(settling occurrences: Int) {
        createdCounter.increment()
        tally.withLock { tally in
            tally.created += 1
            tally.outstanding -= occurrences
        }
    }

    func patched(settling occurrences: Int) {
        patchedCounter.increment()
        tally.withLock { tally in
            tally.patched += 1
            tally.outstanding -= occurrences
        }
    }

    /// A GET of a pod's ReplicaSet or Job failed (it is retried, or the Event goes on the direct owner).
    func ownerLookupFailed() {
        ownerLookupFailedCounter.increment()
    }

    func retried() {
        retriedCounter.increment()
        tally.withLock { tally in tally.retried += 1 }
    }

    /// A write given up for good. Its occurrences stay in the correlator's count (a later write
    /// may still carry them), but they are settled as far as this write goes.
    func failed(refused: Bool, settling occurrences: Int) {
        failedCounters[refused ? "refused" : "exhausted"]?.increment()
        tally.withLock { tally in
            tally.failed += 1
            tally.outstanding -= occurrences
        }
    }
}
