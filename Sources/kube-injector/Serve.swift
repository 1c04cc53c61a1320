import Admission
import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KubeClient
import Logging
import Metrics
import NIOCore
import WebhookServer

/// `kube-injector serve`: runs the HTTPS admission webhook, the metrics listener and the
/// certificate reloader until SIGTERM, then drains and exits 0.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the HTTPS admission webhook.",
        discussion: "With --dev: a throw-away certificate, the demo configuration, 127.0.0.1:8443, no cluster needed."
    )

    @Option(help: "Injection configuration (YAML).")
    var config: String?

    @Option(help: "Address for the HTTPS webhook, HOST:PORT (default \(ServeOptions.defaultListen); \(ServeOptions.developmentListen) with --dev).")
    var listen: String?

    @Option(name: .customLong("tls-cert"), help: "Serving certificate chain (PEM); reloaded when it changes.")
    var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: "Private key of the serving certificate (PEM).")
    var tlsKey: String?

    @Option(name: .customLong("client-ca"), help: "Require client certificates signed by these CAs (PEM).")
    var clientCA: String?

    @Option(name: .customLong("metrics-listen"), help: "Address for plain-HTTP /metrics, HOST:PORT (default \(ServeOptions.defaultMetricsListen)).")
    var metricsListen: String?

    @Option(help: "kubeconfig for the Event recorder and HPA forwarder (default: in-cluster).")
    var kubeconfig: String?

    @Flag(name: .customLong("no-hpa-forwarder"), help: "Do not run the HPA scale-event forwarder.")
    var noHpaForwarder = false

    @Option(name: .customLong("hpa-secret-namespace"),
            help: "Namespace whose sink Secrets an HPA in another namespace may name (repeatable, comma-separated; \"*\" for any). Default: own namespace only.")
    var hpaSecretNamespaces: [String] = []

    @Option(name: .customLong("hpa-sink-ca"), help: "CA bundle (PEM) that sink certificates are checked against (default: the system trust store).")
    var hpaSinkCA: String?

    @Option(name: .customLong("leader-election-lease-name"),
            help: "Name of the forwarder's Lease (default kube-injector-hpa-forwarder); the chart passes <release>-hpa-forwarder so releases never share one.")
    var leaderElectionLeaseName: String?

    @Flag(name: .customLong("hpa-allow-http"), help: "Allow http:// sink URLs for the HPA forwarder (default: https only).")
    var hpaAllowHTTP = false

    @Flag(help: "Development mode: in-memory self-signed certificate, demo configuration, 127.0.0.1:8443.")
    var dev = false

    @Option(name: .customLong("drain-seconds"), help: "On SIGTERM, keep serving this long while unready.")
    var drainSeconds: Double = 5

    @Option(name: .customLong("max-inflight-body-bytes"),
            help: "Request bodies held in memory at once across all connections; past it, reading pauses until reviews are answered.")
    var maxInflightBodyBytes: Int = 64 * 1024 * 1024

    func run() async throws {
        let logger = Self.makeLogger()
        var assembly: ServeAssembly
        do {
            let options = try ServeOptions(self)
            assembly = try ServeAssembly(options: options, logger: logger)
        } catch {
            StandardStream.writeError("kube-injector serve: \(error)\n")
            throw ExitCode(2)
        }
        // Before anything touches MultiThreadedEventLoopGroup.singleton.
        NIOSingletons.groupLoopCountSuggestion = assembly.options.eventLoopThreads
        MetricsSystem.bootstrap(assembly.metricsFactory)
        // After the bootstrap: the recorder and forwarder make their metrics from the global factory.
        do {
            let cluster = try ClusterServices(options: assembly.options, logger: logger, readiness: assembly.readiness)
            assembly.failureReporter = cluster.failureReporter
            assembly.clusterState = cluster.clusterState
            assembly.backgroundServices += cluster.services
            assembly.healthChecks.merge(cluster.healthChecks) { _, new in new }
        } catch {
            StandardStream.writeError("kube-injector serve: \(error)\n")
            throw ExitCode(2)
        }
        let (group, server) = assembly.makeServiceGroup()
        // The --dev banner only once the webhook listens: a busy port must not be preceded by a
        // curl command that cannot work.
        let developmentDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("kube-injector-dev-\(ProcessInfo.processInfo.processIdentifier)")
        let banner = Task { [certificatePEM = assembly.developmentCertificate?.certificatePEM, options = assembly.options] in
            guard let certificatePEM, (try? await server.listeningAddress) != nil else { return }
            do {
                try Self.printDevelopmentInstructions(certificatePEM: certificatePEM, options: options, directory: developmentDirectory)
            } catch {
                StandardStream.writeError("kube-injector serve: --dev: cannot write the sample files: \(FileReadFailure.reason(error))\n")
            }
        }
        defer {
            banner.cancel()
            if assembly.developmentCertificate != nil { try? FileManager.default.removeItem(at: developmentDirectory) }
        }
        do {
            try await group.run()
        } catch {
            // Said once, on stderr, in the service's own words ("cannot listen on 127.0.0.1:8443:
            // address already in use"); the JSON log is for a running server.
            StandardStream.writeError("kube-injector serve: \(error)\n")
            throw ExitCode(1)
        }
    }

    private static func makeLogger() -> Logger {
        let level = ProcessInfo.processInfo.environment["KI_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        LoggingSystem.bootstrap { LoggingJSONHandler(label: $0, level: level) }
        return Logger(label: "kube-injector")
    }

    /// Writes the certificate and a sample AdmissionReview next to each other in `directory` and
    /// prints the curl command that posts one; `run` removes the directory on exit.
    private static func printDevelopmentInstructions(certificatePEM: [UInt8], options: ServeOptions, directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let certificatePath = directory.appendingPathComponent("dev-cert.pem").path
        let reviewPath = directory.appendingPathComponent("review.json").path
        try Data(certificatePEM).write(to: URL(fileURLWithPath: certificatePath))
        try Data(ServeSampleReview.json.utf8).write(to: URL(fileURLWithPath: reviewPath))
        let host = options.listenHost == "0.0.0.0" ? "127.0.0.1" : options.listenHost
        StandardStream.writeOutput(Array("""
            kube-injector --dev: throw-away certificate, demo configuration, no cluster.
            Post a sample AdmissionReview:

              curl -sS --cacert \(certificatePath) -H 'Content-Type: application/json' --data-binary @\(reviewPath) https://\(host):\(options.listenPort)/mutate

            Metrics: curl http://\(options.metricsHost == "0.0.0.0" ? "127.0.0.1" : options.metricsHost):\(options.metricsPort)/metrics

            """.utf8))
    }
}
