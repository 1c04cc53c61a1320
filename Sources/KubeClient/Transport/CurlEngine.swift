/// The process's one libcurl multi handle (placeholder until the engine lands).
final class CurlEngine: Sendable {
    static let shared = CurlEngine()

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        throw KubernetesError.transport("not implemented")
    }

    func stream(_ request: HTTPRequest, receive: @escaping @Sendable (TransferEvent) -> Void) async {
        receive(.finished(.transport("not implemented")))
    }
}
