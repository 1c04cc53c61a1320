/// The Lease that picks one replica of many to act, with client-go's default timings.
public struct LeaderElectionOptions: Sendable {
    /// Default `kube-injector-hpa-forwarder`; the chart passes `<release>-hpa-forwarder`, so two releases in
    /// one namespace never share a Lease.
    public var leaseName: String = "kube-injector-hpa-forwarder"
    public var leaseNamespace: String
    public var identity: String
    /// How long a Lease not renewed stays someone else's. Default 15 s.
    public var leaseDuration: Duration = .seconds(15)
    /// The leader stops forwarding when it could not renew for this long. Default 10 s.
    public var renewDeadline: Duration = .seconds(10)
    /// Time between attempts to acquire or renew. Default 2 s.
    public var retryPeriod: Duration = .seconds(2)
    /// Give the Lease up on shutdown so another replica takes over at once. Default true.
    public var releaseOnShutdown: Bool = true

    public init(identity: String, leaseNamespace: String) {
        self.identity = identity
        self.leaseNamespace = leaseNamespace
    }
}
