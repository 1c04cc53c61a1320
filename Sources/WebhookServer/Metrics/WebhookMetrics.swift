import Admission
import CoreMetrics
import Prometheus

/// The webhook's metrics, all named `kube_injector_*`, created once per server through the given
/// swift-metrics factory (a `PrometheusMetricsFactory` in production, so `/metrics` can render
/// them). Safe to use from every event loop.
public final class WebhookMetrics: Sendable {
    private let injected: CoreMetrics.Counter
    private let skipped: CoreMetrics.Counter
    private let failedOpen: CoreMetrics.Counter
    private let error: CoreMetrics.Counter
    /// One counter per reason, made at start (so each series reads 0 before the first failure)
    /// and indexed by `position(of:)`: no label built per review.
    private let failedOpenByReason: [CoreMetrics.Counter]
    private let latency: CoreMetrics.Timer
    private let inFlight: CoreMetrics.Meter
    private let patchOperations: CoreMetrics.Counter
    private let handshakeFailures: CoreMetrics.Counter
    private let connectionsRejected: CoreMetrics.Counter
    private let metricsConnectionsRejected: CoreMetrics.Counter
    private let memoryTrims: CoreMetrics.Counter
    private let openConnections: CoreMetrics.Meter
    private let certificateExpiry: CoreMetrics.Gauge
    private let reloadSucceeded: CoreMetrics.Counter
    private let reloadFailed: CoreMetrics.Counter
    private let namespaceMisses: CoreMetrics.Counter

    public static let requestsLabel = "kube_injector_admission_requests_total"
    /// Failed-open reviews by `reason` (a `FailOpenReason` raw value); their sum equals
    /// `kube_injector_admission_requests_total{outcome="failed-open"}`.
    public static let failedOpenLabel = "kube_injector_admission_failed_open_total"
    public static let latencyLabel = "kube_injector_admission_duration_seconds"
    /// Pods injected without the Pod Security and quota checks because their namespace was not
    /// in the namespace cache yet.
    public static let namespaceMissesLabel = "kube_injector_namespace_cache_misses_total"

    /// Histogram buckets for the review latency: admission takes microseconds, so the default
    /// Prometheus buckets (5 ms and up) would put everything in the first one.
    public static let latencyBuckets: [Duration] = [
        .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500),
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
        .milliseconds(25), .milliseconds(100), .milliseconds(500), .seconds(1),
    ]

    /// A factory over `registry` with the latency buckets set; use it for `init(factory:)` and,
    /// if you like, for `MetricsSystem.bootstrap`.
    public static func prometheusFactory(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets[latencyLabel] = latencyBuckets
        return factory
    }

    public init(factory: MetricsFactory) {
        func requests(_ outcome: AdmissionOutcome.Result) -> CoreMetrics.Counter {
            CoreMetrics.Counter(label: Self.requestsLabel, dimensions: [("outcome", outcome.rawValue)], factory: factory)
        }
        injected = requests(.injected)
        skipped = requests(.skipped)
        failedOpen = requests(.failedOpen)
        error = requests(.error)
        failedOpenByReason = FailOpenReason.allCases.sorted { Self.position(of: $0) < Self.position(of: $1) }.map {
            CoreMetrics.Counter(label: Self.failedOpenLabel, dimensions: [("reason", $0.rawValue)], factory: factory)
        }
        latency = CoreMetrics.Timer(label: Self.latencyLabel, factory: factory)
        inFlight = CoreMetrics.Meter(label: "kube_injector_admission_in_flight", factory: factory)
        patchOperations = CoreMetrics.Counter(label: "kube_injector_admission_patch_operations_total", factory: factory)
        handshakeFailures = CoreMetrics.Counter(label: "kube_injector_tls_handshake_failures_total", factory: factory)
        connectionsRejected = CoreMetrics.Counter(label: "kube_injector_connections_rejected_total", factory: factory)
        metricsConnectionsRejected = CoreMetrics.Counter(label: "kube_injector_metrics_connections_rejected_total", factory: factory)
        memoryTrims = CoreMetrics.Counter(label: "kube_injector_memory_trims_total", factory: factory)
        openConnections = CoreMetrics.Meter(label: "kube_injector_open_connections", factory: factory)
        certificateExpiry = CoreMetrics.Gauge(label: "kube_injector_serving_certificate_expiry_timestamp_seconds", factory: factory)
        reloadSucceeded = CoreMetrics.Counter(label: "kube_injector_certificate_reloads_total", dimensions: [("result", "success")], factory: factory)
        reloadFailed = CoreMetrics.Counter(label: "kube_injector_certificate_reloads_total", dimensions: [("result", "failure")], factory: factory)
        namespaceMisses = CoreMetrics.Counter(label: Self.namespaceMissesLabel, factory: factory)
    }

    func reviewStarted() {
        inFlight.increment()
    }

    func reviewFinished(
        _ result: AdmissionOutcome.Result, failOpenReason: FailOpenReason? = nil, patchOperations operations: Int, nanoseconds: Int64
    ) {
        inFlight.decrement()
        switch result {
        case .injected: injected.increment()
        case .skipped: skipped.increment()
        case .failedOpen:
            failedOpen.increment()
            // An outcome built without a reason still counts, so the reasons sum to the outcome.
            failedOpenByReason[Self.position(of: failOpenReason ?? .internalError)].increment()
        case .error: error.increment()
        }
        if operations > 0 { patchOperations.increment(by: Int64(operations)) }
        latency.recordNanoseconds(nanoseconds)
    }

    /// The reason's place in `failedOpenByReason`, by a switch rather than a search or a hash.
    private static func position(of reason: FailOpenReason) -> Int {
        switch reason {
        case .malformedPod: 0
        case .unknownProfile: 1
        case .injectionConflict: 2
        case .patchSelfCheck: 3
        case .invalidPod: 4
        case .podSecurity: 5
        case .resourceQuota: 6
        case .internalError: 7
        }
    }

    /// A review that started but was not answered (connection lost, body too large).
    func reviewAbandoned() {
        inFlight.decrement()
    }

    func namespaceUnknown() {
        namespaceMisses.increment()
    }

    func tlsHandshakeFailed() {
        handshakeFailures.increment()
    }

    func connectionOpened() {
        openConnections.increment()
    }

    func connectionClosed() {
        openConnections.decrement()
    }

    func connectionRejected() {
        connectionsRejected.increment()
    }

    /// A connection to the metrics listener closed because of its cap.
    func metricsConnectionRejected() {
        metricsConnectionsRejected.increment()
    }

    /// Freed heap memory was handed back to the kernel after a spike.
    func memoryTrimmed() {
        memoryTrims.increment()
    }

    func servingCertificate(expiresAt secondsSinceEpoch: Int64) {
        certificateExpiry.record(secondsSinceEpoch)
    }

    func certificateReloaded(succeeded: Bool) {
        (succeeded ? reloadSucceeded : reloadFailed).increment()
    }
}
