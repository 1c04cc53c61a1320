/// Every knob of the HPA scale forwarder, with its default written down.
public struct ScaleForwarderOptions: Sendable {
    /// Namespaces whose Secrets an HPA in another namespace may name (`"*"`: any). Default: none,
    /// so an HPA can only use a Secret in its own namespace.
    public var allowedSecretNamespaces: Set<String> = []
    /// Permit `http://` sink URLs. Default: false, https only.
    public var allowHTTP: Bool = false
    /// Event reasons that are scales to forward. Default: `SuccessfulRescale`; add `FailedRescale`
    /// to forward failed attempts too.
    public var reasons: Set<String> = ["SuccessfulRescale"]
    /// Namespace to watch; nil watches all namespaces (the default).
    public var namespace: String?

    /// Scales waiting per sink before new ones are dropped (and counted). Default 100. Each sink
    /// has one delivery in flight, so its scales arrive in order; sinks do not wait for each other.
    public var queueCapacityPerSink: Int = 100
    /// Timeout of one request to a sink. Default 10 s.
    public var requestTimeout: Duration = .seconds(10)
    public var retry: DeliveryRetryPolicy = .init()
    /// How long a sink Secret is reused before it is read again. Default 30 s.
    public var secretCacheTTL: Duration = .seconds(30)
    /// CA bundle for sink certificates; nil uses the system trust store. Default nil.
    public var sinkCertificateAuthorityPEM: String?

    /// How long the checkpoint remembers an Event: the API server keeps Events for 1 h after
    /// their last update. Default 1 h.
    public var checkpointRetention: Duration = .seconds(3600)
    /// Most Events the checkpoint keeps (the Lease annotation must stay small). Default 2,000.
    public var checkpointCapacity: Int = 2000

    public var leaderElection: LeaderElectionOptions

    /// `identity` names this replica in the Lease (the pod name is a good choice).
    public init(identity: String, leaseNamespace: String) {
        leaderElection = LeaderElectionOptions(identity: identity, leaseNamespace: leaseNamespace)
    }
}

/// The Lease that picks the one replica that forwards, with client-go's default timings.
public struct LeaderElectionOptions: Sendable {
    /// Default `kube-injector-hpa-forwarder`.
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
