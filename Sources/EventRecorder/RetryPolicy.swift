/// How often and how patiently a write (or an owner lookup) is retried: jittered exponential
/// backoff, `initialBackoff` doubling up to `maxBackoff`, at most `maxTries` attempts in all.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first included (client-go's 12).
    public var maxTries: Int
    public var initialBackoff: Duration
    public var maxBackoff: Duration
    /// A Retry-After longer than this is cut to it, so one answer cannot park a write for hours.
    public var retryAfterLimit: Duration

    public init(
        maxTries: Int = 12,
        initialBackoff: Duration = .milliseconds(500),
        maxBackoff: Duration = .seconds(30),
        retryAfterLimit: Duration = .seconds(60)
    ) {
        self.maxTries = maxTries
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.retryAfterLimit = retryAfterLimit
    }

    /// The wait after failed attempt number `attempt` (1 for the first). `jitter` in 0..<1 spreads
    /// the wait over the upper half of the backoff ("equal jitter"), so writers that failed together
    /// do not retry together yet none retries early. A Retry-After from the server is honoured as a
    /// lower bound, up to `retryAfterLimit`.
    public func delay(afterAttempt attempt: Int, jitter: Double, retryAfter: Duration? = nil) -> Duration {
        let doublings = min(max(0, attempt - 1), 30)
        var backoff = initialBackoff * (1 << doublings)
        if backoff > maxBackoff || backoff < .zero { backoff = maxBackoff }
        let spread = min(max(jitter, 0), 1)
        var delay = backoff / 2 + (backoff / 2) * spread
        if let retryAfter, retryAfter > delay {
            delay = min(retryAfter, retryAfterLimit)
        }
        return delay
    }
}
