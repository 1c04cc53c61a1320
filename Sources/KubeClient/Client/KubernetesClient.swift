#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KubernetesAPI
import Logging
import Metrics

/// A Kubernetes REST client on libcurl: typed get/list/create/update/patch/delete and streaming watch for any
/// resource path, with bearer-token or client-certificate authentication, a client-side QPS limit, per-request
/// timeouts, reused connections, and `Status` failures as typed `KubernetesError`s. Every request is counted
/// in `kube_injector_apiserver_requests_total`, timed, and, when it fails in a way a person should hear about,
/// logged at warning (once per resource, verb and code per `failureLogInterval`, with what was left out).
public final class KubernetesClient: Sendable {
    /// Which connections a client uses.
    public enum Connection: Sendable {
        /// The process's shared libcurl engine and its connection pool.
        case shared
        /// An engine (thread, multi handle, connections) of its own, so no other traffic can queue in front
        /// of this client's requests: what leader election gets.
        case dedicated
    }

    public let configuration: ClientConfiguration
    public let options: ClientOptions
    private let engine: CurlEngine
    /// A `.dedicated` engine is this client's alone and ends with it.
    private let ownsEngine: Bool
    private let tokens: BearerTokenSource
    private let limiter: LockedValue<TokenBucket>
    private let logger: Logger
    private let metrics: KubeClientMetrics
    private let failureLog: LockedValue<APIServerFailureLog>

    public init(configuration: ClientConfiguration, options: ClientOptions = .init(), connection: Connection = .shared,
                logger: Logger = Logger(label: "kube-injector.kube-client"),
                metricsFactory: any MetricsFactory = MetricsSystem.factory) throws {
        guard let scheme = URL(string: configuration.server)?.scheme, scheme == "https" || scheme == "http" else {
            throw ClientConfigurationError.invalidField(path: "client configuration", field: "server",
                                                  reason: "\"\(configuration.server)\" is not an http(s) URL")
        }
        self.configuration = configuration
        self.options = options
        switch connection {
        case .shared:
            self.engine = CurlEngine.shared
            self.ownsEngine = false
        case .dedicated:
            self.engine = CurlEngine()
            self.ownsEngine = true
        }
        self.tokens = BearerTokenSource(credentials: configuration.credentials)
        self.limiter = LockedValue(TokenBucket(qps: options.qps, burst: options.burst, now: .now))
        self.logger = logger
        self.metrics = KubeClientMetrics(factory: metricsFactory)
        self.failureLog = LockedValue(APIServerFailureLog(interval: options.failureLogInterval))
    }

    deinit {
        if ownsEngine { engine.shutDown() }
    }

    /// Another client to the same API server with its own options, rate limiter and (with `.dedicated`)
    /// connections; it shares the token file and nothing else.
    public func sibling(options: ClientOptions, connection: Connection, logger: Logger? = nil) throws -> KubernetesClient {
        try KubernetesClient(configuration: configuration, options: options, connection: connection,
                             logger: logger ?? self.logger, metricsFactory: metrics.factory)
    }

    /// The configuration's namespace: the pod's own in-cluster, else the kubeconfig context's, else "default".
    public var namespace: String { configuration.namespace }

    public func get<T: Decodable>(_ type: T.Type, path: String) async throws -> T {
        try decode(type, from: try await execute(method: "GET", path: path))
    }

    public func list<T: Decodable>(_ type: T.Type, path: String,
                                   query: [String: String] = [:]) async throws -> ObjectList<T> {
        try decode(ObjectList<T>.self, from: try await execute(method: "GET", path: path, query: query))
    }

    public func create<T: Codable>(path: String, body: T) async throws -> T {
        let response = try await execute(method: "POST", path: path, contentType: "application/json",
                                         body: try encode(body))
        return try decode(T.self, from: response)
    }

    public func update<T: Codable>(path: String, body: T) async throws -> T {
        let response = try await execute(method: "PUT", path: path, contentType: "application/json",
                                         body: try encode(body))
        return try decode(T.self, from: response)
    }

    public func patch<T: Decodable>(_ type: T.Type, path: String, patchType: PatchType,
                                    body: [UInt8]) async throws -> T {
        let response = try await execute(method: "PATCH", path: path, contentType: patchType.contentType, body: body)
        return try decode(type, from: response)
    }

    public func delete(path: String) async throws {
        _ = try await execute(method: "DELETE", path: path)
    }

    /// Decodes the newline-delimited stream as it arrives; ends when the server closes it (timeoutSeconds).
    /// At most `bufferCapacity` events wait for the consumer: beyond that the transfer pauses (the socket is
    /// not read) until the consumer has taken half of them.
    /// A non-200 answer ends the stream with its typed error (410 as `.gone`). Cancelling the consuming task,
    /// or dropping the stream, closes the connection.
    public func watch<T: Decodable & Sendable>(_ type: T.Type, path: String, resourceVersion: String?,
                                               timeoutSeconds: Int, allowBookmarks: Bool = true,
                                               query: [String: String] = [:],
                                               bufferCapacity: Int = 256) -> AsyncThrowingStream<WatchEvent<T>, Error> {
        watchBuffered(type, path: path, resourceVersion: resourceVersion, timeoutSeconds: timeoutSeconds,
                      allowBookmarks: allowBookmarks, query: query, bufferCapacity: bufferCapacity).stream
    }

    /// `watch`, with the buffer that bounds it (tests look at it).
    func watchBuffered<T: Decodable & Sendable>(_ type: T.Type, path: String, resourceVersion: String?,
                                                timeoutSeconds: Int, allowBookmarks: Bool, query: [String: String],
                                                bufferCapacity: Int) -> (stream: AsyncThrowingStream<WatchEvent<T>, Error>, buffer: WatchBuffer) {
        var query = query
        query["watch"] = "true"
        query["timeoutSeconds"] = String(timeoutSeconds)
        if allowBookmarks { query["allowWatchBookmarks"] = "true" }
        if let resourceVersion, !resourceVersion.isEmpty { query["resourceVersion"] = resourceVersion }
        // The server ends the watch after timeoutSeconds; the client deadline only catches a server gone silent.
        let deadline = Duration.seconds(timeoutSeconds) + .seconds(15)

        let (stream, continuation) = AsyncThrowingStream.makeStream(of: WatchEvent<T>.self)
        let target = APIRequestTarget(method: "GET", path: path, query: query)
        let buffer = WatchBuffer(capacity: bufferCapacity)
        let consumerGone = LockedValue(false)
        let engine = engine
        let id = engine.makeID()
        buffer.onResume { engine.resume(id: id) }
        let task = Task { [self] in
            do {
                try await waitForRateLimit()
                let request = try makeRequest(method: "GET", path: path, query: query, contentType: nil, body: [],
                                              timeout: deadline, forceTokenReread: false)
                let decoder = WatchStreamDecoder<T>(continuation: continuation, buffer: buffer)
                let started = ContinuousClock.now
                let answered = LockedValue(false)
                await engine.stream(request, id: id, buffer: buffer) { event in
                    switch event {
                    case .head(let status, let headers):
                        answered.withLock { $0 = true }
                        self.observe(target, status: status, headers: headers, body: nil, since: started)
                    case .finished(let error?) where !answered.withLock({ $0 }):
                        // This runs on the engine's thread, outside any task: the consumer's cancellation is
                        // read from the flag its termination sets.
                        if !consumerGone.withLock({ $0 }) { self.observe(target, transportError: error, since: started) }
                    default:
                        break
                    }
                    decoder.handle(event)
                }
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in
            consumerGone.withLock { $0 = true }
            task.cancel()
        }
        let iterator = WatchIterator(stream.makeAsyncIterator())
        let counted = AsyncThrowingStream {
            let next = try await iterator.next()
            if next != nil { buffer.consumed() }
            return next
        }
        return (counted, buffer)
    }

    // MARK: - Requests

    /// Sends one request and returns the 2xx response; anything else throws its typed error. A 401 with a token
    /// file re-reads the file and tries once more, since the token may have rotated since the last read.
    func execute(method: String, path: String, query: [String: String] = [:], contentType: String? = nil,
                 body: [UInt8] = []) async throws -> HTTPResponse {
        let target = APIRequestTarget(method: method, path: path, query: query)
        try await waitForRateLimit()
        var request = try makeRequest(method: method, path: path, query: query, contentType: contentType, body: body,
                                      timeout: options.requestTimeout, forceTokenReread: false)
        var response = try await send(request, target: target)
        if response.status == 401, tokens.rereadsFile {
            logger.debug("401 from the API server; re-reading the token file", metadata: ["path": "\(path)"])
            request = try makeRequest(method: method, path: path, query: query, contentType: contentType, body: body,
                                      timeout: options.requestTimeout, forceTokenReread: true)
            response = try await send(request, target: target)
        }
        guard (200..<300).contains(response.status) else {
            throw KubernetesError.from(code: response.status, headers: response.headers, body: response.body)
        }
        return response
    }

    /// One round trip, counted, timed and (when it failed in a way worth a person's attention) logged.
    private func send(_ request: HTTPRequest, target: APIRequestTarget) async throws -> HTTPResponse {
        let started = ContinuousClock.now
        do {
            let response = try await engine.send(request)
            observe(target, status: response.status, headers: response.headers, body: response.body, since: started)
            return response
        } catch {
            if !Task.isCancelled { observe(target, transportError: error, since: started) }
            throw error
        }
    }

    private func observe(_ target: APIRequestTarget, status: Int, headers: [String: String], body: [UInt8]?,
                         since started: ContinuousClock.Instant) {
        metrics.requestEnded(target, code: status, duration: .now - started)
        guard !(200..<300).contains(status), APIServerFailureLog.isWorthLogging(code: status) else { return }
        // A watch's error body is still streaming; the status alone says enough for the log.
        let error = KubernetesError.from(code: status, headers: headers, body: body ?? [])
        logFailure(target, code: String(status), error: error)
    }

    private func observe(_ target: APIRequestTarget, transportError: Error, since started: ContinuousClock.Instant) {
        metrics.requestEnded(target, code: nil, duration: .now - started)
        let error = transportError as? KubernetesError ?? .transport("\(transportError)")
        logFailure(target, code: "error", error: error)
    }

    private func logFailure(_ target: APIRequestTarget, code: String, error: KubernetesError) {
        let key = APIServerFailureLog.Key(resource: target.resource, verb: target.verb, code: code)
        guard case .log(let suppressed) = failureLog.withLock({ $0.failed(key, now: .now) }) else { return }
        var metadata: Logger.Metadata = ["resource": "\(target.resource)", "verb": "\(target.verb)", "code": "\(code)"]
        if let namespace = target.namespace { metadata["namespace"] = "\(namespace)" }
        if suppressed > 0 { metadata["suppressed"] = "\(suppressed)" }
        logger.warning("\(APIServerFailureLog.message(for: target, error: error))", metadata: metadata)
    }

    private func waitForRateLimit() async throws {
        let wait = limiter.withLock { $0.reserve(now: .now) }
        if wait > .zero {
            try await Task.sleep(for: wait)
        }
    }

    private func makeRequest(method: String, path: String, query: [String: String], contentType: String?,
                             body: [UInt8], timeout: Duration, forceTokenReread: Bool) throws -> HTTPRequest {
        var headers: [(String, String)] = [("Accept", "application/json"), ("User-Agent", options.userAgent)]
        if let contentType { headers.append(("Content-Type", contentType)) }
        if let token = try tokens.token(forceReread: forceTokenReread) {
            headers.append(("Authorization", "Bearer \(token)"))
        }
        var certificate: String?
        var key: String?
        if case .clientCertificate(let certificatePEM, let keyPEM) = configuration.credentials {
            certificate = certificatePEM
            key = keyPEM
        }
        return HTTPRequest(method: method, url: url(path: path, query: query), headers: headers, body: body,
                           timeout: timeout, certificateAuthorityPEM: configuration.certificateAuthorityPEM,
                           clientCertificatePEM: certificate, clientKeyPEM: key,
                           insecureSkipTLSVerify: configuration.insecureSkipTLSVerify)
    }

    func url(path: String, query: [String: String]) -> String {
        let separator = path.hasPrefix("/") ? "" : "/"
        var url = configuration.server + separator + path
        if !query.isEmpty {
            url += "?" + query.sorted { $0.key < $1.key }
                .map { "\(Self.percentEncode($0.key))=\(Self.percentEncode($0.value))" }
                .joined(separator: "&")
        }
        return url
    }

    /// RFC 3986 percent-encoding of the UTF-8 bytes, leaving only the unreserved characters as they are.
    static func percentEncode(_ value: String) -> String {
        let hexDigits = Array("0123456789ABCDEF".utf8)
        var encoded: [UInt8] = []
        encoded.reserveCapacity(value.utf8.count)
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                encoded.append(byte)
            default:
                encoded.append(contentsOf: [UInt8(ascii: "%"), hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)]])
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }

    private func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        do {
            return Array(try JSONEncoder().encode(value))
        } catch {
            throw KubernetesError.decoding("cannot encode \(T.self): \(error)")
        }
    }

    private func decode<T: Decodable>(_ type: T.Type, from response: HTTPResponse) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(response.body))
        } catch {
            throw KubernetesError.decoding("\(T.self): \(error)")
        }
    }
}
