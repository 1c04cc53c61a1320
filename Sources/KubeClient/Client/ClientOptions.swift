/// Knobs of a KubernetesClient, with client-go's defaults where it has them.
public struct ClientOptions: Sendable {
    /// Sustained requests per second the client allows itself (token bucket refill rate).
    public var qps: Double = 20
    /// Requests that may go at once after a quiet period (token bucket size).
    public var burst: Int = 30
    /// Whole-request deadline for everything but watches (a watch lasts its timeoutSeconds plus a margin).
    public var requestTimeout: Duration = .seconds(10)
    /// Deadline for the TCP and TLS handshake.
    public var connectTimeout: Duration = .seconds(5)
    public var userAgent: String = "kube-injector"

    public init(qps: Double = 20, burst: Int = 30, requestTimeout: Duration = .seconds(10),
                connectTimeout: Duration = .seconds(5), userAgent: String = "kube-injector") {
        self.qps = qps
        self.burst = burst
        self.requestTimeout = requestTimeout
        self.connectTimeout = connectTimeout
        self.userAgent = userAgent
    }
}
