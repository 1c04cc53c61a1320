/// Gathers one transfer's events into an HTTPResponse. Written on the engine thread, read after `stream`
/// returns (the continuation's resume orders the two).
final class ResponseCollector: @unchecked Sendable {
    private var status = 0
    private var headers: [String: String] = [:]
    private var body: [UInt8] = []
    private var failure: KubernetesError?

    func handle(_ event: TransferEvent) {
        switch event {
        case .head(let status, let headers):
            self.status = status
            self.headers = headers
        case .body(let bytes):
            body.append(contentsOf: bytes)
        case .finished(let error):
            failure = error
        }
    }

    func response() throws -> HTTPResponse {
        if let failure { throw failure }
        return HTTPResponse(status: status, headers: headers, body: body)
    }
}
