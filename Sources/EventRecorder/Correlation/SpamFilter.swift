import KubeClient

/// Limits how often Events about one object and reason may be written to the API server, so
/// one broken object cannot flood it (client-go's defaults: a burst of 25, then one per
/// 5 minutes). It limits writes, not occurrences: the correlator keeps counting what the filter
/// holds back, and the next write that passes carries the full count.
struct SpamFilter: Sendable {
    private var buckets: LRUCache<SpamFilterKey, TokenBucket>
    let burst: Int
    let refillInterval: Duration

    init(burst: Int, refillInterval: Duration, capacity: Int) {
        self.burst = burst
        self.refillInterval = refillInterval
        self.buckets = LRUCache(capacity: capacity)
    }

    /// Takes a token for `key`; false means this write must wait.
    mutating func allow(_ key: SpamFilterKey, now: ContinuousClock.Instant) -> Bool {
        var bucket = buckets.value(forKey: key) ?? TokenBucket(burst: burst, refillInterval: refillInterval, now: now)
        let allowed = bucket.take(now: now)
        buckets.set(bucket, forKey: key)
        return allowed
    }

    /// When `key` may write again; a key the filter does not know may write at once.
    func nextWrite(for key: SpamFilterKey, now: ContinuousClock.Instant) -> ContinuousClock.Instant {
        buckets.peek(key)?.nextTokenAt ?? now
    }

    var trackedKeys: Int { buckets.count }
}
