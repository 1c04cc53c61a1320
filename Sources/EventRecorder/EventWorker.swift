import Foundation

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

    func accept(_ occurrence: Occurrence) -> EventBacklog.AcceptResult {
        backlog.accept(occurrence, now: ContinuousClock.now)
    }

    func failure(for key: PodFailureKey) -> FailureReport? {
        backlog.failure(for: key)
    }

    func ownerResolved(_ key: PodFailureKey, as object: InvolvedObjectIdentity) {
        backlog.ownerResolved(key, as: object, now: ContinuousClock.now)
    }

    func startWrite(_ key: EventCorrelator.Key) -> EventBacklog.WriteStart {
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

    func refused(_ key: EventCorrelator.Key) {
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
