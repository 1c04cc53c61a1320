import Admission
import EventRecorder
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KubeClient
import Logging
import Metrics
import ScaleForwarder
import ServiceLifecycle
import WebhookServer

/// The parts of `serve` that talk to the Kubernetes API server: the Event recorder that turns
/// failed injections into Warning Events, the caches of Namespaces, ResourceQuotas and LimitRanges
/// the reviews are checked against, and the HPA scale forwarder. Without a cluster (`--dev`, or no
/// kubeconfig and no service account) Events go to the log, nothing is checked against the
/// cluster, and the forwarder stays off.
struct ClusterServices {
    /// What the webhook hands its failure records to.
    var failureReporter: FailureReporter
    /// In start order; ServiceGroup stops them in reverse, so the forwarder stops first, the
    /// elector then releases the Lease with the last checkpoint, and the recorder flushes last.
    var services: [any Service]
    /// Namespace labels, quotas and LimitRanges for the reviews; nil without a cluster, and then
    /// pods are injected without the Pod Security and quota checks.
    var clusterState: ClusterStateStore?
    /// `/healthz/leader` on the metrics listener while the forwarder runs.
    var healthChecks: [String: @Sendable () -> Bool] = [:]

    init(options: ServeOptions, logger: Logger, readiness: WebhookReadiness = WebhookReadiness(),
         environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard let configuration = try Self.clientConfiguration(options: options, environment: environment) else {
            if !options.development {
                logger.warning("no Kubernetes API server configured (no --kubeconfig, KUBECONFIG, ~/.kube/config or service account): Events go to the log, the HPA forwarder is off")
            }
            failureReporter = EventFailureReporter(events: LoggingEventRecorder(logger: logger))
            services = []
            return
        }
        let client: KubernetesClient
        do {
            client = try KubernetesClient(configuration: configuration)
        } catch {
            throw ServeUsageError("Kubernetes client for \(configuration.server): \(error)")
        }
        // The pod's own name and namespace come from the downward API in the chart.
        let identity = environment["POD_NAME"].flatMap { $0.isEmpty ? nil : $0 } ?? ProcessInfo.processInfo.hostName
        let namespace = environment["POD_NAMESPACE"].flatMap { $0.isEmpty ? nil : $0 } ?? client.namespace

        var recorderOptions = EventRecorderOptions()
        recorderOptions.reportingInstance = identity
        let recorder = EventRecorder(client: client, options: recorderOptions,
                                     logger: Logger(label: "kube-injector.events"))
        failureReporter = EventFailureReporter(events: recorder)
        let caches = ClusterStateCache(client: client, readiness: readiness, logger: Logger(label: "kube-injector.cluster-state"))
        clusterState = caches.store
        services = [recorder, caches]
        logger.info("Event recorder on", metadata: ["server": "\(configuration.server)", "instance": "\(identity)"])

        guard options.hpaForwarderEnabled else { return }
        var forwarderOptions = ScaleForwarderOptions(identity: identity, leaseNamespace: namespace)
        forwarderOptions.allowedSecretNamespaces = options.hpaAllowedSecretNamespaces
        forwarderOptions.allowHTTP = options.hpaAllowHTTP
        forwarderOptions.sinkCertificateAuthorityPEM = options.hpaSinkCertificateAuthorityPEM
        if let leaseName = options.leaseName { forwarderOptions.leaderElection.leaseName = leaseName }
        let (elector, forwarder) = ScaleForwarder.services(
            client: client, recorder: recorder, options: forwarderOptions,
            logger: Logger(label: "kube-injector.hpa-forwarder"))
        services += [elector, forwarder]
        healthChecks["/healthz/leader"] = { elector.isHealthy() }
        logger.info("HPA forwarder on", metadata: [
            "lease": "\(namespace)/\(forwarderOptions.leaderElection.leaseName)", "identity": "\(identity)",
        ])
    }

    /// `--dev` uses a cluster only when `--kubeconfig` names one, so a newcomer's ~/.kube/config
    /// is never written to by the demo.
    private static func clientConfiguration(options: ServeOptions, environment: [String: String]) throws -> ClientConfiguration? {
        if options.development && options.kubeconfigPath == nil { return nil }
        do {
            return try ClientConfiguration.discover(explicitPath: options.kubeconfigPath, environment: environment)
        } catch {
            throw ServeUsageError("\(options.kubeconfigPath.map { "--kubeconfig \($0)" } ?? "Kubernetes client configuration"): \(error)")
        }
    }
}
