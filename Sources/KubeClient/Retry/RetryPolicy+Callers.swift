/// Every caller's retry policy and rate limit, in one place, with the reason for each number.
extension RetryPolicy {
    /// An Event create or PATCH: client-go's recorder tries 12 times; 0.5 s doubling to 30 s; Retry-After
    /// honoured up to 60 s. A write is background work, so patience costs nothing on the admission path.
    public static let eventWrite = RetryPolicy(maxTries: 12, initialBackoff: .milliseconds(500),
                                               maxBackoff: .seconds(30), jitter: 0.5, retryAfterLimit: .seconds(60))
    /// One scale sent to a sink: 6 tries, 0.5 s doubling to 30 s, Retry-After honoured up to 120 s (sinks
    /// throttle for longer than the API server does).
    public static let sinkDelivery = RetryPolicy(maxTries: 6, initialBackoff: .milliseconds(500),
                                                 maxBackoff: .seconds(30), jitter: 0.5,
                                                 retryAfterLimit: .seconds(120))
    /// Reading an HPA or a sink Secret for a scale: a few quick tries, then the scale is given back to the
    /// next sight of its Event.
    public static let forwarderLookup = RetryPolicy(maxTries: 3, initialBackoff: .seconds(1),
                                                    maxBackoff: .seconds(4), jitter: 0.2,
                                                    retryAfterLimit: .seconds(10))
}

extension Backoff {
    /// A Reflector's list or watch that failed, or a watch that ended within a second: client-go's
    /// reflector backs off 800 ms doubling to 30 s (NewExponentialBackoffManager with jitter 1.0).
    public static let reflector = Backoff(initial: .milliseconds(800), cap: .seconds(30), jitter: 1.0)
}
