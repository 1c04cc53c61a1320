import Admission
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KubeClient
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import WebhookServer

/// The one place `serve` is put together: configuration and certificates loaded, the webhook's
/// parts built, and the ServiceGroup assembled. To wire more in, set `failureReporter` (the
/// Event recorder) and append to `backgroundServices` (the recorder, the HPA forwarder) before
/// calling `makeServiceGroup()`.
struct ServeAssembly {
    let options: ServeOptions
    let logger: Logger
    let registry: PrometheusCollectorRegistry
    let metricsFactory: PrometheusMetricsFactory
    let metrics: WebhookMetrics
    let readiness = WebhookReadiness()
    let certificates: ServingCertificateStore
    let controller: AdmissionController
    /// Set with `--dev`: the in-memory certificate, so `serve` can print how to trust it.
    let developmentCertificate: DevelopmentCertificate?
    /// Who hears about pods admitted unchanged because our own logic failed. Logs by default.
    var failureReporter: FailureReporter
    /// The cluster state reviews are checked against (Pod Security, quotas); nil without a cluster.
    var clusterState: ClusterStateStore?
    /// Services that must outlive the webhook on shutdown (they stop after it has drained), e.g.
    /// the Event recorder, which must still deliver what the last requests reported.
    var backgroundServices: [any Service] = []
    /// Extra health endpoints on the metrics listener, by path (`/healthz/leader`).
    var healthChecks: [String: @Sendable () -> Bool] = [:]

    /// Loads the injection configuration and the certificate; errors are `ServeUsageError`s
    /// naming the file and the problem.
    init(options: ServeOptions, logger: Logger, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) throws {
        self.options = options
        self.logger = logger
        self.registry = registry
        metricsFactory = WebhookMetrics.prometheusFactory(registry: registry)
        metrics = WebhookMetrics(factory: metricsFactory)

        let configuration: InjectionConfig
        if let path = options.configPath {
            let yaml: String
            do {
                yaml = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw ServeUsageError("--config \(path): cannot read the file (\(FileReadFailure.reason(error)))")
            }
            do {
                configuration = try InjectionConfig.load(yaml: yaml, source: path)
            } catch let error as InjectionConfigError {
                // Every problem, one per line, each naming the file and line: nothing listens.
                throw ServeUsageError("--config \(path) is invalid (\(error.allErrors.count) problem(s)):\n\(error)")
            } catch {
                throw ServeUsageError("--config \(path): \(error)")
            }
        } else if options.development {
            configuration = InjectionConfig.demo
        } else {
            throw ServeUsageError("--config is required (or --dev for the built-in demo configuration)")
        }
        controller = AdmissionController(configuration: configuration)

        if let files = options.certificateFiles {
            developmentCertificate = nil
            do {
                certificates = ServingCertificateStore(try files.makeContext())
            } catch {
                throw ServeUsageError("\(error)")
            }
        } else {
            do {
                let certificate = try DevelopmentCertificate(hostName: "localhost", ipAddress: "127.0.0.1")
                developmentCertificate = certificate
                certificates = ServingCertificateStore(try certificate.makeContext())
            } catch {
                throw ServeUsageError("--dev: \(error)")
            }
        }
        failureReporter = LoggingFailureReporter(logger: logger)
    }

    var webhookConfiguration: WebhookServerConfiguration {
        var configuration = WebhookServerConfiguration(host: options.listenHost, port: options.listenPort)
        configuration.drainPeriod = options.drainPeriod
        configuration.maxInFlightBodyBytes = options.maxInflightBodyBytes
        return configuration
    }

    /// Order matters: on SIGTERM services stop in reverse, so the webhook (last) drains first
    /// while metrics, the certificate reloader and the background services keep running.
    func makeServiceGroup() -> (ServiceGroup, WebhookServer) {
        let server = WebhookServer(
            configuration: webhookConfiguration, controller: controller, reporter: failureReporter,
            certificates: certificates, metrics: metrics, readiness: readiness, clusterState: clusterState, logger: logger)
        var services: [any Service] = [
            MetricsListener(host: options.metricsHost, port: options.metricsPort, registry: registry, metrics: metrics,
                            logger: logger, healthChecks: healthChecks),
        ]
        if let files = options.certificateFiles {
            services.append(CertificateReloader(files: files, store: certificates, metrics: metrics, logger: logger))
        }
        services += backgroundServices
        services.append(server)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            // Named by type: ServiceLifecycle otherwise logs each service's `description`, which for
            // a struct is its every field, into the JSON log.
            services: services.map {
                ServiceGroupConfiguration.ServiceConfiguration(service: $0, serviceName: String(describing: type(of: $0)))
            },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        return (group, server)
    }
}
