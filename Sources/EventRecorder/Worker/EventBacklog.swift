import DequeModule
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KubernetesAPI

/// What the worker holds between the queue and the API server, and who works on what next.
/// Occurrences with the same key (already coalesced in the queue) coalesce further into one count while a write for that key is in
/// flight or waiting, so a storm of identical failures costs a few writes, not one each. At most
/// one job per key runs at a time and at most `maxRunning` jobs run at all; a job backing off
/// holds its slot, the others keep going. Pure: the worker (an actor) owns one and acts on
/// what it returns.
struct EventBacklog: Sendable {
    enum Job: Hashable, Sendable {
        /// Find the owning controller of the pods under this key.
        case resolveOwner(PodFailureKey)
        /// Write (create or PATCH) the Event for this key.
        case write(EventAggregationKey)
    }

    enum AcceptResult: Sendable, Equatable {
        /// Start a new runner for this job.
        case start(Job)
        /// Held; a runner already has it or will pick it up.
        case held
        /// The backlog holds `capacity` keys already.
        case dropped
    }

    /// What a write job should do.
    enum WriteStart: Sendable, Equatable {
        /// Deliver this; it settles `occurrences` outstanding occurrences.
        case deliver(EventDelivery.Operation, occurrences: Int)
        /// The spam filter held the write back; `occurrences` stay counted in the correlator.
        case suppressed(occurrences: Int)
        case nothing
    }

    struct PendingPod: Sendable {
        var failure: FailureReport
        var occurrences: Int
        var firstTimestamp: Date
        var lastTimestamp: Date
    }

    struct PendingWrite: Sendable {
        var occurrences: Int
        var firstTimestamp: Date
        var lastTimestamp: Date
    }

    private(set) var correlator: EventCorrelator
    private var pods: [PodFailureKey: PendingPod] = [:]
    private var writes: [EventAggregationKey: PendingWrite] = [:]
    /// Keys whose latest count the spam filter held back, and when a write may go again.
    private var deferred: [EventAggregationKey: ContinuousClock.Instant] = [:]
    /// Until when each recently written key stays quiet: repeats wait for the write interval.
    private var quietUntil: LRUCache<EventAggregationKey, ContinuousClock.Instant>
    /// Shutting down: held-back counts get one last write each, past the spam filter.
    private(set) var isFinalFlush = false
    private var ready: Deque<Job> = []
    /// Jobs that are waiting in `ready` or running.
    private var scheduled: Set<Job> = []
    private(set) var running = 0
    let maxRunning: Int
    let capacity: Int
    /// Repeats that arrive while a key's write is in flight wait this long after it before the
    /// next write, so a storm becomes a few PATCHes a minute rather than one per round trip.
    let minimumWriteInterval: Duration

    init(correlator: EventCorrelator, maxRunning: Int, capacity: Int, minimumWriteInterval: Duration = .zero) {
        self.correlator = correlator
        self.maxRunning = max(1, maxRunning)
        self.capacity = max(1, capacity)
        self.minimumWriteInterval = minimumWriteInterval
        self.quietUntil = LRUCache(capacity: correlator.capacity)
    }

    /// Keys holding occurrences not yet handed to a write.
    var heldKeys: Int { pods.count + writes.count }
    var isIdle: Bool { running == 0 && heldKeys == 0 }
    /// Keys with a held-back count waiting for the spam filter.
    var deferredKeys: Int { deferred.count }

    mutating func accept(_ occurrence: Occurrence, now: ContinuousClock.Instant = .now) -> AcceptResult {
        switch occurrence.subject {
        case .pod(let failure):
            let key = PodFailureKey(failure, message: occurrence.message)
            if var pending = pods[key] {
                pending.occurrences += occurrence.count
                pending.firstTimestamp = min(pending.firstTimestamp, occurrence.firstTimestamp)
                pending.lastTimestamp = max(pending.lastTimestamp, occurrence.lastTimestamp)
                pods[key] = pending
            } else {
                guard heldKeys < capacity else { return .dropped }
                pods[key] = PendingPod(failure: failure, occurrences: occurrence.count,
                                       firstTimestamp: occurrence.firstTimestamp, lastTimestamp: occurrence.lastTimestamp)
            }
            return schedule(.resolveOwner(key))
        case .object(let object):
            let key = EventAggregationKey(involvedObject: object, type: occurrence.type,
                                          reason: occurrence.reason, message: occurrence.message)
            guard add(occurrences: occurrence.count, from: occurrence.firstTimestamp, to: occurrence.lastTimestamp,
                      for: key) else { return .dropped }
            // A key waiting out its write interval or the spam filter keeps counting until then.
            guard deferred[key] == nil, !deferIfQuiet(key, now: now) else { return .held }
            return schedule(.write(key))
        }
    }

    /// The failure whose pod owner a `resolveOwner` job looks up.
    func failure(for key: PodFailureKey) -> FailureReport? {
        pods[key]?.failure
    }

    /// The owner of the pods under `key` is `object`: their occurrences now wait for a write to it.
    mutating func ownerResolved(_ key: PodFailureKey, as object: ObjectIdentity,
                                now: ContinuousClock.Instant = .now) {
        guard let pending = pods.removeValue(forKey: key) else { return }
        let writeKey = EventAggregationKey(involvedObject: object, type: key.type, reason: key.reason, message: key.message)
        // Merging into an existing key cannot grow the backlog; a new key replaces the pod key it came from.
        _ = add(occurrences: pending.occurrences, from: pending.firstTimestamp, to: pending.lastTimestamp,
                for: writeKey, force: true)
        if deferred[writeKey] == nil, !deferIfQuiet(writeKey, now: now) { enqueue(.write(writeKey)) }
    }

    /// Hands everything held for `key` to one write, through the correlator.
    mutating func startWrite(_ key: EventAggregationKey, now: ContinuousClock.Instant) -> WriteStart {
        guard let pending = writes.removeValue(forKey: key) else { return .nothing }
        deferred[key] = nil
        let decision = correlator.observe(key, occurrences: pending.occurrences, firstTimestamp: pending.firstTimestamp,
                                          timestamp: pending.lastTimestamp, now: now, bypassSpamFilter: isFinalFlush)
        switch decision {
        case .create(let event): return .deliver(.create(event), occurrences: pending.occurrences)
        case .patch(let event): return .deliver(.patch(event), occurrences: pending.occurrences)
        case .upToDate: return pending.occurrences > 0 ? .suppressed(occurrences: pending.occurrences) : .nothing
        case .suppressed(let occurrences, let retryAt):
            // Bounded like the correlator: past that, the count waits for the key's next occurrence.
            if deferred.count < correlator.capacity { deferred[key] = retryAt }
            return .suppressed(occurrences: occurrences)
        }
    }

    /// Deferred writes whose spam-filter token is back by `now`: returns the runners to start.
    mutating func deferredWritesDue(now: ContinuousClock.Instant) -> [Job] {
        let due = deferred.filter { $0.value <= now }.map(\.key)
        return due.compactMap { key in
            deferred[key] = nil
            return scheduleDeferredWrite(key)
        }
    }

    /// Shutdown: every held-back count gets its last write now, past the spam filter.
    mutating func beginFinalFlush() -> [Job] {
        isFinalFlush = true
        let keys = Array(deferred.keys)
        deferred = [:]
        return keys.compactMap { scheduleDeferredWrite($0) }
    }

    mutating func written(_ event: AggregatedEvent) {
        correlator.written(event)
    }

    mutating func refused(_ key: EventAggregationKey) {
        correlator.forgetEventName(for: key)
    }

    /// A runner finished `job` at `now`. Returns its next job, or nil when the runner should stop.
    mutating func jobEnded(_ job: Job, now: ContinuousClock.Instant = .now) -> Job? {
        scheduled.remove(job)
        // Occurrences that arrived while the job ran need another turn.
        switch job {
        case .resolveOwner(let key) where pods[key] != nil:
            enqueue(job)
        case .write(let key):
            if minimumWriteInterval > .zero { quietUntil.set(now + minimumWriteInterval, forKey: key) }
            if writes[key] != nil, deferred[key] == nil, !deferIfQuiet(key, now: now) { enqueue(job) }
        default:
            break
        }
        if let next = ready.popFirst() { return next }
        running -= 1
        return nil
    }

    /// Stops everything: returns how many occurrences were still held (to count as dropped).
    mutating func abandon() -> Int {
        let held = pods.values.reduce(0) { $0 + $1.occurrences } + writes.values.reduce(0) { $0 + $1.occurrences }
        pods = [:]
        writes = [:]
        deferred = [:]
        ready = []
        return held
    }

    private mutating func add(occurrences: Int, from first: Date, to last: Date, for key: EventAggregationKey,
                              force: Bool = false) -> Bool {
        if var pending = writes[key] {
            pending.occurrences += occurrences
            pending.firstTimestamp = min(pending.firstTimestamp, first)
            pending.lastTimestamp = max(pending.lastTimestamp, last)
            writes[key] = pending
            return true
        }
        guard force || heldKeys < capacity else { return false }
        writes[key] = PendingWrite(occurrences: occurrences, firstTimestamp: first, lastTimestamp: last)
        return true
    }

    /// Defers the write for `key` when the key was written less than the write interval ago.
    private mutating func deferIfQuiet(_ key: EventAggregationKey, now: ContinuousClock.Instant) -> Bool {
        guard !isFinalFlush, let quiet = quietUntil.peek(key), quiet > now else { return false }
        deferred[key] = quiet
        return true
    }

    private mutating func scheduleDeferredWrite(_ key: EventAggregationKey) -> Job? {
        if writes[key] == nil {
            guard let entry = correlator.entry(for: key) else { return nil }
            writes[key] = PendingWrite(occurrences: 0, firstTimestamp: entry.firstTimestamp, lastTimestamp: entry.lastTimestamp)
        }
        if case .start(let job) = schedule(.write(key)) { return job }
        return nil
    }

    /// Starts a new runner for `job` if there is room, else queues it for the next free runner.
    private mutating func schedule(_ job: Job) -> AcceptResult {
        guard !scheduled.contains(job) else { return .held }
        scheduled.insert(job)
        guard running < maxRunning else {
            ready.append(job)
            return .held
        }
        running += 1
        return .start(job)
    }

    /// Queues `job` for a runner that is already going (called from inside a runner).
    private mutating func enqueue(_ job: Job) {
        guard !scheduled.contains(job) else { return }
        scheduled.insert(job)
        ready.append(job)
    }
}
