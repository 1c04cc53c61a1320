import Admission
import Foundation
import Logging
import NIOCore
import NIOPosix
import Prometheus
import ServiceLifecycle
import TestSupport
import WebhookServer

/// The webhook as `serve` assembles it (server, metrics listener, certificate reloader in one
/// ServiceGroup), on loopback with free ports, serving certificate files laid out the way a
/// Kubernetes Secret volume lays them out (`tls.crt -> ..data/tls.crt`, `..data -> ..v1`), so a
/// rotation is the same atomic symlink swap the kubelet performs.
final class WebhookTestServer: @unchecked Sendable {
    static let injectionYAML = """
        defaultProfiles: [bench]
        profiles:
          bench:
            containers: ["*"]
            env:
              - {name: CLUSTER_NAME, value: test}
              - {name: REGION, value: eu-west-1}
            overrideEnv: false
            initContainers:
              - {name: test-init, image: "busybox:1.36", command: [sh, -c, "true"]}
            initContainerPosition: first
        """

    let pki: TestCertificates
    let secretDirectory: URL
    let registry = PrometheusCollectorRegistry()
    let readiness = WebhookReadiness()
    /// What the server, the metrics listener and the reloader logged (info and above).
    let logs = CapturedLog()
    private(set) var port = 0
    private(set) var metricsPort = 0
    private var group: ServiceGroup?
    private var running: Task<Void, Error>?
    private var version = 0

    /// - Parameter configure: adjusts the limits and timeouts (short ones keep the tests quick).
    init(pki: TestCertificates, pair: TestCertificates.ServingPair, requireClientCertificates: Bool = false,
         reporter: FailureReporter? = nil, metricsLimits: MetricsListenerLimits = MetricsListenerLimits(),
         eventLoopGroup: EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
         configure: (inout WebhookServerConfiguration) -> Void = { _ in }) async throws {
        self.pki = pki
        secretDirectory = pki.directory.appendingPathComponent("secret-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: secretDirectory, withIntermediateDirectories: true)
        try rotate(to: pair)
        for name in ["tls.crt", "tls.key"] {
            try FileManager.default.createSymbolicLink(
                atPath: secretDirectory.appendingPathComponent(name).path, withDestinationPath: "..data/\(name)")
        }

        var configuration = WebhookServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.drainPeriod = .zero
        configuration.inFlightGracePeriod = .seconds(10)
        configure(&configuration)

        let files = CertificateFiles(
            certificatePath: secretDirectory.appendingPathComponent("tls.crt").path,
            privateKeyPath: secretDirectory.appendingPathComponent("tls.key").path,
            clientCAPath: requireClientCertificates ? pki.caCertificatePath : nil)
        let logger = logs.logger("webhook-test", level: .info)
        let metrics = WebhookMetrics(factory: WebhookMetrics.prometheusFactory(registry: registry))
        let store = ServingCertificateStore(try files.makeContext())
        let controller = AdmissionController(configuration: try InjectionConfig.load(yaml: Self.injectionYAML, source: "test"))
        let server = WebhookServer(
            configuration: configuration, controller: controller, reporter: reporter ?? LoggingFailureReporter(logger: logger),
            certificates: store, metrics: metrics, readiness: readiness, logger: logger, eventLoopGroup: eventLoopGroup)
        let metricsListener = MetricsListener(
            host: "127.0.0.1", port: 0, registry: registry, limits: metricsLimits, metrics: metrics, logger: logger)
        let reloader = CertificateReloader(files: files, store: store, metrics: metrics, logger: logger, interval: .milliseconds(200))
        let services: [any Service] = [metricsListener, reloader, server]
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            logger: logger))
        self.group = group
        running = Task { try await group.run() }
        port = try await server.listeningAddress.port ?? 0
        metricsPort = try await metricsListener.listeningAddress.port ?? 0
    }

    /// Points `..data` at a new directory holding `pair`, atomically, as the kubelet does.
    func rotate(to pair: TestCertificates.ServingPair) throws {
        try rotate(certificate: pair.chainPath, key: pair.keyPath)
    }

    func rotate(certificate: String, key: String) throws {
        version += 1
        let versionDirectory = secretDirectory.appendingPathComponent("..v\(version)")
        try FileManager.default.createDirectory(at: versionDirectory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: certificate, toPath: versionDirectory.appendingPathComponent("tls.crt").path)
        try FileManager.default.copyItem(atPath: key, toPath: versionDirectory.appendingPathComponent("tls.key").path)
        let temporaryLink = secretDirectory.appendingPathComponent("..data_tmp").path
        try FileManager.default.createSymbolicLink(atPath: temporaryLink, withDestinationPath: "..v\(version)")
        guard rename(temporaryLink, secretDirectory.appendingPathComponent("..data").path) == 0 else {
            throw POSIXError(.EIO)
        }
    }

    var baseURL: String { "https://localhost:\(port)" }

    /// curl against the webhook, trusting the test CA.
    func curl(_ arguments: [String], limit: TimeInterval = 60) async throws -> ProcessRunner.Result {
        try await ProcessRunner.run("/usr/bin/curl", ["-sS", "--cacert", pki.caCertificatePath] + arguments, limit: limit)
    }

    func metricsText() async throws -> String {
        try await ProcessRunner.run("/usr/bin/curl", ["-sS", "http://127.0.0.1:\(metricsPort)/metrics"]).standardOutput
    }

    /// The value of one sample line (`name{labels} value`) in the metrics text, 0 when absent.
    func metric(_ sample: String) async throws -> Double {
        let text = try await metricsText()
        for line in text.split(separator: "\n") where line.hasPrefix(sample + " ") {
            return Double(line.dropFirst(sample.count + 1)) ?? 0
        }
        return 0
    }

    /// Waits (bounded) until `condition` holds for the metric.
    func waitForMetric(_ sample: String, limit: TimeInterval = 10, _ condition: (Double) -> Bool) async throws -> Double {
        let deadline = Date().addingTimeInterval(limit)
        var value = try await metric(sample)
        while !condition(value) && Date() < deadline {
            try await Task.sleep(nanoseconds: 50_000_000)
            value = try await metric(sample)
        }
        return value
    }

    func triggerGracefulShutdown() async {
        await group?.triggerGracefulShutdown()
    }

    /// Shuts down gracefully and waits for the group; rethrows what the group ended with.
    func stop() async throws {
        await group?.triggerGracefulShutdown()
        try await running?.value
        running = nil
    }
}
