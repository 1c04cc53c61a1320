/// How patiently one kind of request is retried: at most `maxTries` attempts in all, waiting `backoff` between
/// them, and honouring a server's Retry-After as a lower bound up to `retryAfterLimit`. Which errors are worth
/// retrying is the caller's business; how long to wait is decided here only. Every caller's policy is declared
/// in `RetryPolicy+Callers.swift`.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first included.
    public var maxTries: Int
    public var backoff: Backoff
    /// A Retry-After longer than this is cut to it, so one answer cannot park a request for hours.
    public var retryAfterLimit: Duration

    public init(maxTries: Int, backoff: Backoff, retryAfterLimit: Duration) {
        self.maxTries = max(1, maxTries)
        self.backoff = backoff
        self.retryAfterLimit = retryAfterLimit
    }

    /// The same with the backoff spelled out; `jitter` as in `Backoff`.
    public init(maxTries: Int, initialBackoff: Duration, maxBackoff: Duration, jitter: Double = 0.5,
                retryAfterLimit: Duration = .seconds(60)) {
        self.init(maxTries: maxTries, backoff: Backoff(initial: initialBackoff, cap: maxBackoff, jitter: jitter),
                  retryAfterLimit: retryAfterLimit)
    }

    /// Whether attempt number `attempt` (1 for the first) may be followed by another.
    public func allowsRetry(afterAttempt attempt: Int) -> Bool {
        attempt < maxTries
    }

    /// The wait after failed attempt number `attempt` (1 for the first); `random` in 0...1 for the jitter.
    /// A Retry-After longer than the backoff replaces it, up to `retryAfterLimit`; a shorter one does not
    /// shorten it.
    public func delay(afterAttempt attempt: Int, random: Double, retryAfter: Duration? = nil) -> Duration {
        let wait = backoff.delay(failures: attempt, random: random)
        if let retryAfter, retryAfter > wait {
            return min(retryAfter, retryAfterLimit)
        }
        return wait
    }
}
