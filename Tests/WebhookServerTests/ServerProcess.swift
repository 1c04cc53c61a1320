import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The built `kube-injector serve` as a child process on free loopback ports, for what only a
/// process shows: its resident memory (/proc/PID/status), its exit code after SIGTERM, its log.
final class ServerProcess: @unchecked Sendable {
    let process = Process()
    let logPath: String
    private(set) var port = 0
    private(set) var metricsPort = 0

    /// The binary beside the test bundle (`swift build` puts both in the same folder), or the one
    /// KI_TEST_SERVE_BINARY names (to run these tests against another build, e.g. an older one).
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["KI_TEST_SERVE_BINARY"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        let bundle = Bundle(for: ServerProcess.self).bundleURL
        let beside = bundle.appendingPathComponent("kube-injector")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        return bundle.deletingLastPathComponent().appendingPathComponent("kube-injector")
    }

    /// Starts `serve` with `certificate` and `key` and waits (bounded) until both listeners are up.
    init(directory: URL, certificate: String, key: String, arguments: [String] = []) async throws {
        let config = directory.appendingPathComponent("injection-\(UUID().uuidString).yaml")
        try Data(WebhookTestServer.injectionYAML.utf8).write(to: config)
        logPath = directory.appendingPathComponent("serve-\(UUID().uuidString).log").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = Self.binary
        process.arguments = ["serve", "--config", config.path, "--tls-cert", certificate, "--tls-key", key,
                             "--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0", "--no-hpa-forwarder"]
            + (arguments.contains("--drain-seconds") ? [] : ["--drain-seconds", "0"]) + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["KUBECONFIG"] = nil
        environment["KUBERNETES_SERVICE_HOST"] = nil
        environment["HOME"] = directory.path
        process.environment = environment
        let handle = FileHandle(forWritingAtPath: logPath)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline && process.isRunning {
            port = listeningPort("webhook listening") ?? 0
            metricsPort = listeningPort("metrics listening") ?? 0
            if port > 0 && metricsPort > 0 { return }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        struct NotListening: Error, CustomStringConvertible { var description: String }
        throw NotListening(description: "serve did not start listening; its output:\n\(output)")
    }

    var output: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// The value of one sample line of `/metrics` (0 when absent).
    func metric(_ sample: String) async throws -> Double {
        let text = try await ProcessRunner.run("/usr/bin/curl", ["-sS", "http://127.0.0.1:\(metricsPort)/metrics"]).standardOutput
        for line in text.split(separator: "\n") where line.hasPrefix(sample + " ") {
            return Double(line.dropFirst(sample.count + 1)) ?? 0
        }
        return 0
    }

    private func listeningPort(_ message: String) -> Int? {
        for line in output.split(separator: "\n") where line.contains("\"\(message)\"") {
            guard let range = line.range(of: "\"address\":\"") else { continue }
            let address = line[range.upperBound...].prefix { $0 != "\"" }
            return address.split(separator: ":").last.flatMap { Int($0) }
        }
        return nil
    }

    /// VmRSS of the process, in bytes.
    var residentBytes: Int {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kibibytes = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { return 0 }
        return kibibytes * 1024
    }

    /// SIGTERM, then waits up to `limit`; SIGKILL after that. Returns the exit status.
    @discardableResult
    func terminate(limit: TimeInterval = 60) async -> Int32 {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        return await waitForExit(limit: limit)
    }

    func waitForExit(limit: TimeInterval) async -> Int32 {
        let deadline = Date().addingTimeInterval(limit)
        while process.isRunning && Date() < deadline { try? await Task.sleep(nanoseconds: 20_000_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
