import Metrics
import MetricsTestKit

/// The forwarder takes its metrics from swift-metrics' one process-wide factory, as `serve` sets it up, so
/// this test process bootstraps a TestMetrics once (no other test target bootstraps the metrics system).
/// Counters outlive a test: a test reads how much one grew while it ran, not its value.
enum ForwarderMetrics {
    static let shared: TestMetrics = {
        let metrics = TestMetrics()
        MetricsSystem.bootstrap(metrics)
        return metrics
    }()

    /// Scales the forwarder chose not to send, for `reason` (one of ScaleForwarderMetrics.dropReasons).
    static func dropped(_ reason: String) -> Int64 {
        shared.counterTotal(label: "kube_injector_hpa_scales_dropped_total", dimensions: [("reason", reason)])
    }
}
