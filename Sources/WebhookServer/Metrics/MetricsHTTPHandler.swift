import NIOCore
import NIOHTTP1
import Prometheus

/// Answers `GET /metrics` with the registry's Prometheus text exposition, each health check's path
/// (`/healthz/leader`) with 200 `ok` or 503 `failing`; 404 for anything else,
/// 413 (and close) for a body above the limit. Tells the connection's deadline handler when a
/// request has arrived and when it is answered.
final class MetricsHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let registry: PrometheusCollectorRegistry
    private let maxBodyBytes: Int
    private let deadlines: ConnectionDeadlineHandler
    private var request: HTTPRequestHead?
    private var bodyBytes = 0
    /// Answered 413; the rest is dropped until the connection closes.
    private var refused = false
    private let healthChecks: [String: @Sendable () -> Bool]

    init(registry: PrometheusCollectorRegistry, maxBodyBytes: Int, deadlines: ConnectionDeadlineHandler,
         healthChecks: [String: @Sendable () -> Bool] = [:]) {
        self.registry = registry
        self.maxBodyBytes = maxBodyBytes
        self.deadlines = deadlines
        self.healthChecks = healthChecks
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refused else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = head
            bodyBytes = 0
            if let length = head.headers.first(name: "content-length").flatMap({ Int($0) }), length > maxBodyBytes {
                refuseTooLarge(head, context: context)
            }
        case .body(let chunk):
            bodyBytes += chunk.readableBytes  // not kept: /metrics reads no body
            if bodyBytes > maxBodyBytes, let head = request { refuseTooLarge(head, context: context) }
        case .end:
            guard let head = request else { return }
            request = nil
            deadlines.requestRead()
            let path = head.uri.split(separator: "?", maxSplits: 1).first ?? ""
            if path == "/metrics" && (head.method == .GET || head.method == .HEAD) {
                respond(.ok, contentType: "text/plain; version=0.0.4; charset=utf-8", body: registry.emitToBuffer(),
                        head: head, keepAlive: head.isKeepAlive, context: context)
            } else if let check = healthChecks[String(path)], head.method == .GET || head.method == .HEAD {
                let healthy = check()
                respond(healthy ? .ok : .serviceUnavailable, contentType: "text/plain; charset=utf-8",
                        body: Array((healthy ? "ok\n" : "failing\n").utf8), head: head, keepAlive: head.isKeepAlive,
                        context: context)
            } else {
                respond(.notFound, contentType: "text/plain; charset=utf-8", body: Array("not found\n".utf8),
                        head: head, keepAlive: head.isKeepAlive, context: context)
            }
        }
    }

    private func refuseTooLarge(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        refused = true
        deadlines.requestRead()
        respond(.payloadTooLarge, contentType: "text/plain; charset=utf-8",
                body: Array("request body larger than \(maxBodyBytes) bytes\n".utf8), head: head, keepAlive: false, context: context)
    }

    private func respond(
        _ status: HTTPResponseStatus, contentType: String, body: [UInt8], head: HTTPRequestHead, keepAlive: Bool,
        context: ChannelHandlerContext
    ) {
        var headers: HTTPHeaders = ["content-type": contentType, "content-length": String(body.count)]
        if !keepAlive { headers.add(name: "connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if head.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        }
        deadlines.responseSent()
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            if !keepAlive { context.close(promise: nil) }
        }
    }
}
