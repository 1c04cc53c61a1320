import NIOCore
import WebhookServer

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KubeClient

/// Everything `kube-injector serve` was asked to do, checked and in typed form. The lead's wiring
/// (Event recorder, HPA forwarder) reads `kubeconfigPath` and `hpaForwarderEnabled` from here.
struct ServeOptions: Sendable {
    var configPath: String?
    var listenHost: String
    var listenPort: Int
    /// nil with `--dev`: the certificate is made in memory.
    var certificateFiles: CertificateFiles?
    var metricsHost: String
    var metricsPort: Int
    var kubeconfigPath: String?
    var hpaForwarderEnabled: Bool
    /// Namespaces whose Secrets an HPA in another namespace may name; empty: own namespace only.
    var hpaAllowedSecretNamespaces: Set<String>
    var hpaAllowHTTP: Bool
    /// PEM of the CAs sink certificates are checked against; nil: the system trust store.
    var hpaSinkCertificateAuthorityPEM: String?
    /// The forwarder's Lease; nil: `LeaderElectionOptions`' default.
    var leaseName: String?
    var development: Bool
    var drainPeriod: TimeAmount
    /// `--max-inflight-body-bytes`: the webhook's budget for request bodies in flight.
    var maxInflightBodyBytes: Int
    /// One event loop per CPU this process may run on (its affinity mask, so `taskset` is honoured).
    var eventLoopThreads: Int = Self.availableCPUs()

    static let defaultListen = "0.0.0.0:8443"
    static let developmentListen = "127.0.0.1:8443"
    static let defaultMetricsListen = "0.0.0.0:9090"
    static let developmentMetricsListen = "127.0.0.1:9090"

    init(_ command: Serve) throws {
        development = command.dev
        configPath = command.config
        kubeconfigPath = command.kubeconfig
        hpaForwarderEnabled = !command.noHpaForwarder
        hpaAllowedSecretNamespaces = Set(command.hpaSecretNamespaces.flatMap {
            $0.split(separator: ",").map { $0.trimmingWhitespace() }
        }.filter { !$0.isEmpty })
        hpaAllowHTTP = command.hpaAllowHTTP
        if let path = command.hpaSinkCA {
            do {
                hpaSinkCertificateAuthorityPEM = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw ServeUsageError("--hpa-sink-ca \(path): cannot read the file (\(FileReadFailure.reason(error)))")
            }
        }
        if let name = command.leaderElectionLeaseName {
            // A Lease name is a DNS subdomain (RFC 1123): lower-case alphanumerics, '-' and '.', at most 253.
            let allowed = name.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 || $0 == 46 }
            guard !name.isEmpty, name.utf8.count <= 253, allowed,
                  name.first?.isLetter == true || name.first?.isNumber == true,
                  name.last?.isLetter == true || name.last?.isNumber == true else {
                throw ServeUsageError("--leader-election-lease-name \(name): must be a DNS subdomain (lower-case letters, digits, '-' and '.', at most 253 characters)")
            }
            leaseName = name
        }
        (listenHost, listenPort) = try Self.hostAndPort(
            command.listen ?? (command.dev ? Self.developmentListen : Self.defaultListen), option: "--listen")
        (metricsHost, metricsPort) = try Self.hostAndPort(
            command.metricsListen ?? (command.dev ? Self.developmentMetricsListen : Self.defaultMetricsListen),
            option: "--metrics-listen")
        guard command.drainSeconds >= 0, command.drainSeconds <= 3600 else {
            throw ServeUsageError("--drain-seconds must be between 0 and 3600, got \(command.drainSeconds)")
        }
        drainPeriod = .nanoseconds(Int64(command.drainSeconds * 1e9))
        // At least one largest body (7 MiB) must fit, or every large review would wait alone.
        guard command.maxInflightBodyBytes >= 8 * 1024 * 1024 else {
            throw ServeUsageError("--max-inflight-body-bytes must be at least 8388608 (8 MiB), got \(command.maxInflightBodyBytes)")
        }
        maxInflightBodyBytes = command.maxInflightBodyBytes

        switch (command.tlsCert, command.tlsKey) {
        case (let cert?, let key?):
            certificateFiles = CertificateFiles(certificatePath: cert, privateKeyPath: key, clientCAPath: command.clientCA)
        case (nil, nil):
            guard command.dev else {
                throw ServeUsageError("--tls-cert and --tls-key are required (or --dev for a throw-away certificate)")
            }
            guard command.clientCA == nil else {
                throw ServeUsageError("--client-ca needs --tls-cert and --tls-key")
            }
            certificateFiles = nil
        case (_?, nil):
            throw ServeUsageError("--tls-cert was given without --tls-key")
        case (nil, _?):
            throw ServeUsageError("--tls-key was given without --tls-cert")
        }
    }

    static func availableCPUs() -> Int {
        // "Cpus_allowed:\t3" in /proc/self/status: the affinity mask in hex (Linux only).
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed:") })
        {
            let count = line.dropFirst("Cpus_allowed:".count).reduce(0) { total, character in
                total + (character.hexDigitValue?.nonzeroBitCount ?? 0)
            }
            if count > 0 { return min(count, System.coreCount) }
        }
        return System.coreCount
    }

    /// "HOST:PORT", "[IPv6]:PORT" or ":PORT" (all interfaces).
    static func hostAndPort(_ text: String, option: String) throws -> (String, Int) {
        guard let colon = text.lastIndex(of: ":") else {
            throw ServeUsageError("\(option) \(text): expected HOST:PORT")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.isEmpty { host = "0.0.0.0" }
        guard let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw ServeUsageError("\(option) \(text): the port must be a number from 0 to 65535")
        }
        return (host, port)
    }
}
