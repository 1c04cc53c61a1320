/// A token bucket: holds up to `burst` tokens, gains one every `refillInterval`, and each
/// allowed write takes one. A plain value so the spam filter can keep thousands in an LRU.
struct TokenBucket: Sendable, Equatable {
    private(set) var tokens: Double
    private(set) var updatedAt: ContinuousClock.Instant
    let burst: Int
    let refillInterval: Duration

    /// A new bucket starts full: the first `burst` writes for an object always go through.
    init(burst: Int, refillInterval: Duration, now: ContinuousClock.Instant) {
        self.burst = max(0, burst)
        self.refillInterval = refillInterval
        self.tokens = Double(self.burst)
        self.updatedAt = now
    }

    /// Takes a token if one is available at `now`.
    mutating func take(now: ContinuousClock.Instant) -> Bool {
        refill(now: now)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }

    /// The bucket as it would be at `now`; a clock that went backwards adds nothing.
    mutating func refill(now: ContinuousClock.Instant) {
        guard now > updatedAt else { return }
        let interval = refillInterval / .seconds(1)
        if interval > 0 {
            let gained = (now - updatedAt) / .seconds(1) / interval
            tokens = min(Double(burst), tokens + gained)
        } else {
            tokens = Double(burst)
        }
        updatedAt = now
    }

    /// When the next token will be there (now or in the past if one is there already).
    var nextTokenAt: ContinuousClock.Instant {
        guard tokens < 1 else { return updatedAt }
        return updatedAt + refillInterval * (1 - tokens)
    }
}
