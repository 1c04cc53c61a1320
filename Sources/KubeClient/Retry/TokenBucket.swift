/// Client-side rate limit (client-go's flowcontrol token bucket): `burst` requests at once, then `qps` per
/// second. A request reserves a token and is told how long to wait for it; tokens can go negative, so waiters
/// queue up in arrival order without a lock held while they sleep.
struct TokenBucket: Sendable {
    let qps: Double
    let burst: Double
    private var tokens: Double
    private var last: ContinuousClock.Instant

    init(qps: Double, burst: Int, now: ContinuousClock.Instant) {
        self.qps = qps
        self.burst = Double(max(1, burst))
        self.tokens = Double(max(1, burst))
        self.last = now
    }

    /// Takes one token; returns how long the caller must wait before using it (zero when one was ready).
    mutating func reserve(now: ContinuousClock.Instant) -> Duration {
        guard qps > 0 else { return .zero }   // qps 0 or less: no limit
        let elapsed = now - last
        if elapsed > .zero {
            tokens = min(burst, tokens + elapsed.seconds * qps)
            last = now
        }
        tokens -= 1
        if tokens >= 0 { return .zero }
        return .seconds(-tokens / qps)
    }
}

extension Duration {
    /// Fractional seconds, for arithmetic with rates.
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
