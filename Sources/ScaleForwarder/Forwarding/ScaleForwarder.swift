// Forwarding: the Service that runs while this replica holds the Lease, the term that watches
// HPA Events and turns them into scales, and its options and metrics.

import EventRecorder
import KubeClient
import Metrics
import KubernetesAPI
import Logging
import ServiceLifecycle

/// Sends every scale of an annotated HorizontalPodAutoscaler to the observability tool its Secret
/// names, once, while this replica holds the Lease. A Service: add the `LeaderElector` it was made
/// with to the same ServiceGroup, before it.
public final class ScaleForwarder: Service {
    /// The Warning Event reason on an HPA whose scale could not be sent.
    public static let failureReason = "ScaleEventForwardFailed"

    private let context: ScaleForwardingTerm.Context

    /// `recorder` receives the Warning Events; `elector` decides when this replica forwards.
    public init(client: KubernetesClient, recorder: any EventRecording, elector: LeaderElector,
                options: ScaleForwarderOptions, logger: Logger = Logger(label: "kube-injector.hpa-forwarder"),
                transport: HTTPTransport = HTTPTransport(), metricsFactory: any MetricsFactory = MetricsSystem.factory) {
        let metrics = ScaleForwarderMetrics(factory: metricsFactory)
        context = ScaleForwardingTerm.Context(
            client: client, recorder: recorder, elector: elector, options: options, logger: logger,
            delivery: SinkDelivery(transport: transport, policy: options.retry, timeout: options.requestTimeout,
                                   certificateAuthorityPEM: options.sinkCertificateAuthorityPEM, metrics: metrics),
            metrics: metrics)
        // On /metrics from the start, also on a replica that is not leading.
        Reflector<Event>.registerMetrics(path: ScaleForwardingTerm.eventsPath(options))
    }

    /// The elector and forwarder for `options`, ready to add to a ServiceGroup in this order.
    public static func services(client: KubernetesClient, recorder: any EventRecording, options: ScaleForwarderOptions,
                                logger: Logger = Logger(label: "kube-injector.hpa-forwarder"),
                                transport: HTTPTransport = HTTPTransport(),
                                metricsFactory: any MetricsFactory = MetricsSystem.factory)
        -> (elector: LeaderElector, forwarder: ScaleForwarder)
    {
        let elector = LeaderElector(client: client, options: options.leaderElection, logger: logger,
                                    metricsFactory: metricsFactory)
        let forwarder = ScaleForwarder(client: client, recorder: recorder, elector: elector, options: options,
                                       logger: logger, transport: transport, metricsFactory: metricsFactory)
        return (elector, forwarder)
    }

    /// Forwards during each leadership term; returns on shutdown.
    public func run() async throws {
        var term: Task<Void, Never>?
        for await change in context.elector.leadershipChanges.cancelOnGracefulShutdown() {
            // Whatever the change, the old term ends first: never two terms at once.
            if let ending = term {
                ending.cancel()
                await ending.value
                term = nil
                context.logger.info("forwarding term ended: no more scales are sent by this replica")
            }
            if case .started(let annotations) = change {
                let current = ScaleForwardingTerm(context: context, leaseAnnotations: annotations)
                term = Task { await current.run() }
            }
        }
        term?.cancel()
        await term?.value
    }
}
