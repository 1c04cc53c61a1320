/// The one token bucket (client-go's flowcontrol token bucket): holds up to `burst` tokens and gains `qps`
/// per second. `reserve` is the client's rate limit (take a token now, told how long to wait for it; tokens
/// may go negative so waiters queue in arrival order without a lock held while they sleep); `take` is the
/// spam filter's (a token if one is there, else no). A plain value, so thousands fit in an LRU.
public struct TokenBucket: Sendable, Equatable {
    /// Tokens gained per second; zero or less (or infinite) means no limit.
    public let qps: Double
    public let burst: Int
    public private(set) var tokens: Double
    public private(set) var updatedAt: ContinuousClock.Instant

    /// A new bucket starts full.
    public init(qps: Double, burst: Int, now: ContinuousClock.Instant) {
        self.qps = qps
        self.burst = max(0, burst)
        self.tokens = Double(self.burst)
        self.updatedAt = now
    }

    /// One token every `refillInterval` (client-go's spam filter speaks in intervals, the client in QPS).
    public init(burst: Int, refillInterval: Duration, now: ContinuousClock.Instant) {
        let interval = refillInterval.seconds
        self.init(qps: interval > 0 ? 1 / interval : .infinity, burst: burst, now: now)
    }

    private var unlimited: Bool { qps <= 0 || !qps.isFinite }

    /// Takes one token; returns how long the caller must wait before using it (zero when one was ready).
    public mutating func reserve(now: ContinuousClock.Instant) -> Duration {
        guard !unlimited else { return .zero }
        refill(now: now)
        tokens -= 1
        if tokens >= 0 { return .zero }
        return .milliseconds(Int64((-tokens / qps * 1000).rounded(.up)))
    }

    /// Takes a token if one is there at `now`.
    public mutating func take(now: ContinuousClock.Instant) -> Bool {
        refill(now: now)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }

    /// The bucket as it would be at `now`; a clock that went backwards adds nothing.
    public mutating func refill(now: ContinuousClock.Instant) {
        guard now > updatedAt else { return }
        if qps > 0 && qps.isFinite {
            tokens = min(Double(burst), tokens + (now - updatedAt).seconds * qps)
        } else {
            tokens = Double(burst)
        }
        updatedAt = now
    }

    /// When the next token will be there (now or in the past if one is there already).
    public var nextTokenAt: ContinuousClock.Instant {
        guard tokens < 1, qps > 0, qps.isFinite else { return updatedAt }
        return updatedAt + .milliseconds(Int64(((1 - tokens) / qps * 1000).rounded(.up)))
    }
}

extension Duration {
    /// Fractional seconds, for arithmetic with rates.
    public var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
