// Worker: what happens after the queue. The backlog of pod failures waiting for their owner and
// of Events waiting to be written, and the runners that look owners up and write.

import KubernetesAPI

/// Owns the backlog (and with it the correlator) for the worker's concurrent runners: every
/// decision about what is held and who works on what happens here, one at a time.
actor EventWorker {
    private var backlog: EventBacklog

    init(options: EventRecorderOptions) {
        let correlator = EventCorrelator(capacity: options.correlationCacheCapacity,
                                         spamBurst: options.spamBurst,
                                         spamRefillInterval: options.spamRefillInterval)
        backlog = EventBacklog(correlator: correlator, maxRunning: options.maxConcurrentWrites,
                               capacity: options.backlogCapacity, minimumWriteInterval: options.minimumWriteInterval)
    }

    /// A batch taken from the queue, in one hop: the runners to start, and how many occurrences
    /// the backlog had no room for.
    func accept(_ occurrences: [Occurrence]) -> (start: [EventBacklog.Job], droppedOccurrences: Int) {
        let now = ContinuousClock.now
        var start: [EventBacklog.Job] = []
        var dropped = 0
        for occurrence in occurrences {
            switch backlog.accept(occurrence, now: now) {
            case .start(let job): start.append(job)
            case .held: break
            case .dropped: dropped += occurrence.count
            }
        }
        return (start, dropped)
    }

    func failure(for key: PodFailureKey) -> FailureReport? {
        backlog.failure(for: key)
    }

    func ownerResolved(_ key: PodFailureKey, as object: ObjectIdentity) {
        backlog.ownerResolved(key, as: object, now: ContinuousClock.now)
    }

    func startWrite(_ key: EventAggregationKey) -> EventBacklog.WriteStart {
        backlog.startWrite(key, now: ContinuousClock.now)
    }

    func deferredWritesDue() -> [EventBacklog.Job] {
        backlog.deferredWritesDue(now: ContinuousClock.now)
    }

    func beginFinalFlush() -> [EventBacklog.Job] {
        backlog.beginFinalFlush()
    }

    func written(_ event: AggregatedEvent) {
        backlog.written(event)
    }

    func refused(_ key: EventAggregationKey) {
        backlog.refused(key)
    }

    func jobEnded(_ job: EventBacklog.Job) -> EventBacklog.Job? {
        backlog.jobEnded(job, now: ContinuousClock.now)
    }

    func abandon() -> Int {
        backlog.abandon()
    }

    var isIdle: Bool { backlog.isIdle }
}
