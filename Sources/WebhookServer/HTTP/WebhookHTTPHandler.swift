import Admission
import Logging
import NIOCore
import NIOHTTP1

/// Routes one connection's HTTP requests: `POST /mutate` through the admission core, `GET /healthz`
/// and `GET /readyz`. Enforces the body limit from Content-Length before reading a body, honours
/// the API server's `?timeout=`, counts every review and hands failure records to the reporter.
/// Admission runs right here on the event loop: it is pure and takes microseconds.
///
/// Each request is answered before the next one's head is read, so pipelined requests are
/// answered in order without NIOHTTP1's pipeline handler; each answer is written whole, as one
/// buffer (`HTTPResponseWriter`). On shutdown (`ChannelShouldQuiesceEvent`) an idle connection
/// closes at once and a busy one after its answer; a request the parser refuses gets a 400.
final class WebhookHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = ByteBuffer

    private enum Route {
        case mutate(timeout: TimeAmount?)
        case healthz
        case readyz
        case notFound
        case methodNotAllowed
    }

    private enum State {
        case idle
        /// Reading a request we will answer at its end.
        case reading(route: Route, head: HTTPRequestHead, body: ByteBuffer?, started: NIODeadline)
        /// Answered early (413); what still arrives of the request is dropped until we close.
        case discarding
    }

    private let controller: AdmissionController
    private let reporter: FailureReporter
    private let readiness: WebhookReadiness
    private let clusterState: ClusterStateStore?
    private let metrics: WebhookMetrics
    private let configuration: WebhookServerConfiguration
    private let logger: Logger
    private let deadlines: ConnectionDeadlineHandler
    private var state = State.idle
    /// Shutdown asked this connection to close once the request being read is answered.
    private var closeAfterResponse = false
    /// The previous response body's buffer: the TLS handler copies a body out while it is
    /// written, so the next response can reuse the storage instead of allocating.
    private var responseBuffer: ByteBuffer?

    private static let json: StaticString = "application/json"
    private static let text: StaticString = "text/plain; charset=utf-8"

    init(
        controller: AdmissionController, reporter: FailureReporter, readiness: WebhookReadiness,
        clusterState: ClusterStateStore? = nil, metrics: WebhookMetrics, configuration: WebhookServerConfiguration, logger: Logger,
        deadlines: ConnectionDeadlineHandler
    ) {
        self.deadlines = deadlines
        self.controller = controller
        self.reporter = reporter
        self.readiness = readiness
        self.clusterState = clusterState
        self.metrics = metrics
        self.configuration = configuration
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            receivedHead(head, context: context)
        case .body(var chunk):
            guard case .reading(let route, let head, var body, let started) = state else { return }
            guard case .mutate = route else { return }  // bodies of other routes are ignored
            if (body?.readableBytes ?? 0) + chunk.readableBytes > configuration.maxBodyBytes {
                // Chunked or lying Content-Length: refuse once the limit is crossed.
                state = .discarding
                metrics.reviewAbandoned()
                rejectTooLarge(head: head, context: context)
                return
            }
            state = .idle  // drop our reference so `body` is uniquely owned while appending
            if body == nil {
                body = chunk
            } else {
                body?.writeBuffer(&chunk)
            }
            state = .reading(route: route, head: head, body: body, started: started)
        case .end:
            guard case .reading(let route, let head, let body, let started) = state else {
                return
            }
            state = .idle
            deadlines.requestRead()
            answer(route: route, head: head, body: body, started: started, context: context)
        }
    }

    private func receivedHead(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let route = Self.route(head)
        let started = NIODeadline.now()
        if case .mutate = route {
            if let length = head.headers.first(name: "content-length").flatMap({ Int($0) }),
               length > configuration.maxBodyBytes
            {
                state = .discarding
                rejectTooLarge(head: head, context: context)
                return
            }
            metrics.reviewStarted()
        }
        state = .reading(route: route, head: head, body: nil, started: started)
    }

    private static func route(_ head: HTTPRequestHead) -> Route {
        // On the URI's bytes: Character-wise String comparison costs more than the rest of routing.
        var uri = head.uri
        return uri.withUTF8 { uri in
            let mark = uri.firstIndex(of: UInt8(ascii: "?"))
            let path = UnsafeBufferPointer(rebasing: uri[..<(mark ?? uri.count)])
            if path.elementsEqual("/mutate".utf8) {
                guard head.method == .POST else { return .methodNotAllowed }
                return .mutate(timeout: mark.flatMap { timeoutParameter(UnsafeBufferPointer(rebasing: uri[($0 + 1)...])) })
            }
            if path.elementsEqual("/healthz".utf8) {
                return head.method == .GET || head.method == .HEAD ? .healthz : .methodNotAllowed
            }
            if path.elementsEqual("/readyz".utf8) {
                return head.method == .GET || head.method == .HEAD ? .readyz : .methodNotAllowed
            }
            return .notFound
        }
    }

    /// `timeout` of a query string such as `timeout=10s` (the API server sends nothing else).
    private static func timeoutParameter(_ query: UnsafeBufferPointer<UInt8>) -> TimeAmount? {
        for pair in query.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true)
        where pair.starts(with: "timeout=".utf8) {
            return GoDuration.parse(bytes: UnsafeBufferPointer(rebasing: pair.dropFirst("timeout=".utf8.count)))
        }
        return nil
    }

    private func answer(route: Route, head: HTTPRequestHead, body: ByteBuffer?, started: NIODeadline, context: ChannelHandlerContext) {
        switch route {
        case .mutate(let timeout):
            review(head: head, body: body, timeout: timeout, started: started, context: context)
        case .healthz:
            respond(.ok, contentType: Self.text, body: Array("ok\n".utf8), head: head, context: context)
        case .readyz:
            if readiness.isReady {
                respond(.ok, contentType: Self.text, body: Array("ok\n".utf8), head: head, context: context)
            } else {
                respond(.serviceUnavailable, contentType: Self.text, body: Array("not ready\n".utf8), head: head, context: context)
            }
        case .notFound:
            respond(.notFound, contentType: Self.text, body: Array("not found\n".utf8), head: head, context: context)
        case .methodNotAllowed:
            respond(.methodNotAllowed, contentType: Self.text, body: Array("method not allowed\n".utf8), head: head, context: context)
        }
    }

    private func review(head: HTTPRequestHead, body: ByteBuffer?, timeout: TimeAmount?, started: NIODeadline, context: ChannelHandlerContext) {
        let bytes = body.map { Array($0.readableBytesView) } ?? []
        let outcome: AdmissionOutcome
        if let timeout, NIODeadline.now() - started >= budget(of: timeout),
           let identity = AdmissionController.requestIdentity(bytes)
        {
            // Reading the request used up the API server's patience: an unchanged pod now beats
            // a patched one too late (the API server would apply its failurePolicy).
            outcome = AdmissionOutcome(
                result: .skipped, httpStatus: 200,
                body: AdmissionController.allowUnchanged(uid: identity.uid, apiVersion: identity.apiVersion),
                patchOperations: 0, failure: nil)
            logger.warning("answered allowed-unchanged: the request's timeout had nearly run out", metadata: [
                "uid": "\(identity.uid)", "timeout": "\(timeout)",
            ])
        } else {
            outcome = controller.review(bytes, cluster: clusterState?.snapshot)
        }
        if let namespace = outcome.unknownNamespace {
            metrics.namespaceUnknown()
            clusterState?.namespaceUnknown(namespace)
        }
        if let failure = outcome.failure {
            reporter.report(failure)
        }
        respond(HTTPResponseStatus(statusCode: outcome.httpStatus),
                contentType: outcome.httpStatus == 200 ? Self.json : Self.text,
                body: outcome.body, head: head, context: context)
        metrics.reviewFinished(outcome.result, patchOperations: outcome.patchOperations,
                               nanoseconds: (NIODeadline.now() - started).nanoseconds)
    }

    /// How long a review may take before answering allowed-unchanged is the better answer.
    private func budget(of timeout: TimeAmount) -> TimeAmount {
        let margin = min(Int64(Double(timeout.nanoseconds) * configuration.timeoutMarginFraction), 1_000_000_000)
        return .nanoseconds(max(0, timeout.nanoseconds - margin))
    }

    private func respond(
        _ status: HTTPResponseStatus, contentType: StaticString, body: [UInt8], head request: HTTPRequestHead,
        context: ChannelHandlerContext
    ) {
        let keepAlive = request.isKeepAlive && !closeAfterResponse
        var buffer = responseBuffer ?? context.channel.allocator.buffer(capacity: body.count + 128)
        responseBuffer = nil
        buffer.clear()  // allocates only if something downstream still holds the storage
        HTTPResponseWriter.write(
            status: status, contentType: contentType, body: body, includeBody: request.method != .HEAD,
            version: request.version, connection: HTTPResponseWriter.connectionHeader(keepAlive: keepAlive, version: request.version),
            into: &buffer)
        deadlines.responseSent()
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)  // no promise: one allocation less per request
        } else {
            context.writeAndFlush(wrapOutboundOut(buffer)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
        if buffer.capacity <= 64 * 1024 { responseBuffer = buffer }
    }

    private func rejectTooLarge(head request: HTTPRequestHead, context: ChannelHandlerContext) {
        deadlines.requestRead()
        // The rest of the body is never read: close as soon as the answer is out.
        closeWithAnswer(
            .payloadTooLarge, body: Array("request body larger than \(configuration.maxBodyBytes) bytes\n".utf8),
            version: request.version, context: context)
    }

    /// Answers, then closes once the answer is written.
    private func closeWithAnswer(_ status: HTTPResponseStatus, body: [UInt8], version: HTTPVersion, context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: body.count + 128)
        HTTPResponseWriter.write(
            status: status, contentType: Self.text, body: body, includeBody: true, version: version,
            connection: .close, into: &buffer)
        context.writeAndFlush(wrapOutboundOut(buffer)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        switch state {
        case .idle: context.close(promise: nil)
        case .reading: closeAfterResponse = true
        case .discarding: break  // already closing after its 413
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        guard error is HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        // Not HTTP we can read: say so, and close, since where the next request starts is unknown.
        if case .reading(.mutate, _, _, _) = state { metrics.reviewAbandoned() }
        let wasDiscarding: Bool
        if case .discarding = state { wasDiscarding = true } else { wasDiscarding = false }
        state = .discarding
        deadlines.requestRead()
        if wasDiscarding {
            context.close(promise: nil)
        } else {
            closeWithAnswer(.badRequest, body: Array("malformed HTTP request\n".utf8), version: .http1_1, context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if case .reading(.mutate, _, _, _) = state { metrics.reviewAbandoned() }
        state = .idle
        context.fireChannelInactive()
    }
}
