import EventRecorder
import Foundation
import KubeClient
import Logging
import MetricsTestKit
import ScaleForwarder
import ServiceLifecycle
import TestSupport
import XCTest

/// One kube-injector replica's forwarding side, run the way `serve` runs it: a ServiceGroup of
/// recorder, elector and forwarder, against the fake API server and the fake sink.
final class ForwarderReplica: @unchecked Sendable {
    let identity: String
    let elector: LeaderElector
    let group: ServiceGroup
    let task: Task<Void, Error>
    /// This replica's own metrics (elector and forwarder), read by the tests instead of its log.
    let metrics = TestMetrics()

    init(identity: String, client: KubernetesClient, sink: FakeSink, logs: CapturedLog,
         configure: (inout ScaleForwarderOptions) -> Void = { _ in }) {
        self.identity = identity
        var options = ScaleForwarderOptions(identity: identity, leaseNamespace: "kube-injector")
        options.allowHTTP = false
        options.sinkCertificateAuthorityPEM = sink.certificateAuthorityPEM
        // Short timings so a takeover happens in seconds; the algorithm is the same.
        options.leaderElection.leaseDuration = .seconds(3)
        options.leaderElection.renewDeadline = .seconds(2)
        options.leaderElection.retryPeriod = .milliseconds(300)
        options.retry.backoff = Backoff(initial: .milliseconds(50), cap: .milliseconds(400), jitter: 0.5)
        options.requestTimeout = .seconds(5)
        configure(&options)
        let logger = logs.logger("forwarder-\(identity)")
        let recorder = EventRecorder(client: client, logger: logs.logger("recorder-\(identity)"))
        let (elector, forwarder) = ScaleForwarder.services(client: client, recorder: recorder, options: options,
                                                           logger: logger, metricsFactory: metrics)
        self.elector = elector
        group = ServiceGroup(services: [recorder, elector, forwarder], logger: logger)
        let group = group
        task = Task { try await group.run() }
    }

    /// Scales this replica chose not to send, for `reason` (one of ScaleForwarderMetrics.dropReasons).
    func dropped(_ reason: String) -> Int64 {
        metrics.counterTotal(label: "kube_injector_hpa_scales_dropped_total", dimensions: [("reason", reason)])
    }

    /// A graceful stop, as on SIGTERM: forwarder first, then the elector releases the Lease.
    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}
