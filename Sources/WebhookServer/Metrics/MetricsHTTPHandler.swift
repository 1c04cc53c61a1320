import NIOCore
import NIOHTTP1
import Prometheus

/// Answers `GET /metrics` with the registry's Prometheus text exposition, and each health check's path with
/// 200 `ok` or 503 `failing`; 404 for anything else.
final class MetricsHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let registry: PrometheusCollectorRegistry
    private var request: HTTPRequestHead?
    private let healthChecks: [String: @Sendable () -> Bool]

    init(registry: PrometheusCollectorRegistry, healthChecks: [String: @Sendable () -> Bool] = [:]) {
        self.registry = registry
        self.healthChecks = healthChecks
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = head
        case .body:
            break
        case .end:
            guard let head = request else { return }
            request = nil
            let path = head.uri.split(separator: "?", maxSplits: 1).first ?? ""
            let status: HTTPResponseStatus
            let body: [UInt8]
            var headers: HTTPHeaders
            if path == "/metrics" && (head.method == .GET || head.method == .HEAD) {
                status = .ok
                body = registry.emitToBuffer()
                headers = ["content-type": "text/plain; version=0.0.4; charset=utf-8"]
            } else if let check = healthChecks[String(path)], head.method == .GET || head.method == .HEAD {
                let healthy = check()
                status = healthy ? .ok : .serviceUnavailable
                body = Array((healthy ? "ok\n" : "failing\n").utf8)
                headers = ["content-type": "text/plain; charset=utf-8"]
            } else {
                status = .notFound
                body = Array("not found\n".utf8)
                headers = ["content-type": "text/plain; charset=utf-8"]
            }
            headers.add(name: "content-length", value: String(body.count))
            if !head.isKeepAlive { headers.add(name: "connection", value: "close") }
            let response = HTTPResponseHead(version: head.version, status: status, headers: headers)
            context.write(wrapOutboundOut(.head(response)), promise: nil)
            if head.method != .HEAD {
                context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
            }
            let keepAlive = head.isKeepAlive
            context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
                if !keepAlive { context.close(promise: nil) }
            }
        }
    }
}
