/// Knobs of a KubernetesClient. The rate limit is client-go's rest.Config default (QPS 5, burst 10); the
/// Event recorder's writes are few (its own spam filter and aggregation see to that), and leader election
/// has a client and a limiter of its own, so the default need not be raised.
public struct ClientOptions: Sendable {
    /// Sustained requests per second the client allows itself (token bucket refill rate).
    public var qps: Double = RateLimits.clientQPS
    /// Requests that may go at once after a quiet period (token bucket size).
    public var burst: Int = RateLimits.clientBurst
    /// Whole-request deadline for everything but watches (a watch lasts its timeoutSeconds plus a margin).
    public var requestTimeout: Duration = .seconds(10)
    /// Deadline for the TCP and TLS handshake.
    public var connectTimeout: Duration = .seconds(5)
    public var userAgent: String = "kube-injector"
    /// Failed requests are logged at warning once per (resource, verb, code) per interval, with the count of
    /// those left out since. Default 30 s.
    public var failureLogInterval: Duration = .seconds(30)

    public init(qps: Double = RateLimits.clientQPS, burst: Int = RateLimits.clientBurst,
                requestTimeout: Duration = .seconds(10), connectTimeout: Duration = .seconds(5),
                userAgent: String = "kube-injector", failureLogInterval: Duration = .seconds(30)) {
        self.qps = qps
        self.burst = burst
        self.requestTimeout = requestTimeout
        self.connectTimeout = connectTimeout
        self.userAgent = userAgent
        self.failureLogInterval = failureLogInterval
    }
}
