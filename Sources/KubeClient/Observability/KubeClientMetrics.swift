import Metrics

/// The API-server metrics every KubernetesClient reports through swift-metrics:
/// `kube_injector_apiserver_requests_total{resource,verb,code}` (code: the HTTP status, or `error` when no
/// answer came) and `kube_injector_apiserver_request_duration_seconds{resource,verb}` (a histogram).
public struct KubeClientMetrics: Sendable {
    public static let requestsLabel = "kube_injector_apiserver_requests_total"
    public static let durationLabel = "kube_injector_apiserver_request_duration_seconds"

    let factory: any MetricsFactory

    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
    }

    func requestEnded(_ target: APIRequestTarget, code: Int?, duration: Duration) {
        let codeLabel = code.map(String.init) ?? "error"
        Counter(label: Self.requestsLabel,
                dimensions: [("resource", target.resource), ("verb", target.verb), ("code", codeLabel)],
                factory: factory).increment()
        // A watch lasts minutes by design; its duration says nothing about the API server's latency.
        guard target.verb != "watch" else { return }
        let (seconds, attoseconds) = duration.components
        Timer(label: Self.durationLabel, dimensions: [("resource", target.resource), ("verb", target.verb)],
              preferredDisplayUnit: .seconds, factory: factory)
            .recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
