import Metrics

/// The forwarder's metrics, all prefixed `kube_injector_hpa_`. Made from the factory it is given
/// (the process-wide one in `serve`), as the client's and the recorder's are, so a test reads its
/// own forwarder's counts without bootstrapping the process-wide metrics system.
struct ScaleForwarderMetrics: Sendable {
    let factory: any MetricsFactory
    /// Scales seen in HPA Events (one per count increment), whether or not they are sent.
    let seen: Counter
    let sent: Counter
    let retried: Counter
    /// Given up on after retries, or refused by the sink: each one also a Warning Event on the HPA.
    let failed: Counter
    /// Checkpoint writes to the Lease outside the regular renewals (after deliveries).
    let checkpointWrites: Counter
    /// From request to the sink's 2xx, retries included.
    let deliveryLatency: Timer

    /// What `dropped(_:)` is called with. Each series is made at start, at 0, so a rate or an
    /// alert sees the first drop too (a series that appears with its first increment has no "before").
    static let dropReasons = ["queue_full", "no_annotation", "sink_configuration", "hpa_not_found"]

    init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        seen = Counter(label: "kube_injector_hpa_scales_seen_total", factory: factory)
        sent = Counter(label: "kube_injector_hpa_scales_sent_total", factory: factory)
        retried = Counter(label: "kube_injector_hpa_scale_retries_total", factory: factory)
        failed = Counter(label: "kube_injector_hpa_scales_failed_total", factory: factory)
        checkpointWrites = Counter(label: "kube_injector_hpa_checkpoint_writes_total", factory: factory)
        deliveryLatency = Timer(label: "kube_injector_hpa_delivery_duration_seconds", preferredDisplayUnit: .seconds,
                                factory: factory)
        for why in Self.dropReasons { _ = dropped(why) }
    }

    /// Not sent, by why: one of `dropReasons`.
    func dropped(_ why: String) -> Counter {
        Counter(label: "kube_injector_hpa_scales_dropped_total", dimensions: [("reason", why)], factory: factory)
    }
}
