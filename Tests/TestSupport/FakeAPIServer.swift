import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs Tests/FakeAPIServer/fake_apiserver.py (a strict fake Kubernetes API server over TLS) on a free port of
/// 127.0.0.1 for one test, and drives its /fake/ control endpoints: seeding objects, reading the request log,
/// injecting failures, rotating the token, ending or cutting watches, going down and coming back.
/// `stop()` in tearDown; the process also ends with the object.
public final class FakeAPIServer: @unchecked Sendable {
    /// One request as the fake logged it.
    public struct LoggedRequest: Decodable, Sendable {
        public var method: String
        public var path: String
        public var query: [String: String]
        public var contentType: String?
        public var body: String
        /// nil when the fake cut or hung the connection instead of answering.
        public var status: Int?
        /// "token", "certificate", or nil when refused.
        public var authentication: String?
        /// The client's address and port: the same port on two requests means a reused connection.
        public var peer: String
        /// When the request arrived, in seconds since 1970 (the fake's clock).
        public var time: Double?
    }

    /// A failure the fake will answer with, for the next `count` requests that match.
    public struct Failure: Sendable {
        public enum Action: String, Sendable {
            /// Answer `status` with a Status body (and Retry-After when given).
            case status
            /// Hold the request for `seconds`, then cut the connection.
            case hang
            /// Cut the connection without an answer.
            case drop
            /// Serve the request normally after `seconds`.
            case delay
        }

        public var method: String
        public var pathPrefix: String
        public var count: Int
        public var action: Action
        public var status: Int
        public var retryAfter: Int?
        public var reason: String?
        public var message: String?
        public var seconds: Double?
        /// true: only watches; false: only non-watch requests; nil: both.
        public var watch: Bool?

        public init(method: String = "*", pathPrefix: String = "/", count: Int = 1, action: Action = .status,
                    status: Int = 500, retryAfter: Int? = nil, reason: String? = nil, message: String? = nil,
                    seconds: Double? = nil, watch: Bool? = nil) {
            self.method = method
            self.pathPrefix = pathPrefix
            self.count = count
            self.action = action
            self.status = status
            self.retryAfter = retryAfter
            self.reason = reason
            self.message = message
            self.seconds = seconds
            self.watch = watch
        }

        var json: [String: Any] {
            var body: [String: Any] = ["method": method, "pathPrefix": pathPrefix, "count": count,
                                       "action": action.rawValue, "status": status]
            if let retryAfter { body["retryAfter"] = retryAfter }
            if let reason { body["reason"] = reason }
            if let message { body["message"] = message }
            if let seconds { body["seconds"] = seconds }
            if let watch { body["watch"] = watch }
            return body
        }
    }

    public let port: Int
    public let certificates: TestCertificates
    /// The bearer token accepted at start.
    public let token: String
    private let process: Process
    private let ownsCertificates: Bool

    /// "https://127.0.0.1:PORT"
    public var url: String { "https://127.0.0.1:\(port)" }

    /// Starts the fake and returns once it accepts connections. Without `certificates`, makes a fresh set
    /// (removed by `stop()`). Client certificates signed by the test CA are accepted as well as the token.
    public static func start(token: String = "test-token", certificates: TestCertificates? = nil,
                             bookmarkIntervalSeconds: Double = 60) throws -> FakeAPIServer {
        let owned = certificates == nil
        let certificates = try certificates ?? TestCertificates.make()
        let script = TestSupport.packageRoot.appendingPathComponent("Tests/FakeAPIServer/fake_apiserver.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-u", script, "--port", "0",
                             "--cert", certificates.serverCertificatePath, "--key", certificates.serverKeyPath,
                             "--client-ca", certificates.caCertificatePath, "--token", token,
                             "--bookmark-interval", String(bookmarkIntervalSeconds)]
        let output = Pipe()
        let errorLog = certificates.path("fake-apiserver-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: errorLog, contents: nil)
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: errorLog)
        try process.run()

        // The first line is "PORT <n>", printed once the socket listens.
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("PORT "), let port = Int(text.dropFirst(5)) else {
            process.terminate()
            let log = (try? String(contentsOfFile: errorLog, encoding: .utf8)) ?? ""
            throw TestSupportError("fake API server did not start: \(text) \(log)")
        }
        return FakeAPIServer(port: port, certificates: certificates, token: token, process: process,
                             ownsCertificates: owned)
    }

    private init(port: Int, certificates: TestCertificates, token: String, process: Process, ownsCertificates: Bool) {
        self.port = port
        self.certificates = certificates
        self.token = token
        self.process = process
        self.ownsCertificates = ownsCertificates
    }

    deinit {
        stop()
    }

    public func stop() {
        if process.isRunning {
            process.terminate()
            // SIGKILL if SIGTERM is not acted on within a second, so a tearDown can never hang here.
            let deadline = Date().addingTimeInterval(1)
            while process.isRunning && Date() < deadline { usleep(10_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        if ownsCertificates { certificates.remove() }
    }

    // MARK: - Set-ups for clients

    /// Writes a kubeconfig for this server (CA by file path, relative to the kubeconfig) and returns its path.
    /// `user` is the YAML of the user entry's fields, e.g. `token: abc` or `tokenFile: token`; nil: the token.
    public func writeKubeconfig(user: String? = nil, namespace: String = "default",
                                name: String = "kubeconfig") throws -> String {
        let userYAML = user ?? "token: \(token)"
        let text = """
            apiVersion: v1
            kind: Config
            current-context: fake
            clusters:
            - name: fake-cluster
              cluster:
                server: \(url)
                certificate-authority: ca.crt
            contexts:
            - name: fake
              context:
                cluster: fake-cluster
                user: fake-user
                namespace: \(namespace)
            users:
            - name: fake-user
              user:
                \(userYAML.split(separator: "\n").joined(separator: "\n    "))

            """
        let path = certificates.path(name)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A service-account directory (token, ca.crt, namespace) and the environment an in-cluster pod sees.
    public func writeServiceAccount(token: String? = nil, namespace: String = "kube-injector") throws
        -> (directory: String, environment: [String: String]) {
        let directory = certificates.directory.appendingPathComponent("serviceaccount-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try (token ?? self.token).write(to: directory.appendingPathComponent("token"), atomically: true, encoding: .utf8)
        try certificates.caCertificatePEM.write(to: directory.appendingPathComponent("ca.crt"), atomically: true,
                                                encoding: .utf8)
        try namespace.write(to: directory.appendingPathComponent("namespace"), atomically: true, encoding: .utf8)
        return (directory.path, ["KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": String(port)])
    }

    // MARK: - Control endpoints

    /// Stores an object under a collection path (e.g. `/apis/apps/v1/namespaces/default/replicasets`) without
    /// validation; returns it as stored (uid, resourceVersion assigned).
    @discardableResult
    public func seed(path: String, object: [String: Any]) async throws -> [String: Any] {
        try await controlObject("POST", "/fake/objects", body: ["path": path, "object": object])
    }

    /// The stored object at an object path, nil when there is none.
    public func object(path: String) async throws -> [String: Any]? {
        let (status, data) = try await control("GET", "/fake/objects?path=\(escape(path))")
        guard status == 200 else { return nil }
        return try JSONSerialization.jsonObject(with: data) as? [String: Any]
    }

    /// The stored objects under a collection path.
    public func objects(path: String) async throws -> [[String: Any]] {
        let body = try await controlObject("GET", "/fake/objects?path=\(escape(path))")
        return body["items"] as? [[String: Any]] ?? []
    }

    public func requests(pathPrefix: String = "") async throws -> [LoggedRequest] {
        struct Log: Decodable { var requests: [LoggedRequest] }
        let (_, data) = try await control("GET", "/fake/requests?pathPrefix=\(escape(pathPrefix))")
        return try JSONDecoder().decode(Log.self, from: data).requests
    }

    public func clearRequests() async throws {
        _ = try await control("DELETE", "/fake/requests")
    }

    public func inject(_ failure: Failure) async throws {
        _ = try await controlObject("POST", "/fake/failures", body: failure.json)
    }

    public func clearFailures() async throws {
        _ = try await control("DELETE", "/fake/failures")
    }

    /// Replaces the accepted bearer tokens.
    public func acceptTokens(_ tokens: [String]) async throws {
        _ = try await controlObject("POST", "/fake/token", body: ["tokens": tokens])
    }

    public func openWatchCount() async throws -> Int {
        try await controlObject("GET", "/fake/watches")["open"] as? Int ?? 0
    }

    /// Waits (polling, up to `timeout`) until at least `count` watches are open.
    public func waitForOpenWatches(_ count: Int = 1, timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await openWatchCount() < count {
            guard ContinuousClock.now < deadline else {
                throw TestSupportError("fewer than \(count) watches opened within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Open watches send an ERROR event with code 410 and end.
    public func endWatchesWithGone() async throws {
        _ = try await control("POST", "/fake/watches/gone")
    }

    /// Open watches are cut mid-stream.
    public func dropWatches() async throws {
        _ = try await control("POST", "/fake/watches/drop")
    }

    /// Open watches that allow bookmarks send one now.
    public func sendBookmarks() async throws {
        _ = try await control("POST", "/fake/watches/bookmark")
    }

    /// Every resourceVersion so far expires: watching from one gets 410.
    public func compact() async throws {
        _ = try await control("POST", "/fake/compact")
    }

    public func setBookmarkInterval(seconds: Double) async throws {
        _ = try await controlObject("POST", "/fake/settings", body: ["bookmarkIntervalSeconds": seconds])
    }

    public func reset() async throws {
        _ = try await control("POST", "/fake/reset")
    }

    /// Stops listening and cuts every connection; state is kept. Returns once connections are refused.
    public func goDown() async throws {
        kill(process.processIdentifier, SIGUSR1)
        let deadline = ContinuousClock.now + .seconds(5)
        while (try? await control("GET", "/fake/healthz", maxTime: 1)) != nil {
            guard ContinuousClock.now < deadline else { throw TestSupportError("fake API server did not go down") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Listens again on the same port. Returns once it answers.
    public func comeUp() async throws {
        kill(process.processIdentifier, SIGUSR2)
        let deadline = ContinuousClock.now + .seconds(5)
        while (try? await control("GET", "/fake/healthz", maxTime: 1)) == nil {
            guard ContinuousClock.now < deadline else { throw TestSupportError("fake API server did not come up") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Goes down at once and comes back by itself after `seconds` (the fake keeps time, not the test).
    public func goDown(for seconds: Double) async throws {
        _ = try await controlObject("POST", "/fake/down", body: ["seconds": seconds])
    }

    // MARK: - Plumbing: the curl CLI, so that TestSupport needs none of the modules under test

    private func escape(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~/")))
            ?? value
    }

    private func controlObject(_ method: String, _ path: String, body: [String: Any]? = nil) async throws
        -> [String: Any] {
        let (status, data) = try await control(method, path, body: body)
        guard (200..<300).contains(status) else {
            throw TestSupportError("fake API server \(method) \(path): \(status) \(String(decoding: data, as: UTF8.self))")
        }
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }

    /// Runs curl against a control endpoint without blocking a concurrency thread; returns status and body.
    public func control(_ method: String, _ path: String, body: [String: Any]? = nil,
                        maxTime: Int = 30) async throws -> (Int, Data) {
        let id = UUID().uuidString
        let output = certificates.path("control-\(id).out")
        let input = certificates.path("control-\(id).in")
        defer {
            try? FileManager.default.removeItem(atPath: output)
            try? FileManager.default.removeItem(atPath: input)
        }
        var arguments = ["curl", "-sS", "--max-time", String(maxTime), "--cacert", certificates.caCertificatePath,
                         "-X", method, "-o", output, "-w", "%{http_code}", url + path]
        if let body {
            try JSONSerialization.data(withJSONObject: body).write(to: URL(fileURLWithPath: input))
            arguments += ["-H", "Content-Type: application/json", "--data-binary", "@" + input]
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let statusPipe = Pipe()
        process.standardOutput = statusPipe
        process.standardError = FileHandle.nullDevice
        let exitCode: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        guard exitCode == 0 else {
            throw TestSupportError("curl \(method) \(path) failed with exit code \(exitCode)")
        }
        let statusText = String(decoding: statusPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let data = (try? Data(contentsOf: URL(fileURLWithPath: output))) ?? Data()
        return (Int(statusText) ?? 0, data)
    }
}
