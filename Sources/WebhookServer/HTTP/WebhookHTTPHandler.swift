import Admission
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// Routes one connection's HTTP requests: `POST /mutate` through the admission core, `GET /healthz`
/// and `GET /readyz`. Enforces the body limit from Content-Length before reading a body, reserves
/// the body from the server-wide `RequestBodyBudget` (not reading while it is used up), honours
/// the API server's `?timeout=`, counts every review and hands failure records to the reporter.
/// Admission runs right here on the event loop (it takes microseconds); a review with a body
/// large enough to take more than about a millisecond runs on NIO's thread pool instead.
///
/// Each request is answered before the next one's head is read, so pipelined requests are
/// answered in order without NIOHTTP1's pipeline handler; each answer is written whole, as one
/// buffer (`HTTPResponseWriter`). An answer that says `Connection: close` (the client asked, a
/// 413 or 400, or shutdown has begun) is the connection's last: nothing after it is answered
/// (RFC 9112 §9.6), and once it is flushed the connection is half-closed and then closed.
final class WebhookHTTPHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum Route {
        case mutate(timeout: TimeAmount?)
        case healthz
        case readyz
        case notFound
        case methodNotAllowed(allow: StaticString)
    }

    private enum State {
        case idle
        /// Reading a request we will answer at its end.
        case reading(route: Route, head: HTTPRequestHead, body: ByteBuffer?, started: NIODeadline)
        /// A large review is on the thread pool; parts of later requests wait in `deferredParts`.
        case evaluating
        /// The last answer (with `Connection: close`) is written; what still arrives is dropped.
        case closing
    }

    private let controller: AdmissionController
    private let reporter: FailureReporter
    private let readiness: WebhookReadiness
    private let clusterState: ClusterStateStore?
    private let metrics: WebhookMetrics
    private let configuration: WebhookServerConfiguration
    private let logger: Logger
    private let deadlines: ConnectionDeadlineHandler
    private let bodyBudget: RequestBodyBudget?
    private let threadPool: NIOThreadPool?
    private var state = State.idle
    /// Shutdown asked this connection to close once the request being read is answered.
    private var closeAfterResponse = false
    /// The previous response body's buffer: the TLS handler copies a body out while it is
    /// written, so the next response can reuse the storage instead of allocating.
    private var responseBuffer: ByteBuffer?
    /// Content-Length of the request being read, to size its body buffer once.
    private var expectedBodyLength = 0
    /// Bytes of `bodyBudget` the request being read holds.
    private var reservedBodyBytes = 0
    /// Bytes the request being read waits for from `bodyBudget`; 0 when not waiting.
    private var waitingForBudget = 0
    private var budgetRetry: Scheduled<Void>?
    private var deferredParts: [HTTPServerRequestPart] = []
    /// A read was asked for while reading is paused (budget, evaluation); issued on resume.
    private var readPending = false
    private var inactive = false

    private static let json: StaticString = "application/json"
    private static let text: StaticString = "text/plain; charset=utf-8"
    /// Bodies from this size on are reserved from the body budget.
    private static let budgetedBodyBytes = 16 * 1024
    /// How often a connection waiting for the body budget tries again.
    private static let budgetRetryInterval: TimeAmount = .milliseconds(10)
    /// After the last answer: how long to wait for the client to close before closing anyway.
    private static let lingerTimeout: TimeAmount = .seconds(2)
    /// On shutdown, an idle connection closes after this, so a request already on its way is read.
    private static let quiesceGrace: TimeAmount = .milliseconds(50)

    init(
        controller: AdmissionController, reporter: FailureReporter, readiness: WebhookReadiness,
        clusterState: ClusterStateStore? = nil, metrics: WebhookMetrics, configuration: WebhookServerConfiguration, logger: Logger,
        deadlines: ConnectionDeadlineHandler, bodyBudget: RequestBodyBudget? = nil, threadPool: NIOThreadPool? = nil
    ) {
        self.deadlines = deadlines
        self.controller = controller
        self.reporter = reporter
        self.readiness = readiness
        self.clusterState = clusterState
        self.metrics = metrics
        self.configuration = configuration
        self.logger = logger
        self.bodyBudget = bodyBudget
        self.threadPool = threadPool
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch state {
        case .closing: return
        case .evaluating: deferredParts.append(part)
        case .idle, .reading: handle(part, context: context)
        }
    }

    private func handle(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch part {
        case .head(let head):
            receivedHead(head, context: context)
        case .body(var chunk):
            guard case .reading(let route, let head, var body, let started) = state else { return }
            guard case .mutate = route else { return }  // bodies of other routes are ignored
            if (body?.readableBytes ?? 0) + chunk.readableBytes > configuration.maxBodyBytes {
                // Chunked or lying Content-Length: refuse once the limit is crossed.
                metrics.reviewAbandoned()
                releaseBody()
                rejectTooLarge(head: head, context: context)
                return
            }
            state = .idle  // drop our reference so `body` is uniquely owned while appending
            if body == nil {
                if chunk.readableBytes < expectedBodyLength && (bodyBudget == nil || reservedBodyBytes > 0) {
                    // The body comes in pieces: one buffer of its full size, not a doubling series
                    // (not while still waiting for the budget: that would take the memory anyway).
                    var whole = context.channel.allocator.buffer(capacity: expectedBodyLength)
                    whole.writeBuffer(&chunk)
                    body = whole
                } else {
                    body = chunk
                }
            } else {
                body?.writeBuffer(&chunk)
            }
            state = .reading(route: route, head: head, body: body, started: started)
        case .end:
            guard case .reading(let route, let head, let body, let started) = state else {
                return
            }
            // Everything is in memory already: no reason to keep waiting for the budget.
            stopWaitingForBudget(context: context)
            state = .idle
            deadlines.requestRead()
            answer(route: route, head: head, body: body, started: started, context: context)
        }
    }

    private func receivedHead(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let route = Self.route(head)
        let started = NIODeadline.now()
        if case .mutate = route {
            var length = 0
            if let declared = head.headers.first(name: "content-length").flatMap({ Int($0) }) {
                guard declared <= configuration.maxBodyBytes else {
                    rejectTooLarge(head: head, context: context)
                    return
                }
                length = declared
            } else if head.headers.contains(name: "transfer-encoding") {
                length = configuration.maxBodyBytes  // chunked: the size is only known at the end
            }
            expectedBodyLength = length
            metrics.reviewStarted()
            // Small bodies are bounded by the connection cap alone (1,024 × 16 KiB = 16 MiB): the
            // shared counter stays off the path of the ordinary few-KiB review.
            if let bodyBudget, length >= Self.budgetedBodyBytes {
                if bodyBudget.tryReserve(length) {
                    reservedBodyBytes = length
                } else {
                    waitForBudget(length, context: context)
                }
            }
        }
        state = .reading(route: route, head: head, body: nil, started: started)
    }

    // MARK: the body budget

    private func waitForBudget(_ bytes: Int, context: ChannelHandlerContext) {
        waitingForBudget = bytes
        budgetRetry = context.eventLoop.assumeIsolated().scheduleTask(in: Self.budgetRetryInterval) { [self] in
            budgetRetry = nil
            guard waitingForBudget > 0, let bodyBudget else { return }
            if bodyBudget.tryReserve(waitingForBudget) {
                reservedBodyBytes = waitingForBudget
                waitingForBudget = 0
                resumeReading(context: context)
            } else {
                waitForBudget(waitingForBudget, context: context)
            }
        }
    }

    private func stopWaitingForBudget(context: ChannelHandlerContext) {
        guard waitingForBudget > 0 else { return }
        waitingForBudget = 0
        budgetRetry?.cancel()
        budgetRetry = nil
        resumeReading(context: context)
    }

    private func releaseBody() {
        bodyBudget?.release(reservedBodyBytes)
        reservedBodyBytes = 0
        expectedBodyLength = 0
        waitingForBudget = 0
        budgetRetry?.cancel()
        budgetRetry = nil
    }

    // MARK: reading paused

    private var readingPaused: Bool {
        if waitingForBudget > 0 { return true }
        if case .evaluating = state { return true }
        return false
    }

    func read(context: ChannelHandlerContext) {
        if readingPaused {
            readPending = true
        } else {
            context.read()
        }
    }

    private func resumeReading(context: ChannelHandlerContext) {
        guard readPending, !readingPaused else { return }
        readPending = false
        context.read()
    }

    // MARK: routing and answering

    private static func route(_ head: HTTPRequestHead) -> Route {
        // On the URI's bytes: Character-wise String comparison costs more than the rest of routing.
        var uri = head.uri
        return uri.withUTF8 { uri in
            let mark = uri.firstIndex(of: UInt8(ascii: "?"))
            let path = UnsafeBufferPointer(rebasing: uri[..<(mark ?? uri.count)])
            if path.elementsEqual("/mutate".utf8) {
                guard head.method == .POST else { return .methodNotAllowed(allow: "POST") }
                return .mutate(timeout: mark.flatMap { timeoutParameter(UnsafeBufferPointer(rebasing: uri[($0 + 1)...])) })
            }
            if path.elementsEqual("/healthz".utf8) {
                return head.method == .GET || head.method == .HEAD ? .healthz : .methodNotAllowed(allow: "GET, HEAD")
            }
            if path.elementsEqual("/readyz".utf8) {
                return head.method == .GET || head.method == .HEAD ? .readyz : .methodNotAllowed(allow: "GET, HEAD")
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
        case .methodNotAllowed(let allow):
            respond(.methodNotAllowed, contentType: Self.text, body: Array("method not allowed\n".utf8), head: head,
                    allow: allow, context: context)
        }
    }

    private func review(head: HTTPRequestHead, body: ByteBuffer?, timeout: TimeAmount?, started: NIODeadline, context: ChannelHandlerContext) {
        if let timeout, NIODeadline.now() - started >= budget(of: timeout) {
            let bytes = body.map { Array($0.readableBytesView) } ?? []
            if let identity = AdmissionController.requestIdentity(bytes) {
                // Reading the request used up the API server's patience: an unchanged pod now beats
                // a patched one too late (the API server would apply its failurePolicy).
                releaseBody()
                logger.warning("answered allowed-unchanged: the request's timeout had nearly run out", metadata: [
                    "uid": "\(identity.uid)", "timeout": "\(timeout)",
                ])
                finishReview(AdmissionOutcome(
                    result: .skipped, httpStatus: 200,
                    body: AdmissionController.allowUnchanged(uid: identity.uid, apiVersion: identity.apiVersion),
                    patchOperations: 0, failure: nil), head: head, started: started, context: context)
                return
            }
        }
        let size = body?.readableBytes ?? 0
        if size >= configuration.offloadReviewBodyBytes, let threadPool {
            // Long enough to delay every other connection on this loop: evaluate on the pool.
            state = .evaluating
            let controller = controller
            let body = body ?? ByteBuffer()
            let cluster = clusterState?.snapshot
            threadPool.runIfActive(eventLoop: context.eventLoop) {
                controller.review(Array(body.readableBytesView), cluster: cluster)
            }.assumeIsolated().whenComplete { [self] result in
                guard !inactive else { return }  // abandoned and released in channelInactive
                state = .idle
                releaseBody()
                let outcome: AdmissionOutcome
                switch result {
                case .success(let evaluated): outcome = evaluated
                case .failure: outcome = controller.review(Array(body.readableBytesView), cluster: cluster)  // pool stopped
                }
                finishReview(outcome, head: head, started: started, context: context)
                replayDeferredParts(context: context)
            }
            return
        }
        let outcome = controller.review(body.map { Array($0.readableBytesView) } ?? [], cluster: clusterState?.snapshot)
        releaseBody()
        finishReview(outcome, head: head, started: started, context: context)
    }

    private func finishReview(_ outcome: AdmissionOutcome, head: HTTPRequestHead, started: NIODeadline, context: ChannelHandlerContext) {
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
        metrics.reviewFinished(outcome.result, failOpenReason: outcome.failOpenReason, patchOperations: outcome.patchOperations,
                               nanoseconds: (NIODeadline.now() - started).nanoseconds)
    }

    /// Parts of later requests that arrived while a review was on the thread pool, in order.
    private func replayDeferredParts(context: ChannelHandlerContext) {
        var index = 0
        while index < deferredParts.count {
            switch state {
            case .closing:
                deferredParts.removeAll()
                return
            case .evaluating:
                deferredParts.removeFirst(index)
                return
            case .idle, .reading:
                handle(deferredParts[index], context: context)
                index += 1
            }
        }
        deferredParts.removeAll(keepingCapacity: deferredParts.count <= 16)
        if case .evaluating = state { return }
        resumeReading(context: context)
    }

    /// How long a review may take before answering allowed-unchanged is the better answer.
    private func budget(of timeout: TimeAmount) -> TimeAmount {
        let margin = min(Int64(Double(timeout.nanoseconds) * configuration.timeoutMarginFraction), 1_000_000_000)
        return .nanoseconds(max(0, timeout.nanoseconds - margin))
    }

    private func respond(
        _ status: HTTPResponseStatus, contentType: StaticString, body: [UInt8], head request: HTTPRequestHead,
        allow: StaticString? = nil, context: ChannelHandlerContext
    ) {
        // From the start of shutdown every answer is the connection's last, so clients move on.
        let keepAlive = request.isKeepAlive && !closeAfterResponse && !readiness.isDraining
        var buffer = responseBuffer ?? context.channel.allocator.buffer(capacity: body.count + 128)
        responseBuffer = nil
        buffer.clear()  // allocates only if something downstream still holds the storage
        HTTPResponseWriter.write(
            status: status, contentType: contentType, body: body, includeBody: request.method != .HEAD,
            version: request.version, connection: HTTPResponseWriter.connectionHeader(keepAlive: keepAlive, version: request.version),
            allow: allow, into: &buffer)
        deadlines.responseSent()
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)  // no promise: one allocation less per request
        } else {
            state = .closing
            context.writeAndFlush(wrapOutboundOut(buffer)).assumeIsolated().whenComplete { [self] _ in
                closeAfterLastAnswer(context: context)
            }
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
        state = .closing
        var buffer = context.channel.allocator.buffer(capacity: body.count + 128)
        HTTPResponseWriter.write(
            status: status, contentType: Self.text, body: body, includeBody: true, version: version,
            connection: .close, into: &buffer)
        context.writeAndFlush(wrapOutboundOut(buffer)).assumeIsolated().whenComplete { [self] _ in
            closeAfterLastAnswer(context: context)
        }
    }

    /// Closes the sending side first (close_notify, then a TCP half-close) and waits a little for
    /// the client to close its side: closing at once, with a request of the client's still unread,
    /// would make the kernel reset the connection and could destroy the answer before it is read.
    private func closeAfterLastAnswer(context: ChannelHandlerContext) {
        context.close(mode: .output, promise: nil)
        context.eventLoop.assumeIsolated().scheduleTask(in: Self.lingerTimeout) {
            context.close(promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        closeAfterResponse = true
        guard case .idle = state else { return }  // answered with Connection: close, then closed
        // Idle: close, unless a request turns up first (one already on its way is then answered).
        context.eventLoop.assumeIsolated().scheduleTask(in: Self.quiesceGrace) { [self] in
            guard case .idle = state, deadlines.isWaitingForRequest, !inactive else { return }
            state = .closing
            closeAfterLastAnswer(context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        guard error is HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        switch state {
        case .closing:
            return  // after the last answer nothing is answered (RFC 9112 §9.6)
        case .reading(.mutate, _, _, _):
            metrics.reviewAbandoned()
            releaseBody()
        case .evaluating:
            // The parser failed on a later request; the review in flight is answered first.
            deferredParts.removeAll()
            closeAfterResponse = true
            return
        case .idle, .reading:
            break
        }
        // Not HTTP we can read: say so, and close, since where the next request starts is unknown.
        deadlines.requestRead()
        closeWithAnswer(.badRequest, body: Array("malformed HTTP request\n".utf8), version: .http1_1, context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        inactive = true
        switch state {
        case .reading(.mutate, _, _, _), .evaluating: metrics.reviewAbandoned()
        default: break
        }
        releaseBody()
        deferredParts.removeAll()
        state = .closing
        context.fireChannelInactive()
    }
}
