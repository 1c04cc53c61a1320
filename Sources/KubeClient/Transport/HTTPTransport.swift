/// Sends single HTTPS requests over the process's shared libcurl engine (connections are reused).
/// Any HTTP status is a response; only failing to get one throws, as `KubernetesError.transport`.
public final class HTTPTransport: Sendable {
    private let engine: CurlEngine

    public init() {
        engine = CurlEngine.shared
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await engine.send(request)
    }
}
