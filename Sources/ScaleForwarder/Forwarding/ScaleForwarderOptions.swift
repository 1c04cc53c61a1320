import KubeClient

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
    /// Retries of one delivery; see `RetryPolicy.sinkDelivery`.
    public var retry: RetryPolicy = .sinkDelivery
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
    /// How often the checkpoint may be written to the Lease: after each delivery's 2xx, batched to at most
    /// one write per this interval. Default 200 ms.
    public var checkpointInterval: Duration = .milliseconds(200)

    public init(identity: String, leaseNamespace: String) {
        leaderElection = LeaderElectionOptions(identity: identity, leaseNamespace: leaseNamespace)
    }
}
