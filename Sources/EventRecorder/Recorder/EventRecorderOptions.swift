import KubeClient

/// Every knob of the Event recorder, with its default written down. Tests shrink the
/// durations; `serve` sets `reportingInstance` to the webhook pod's name.
public struct EventRecorderOptions: Sendable {
    /// Distinct occurrences (pod owner or object, type, reason, message) waiting for the worker.
    /// A repeat of one already waiting only adds to its count; a new one is dropped (and counted)
    /// when the queue is full, so a storm costs memory up to this bound and never blocks a caller.
    /// Default 1,000.
    public var queueCapacity: Int = 1_000

    /// After taking what waits in the queue, the worker waits this long before taking again, so
    /// in a storm repeats pile up as counts instead of waking the worker for each request (on a
    /// busy core every wake-up is time the admission path does not get). The first occurrence
    /// after a quiet spell is still taken at once. Default 50 ms.
    public var queueTakeInterval: Duration = .milliseconds(50)

    /// Distinct (object, reason, message) keys, and pods awaiting owner lookup, the worker holds
    /// while writes are outstanding (for example while the API server is down). Each key holds any
    /// number of occurrences as one count; past this bound new keys are dropped and counted.
    /// Default 1,000.
    public var backlogCapacity: Int = 1_000

    /// After a write for a key, repeats that arrived meanwhile wait this long for the next one, so
    /// an ongoing storm costs a PATCH every interval per Event (the count still says every
    /// occurrence). The first occurrence is always written at once. Default 10 s.
    public var minimumWriteInterval: Duration = .seconds(10)

    /// Writes per involved object and reason that pass at once (client-go: 25).
    public var spamBurst: Int = 25
    /// One more write per object and reason is allowed every interval (client-go: 5 minutes).
    public var spamRefillInterval: Duration = .seconds(300)

    /// How often the worker looks for counts the spam filter held back whose token is back, and
    /// writes them. Default 1 s.
    public var deferredWriteCheckInterval: Duration = .seconds(1)

    /// Keys the correlator and the spam filter remember, least recently used forgotten first
    /// (client-go: 4,096).
    public var correlationCacheCapacity: Int = 4_096

    /// Retries of one write and of the owner lookup before it: `RetryPolicy.eventWrite` (12 tries, 0.5 s
    /// doubling to 30 s, jittered, Retry-After honoured up to 60 s).
    public var retry: RetryPolicy = .eventWrite

    /// Writes (and owner lookups) in flight at once. A write backing off holds one slot, so a few
    /// unlucky objects cannot stall everyone else's Events. Default 4.
    public var maxConcurrentWrites: Int = 4

    /// Event messages are cut to this many bytes of UTF-8 (1 KiB).
    public var messageLimit: Int = 1_024

    /// After graceful shutdown begins, how long the worker may keep writing what it holds before
    /// it stops and counts the rest as dropped. Default 5 s (Kubernetes gives a pod 30 s in all).
    public var shutdownFlushDeadline: Duration = .seconds(5)

    /// Drops are logged at most once per interval, with the count since the last line. Default 60 s.
    public var dropLogInterval: Duration = .seconds(60)

    /// source.component and reportingComponent.
    public var component: String = "kube-injector"
    /// reportingInstance: the webhook pod's name (the Downward API's metadata.name).
    public var reportingInstance: String = ""
    /// source.host, usually the node name; empty leaves it out.
    public var host: String = ""

    public init() {}
}
