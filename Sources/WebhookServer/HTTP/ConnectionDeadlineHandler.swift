import NIOCore

/// Closes connections whose client is too slow or silent: a request must arrive completely
/// within the request-read timeout of its first byte, and a keep-alive connection may sit
/// without a request for at most the idle timeout. Sits on the plaintext side, before the HTTP
/// decoder, so it sees a request's first byte; the HTTP handler of the same connection calls
/// `requestRead()` and `responseSent()` directly (same event loop, no pipeline events to cast).
///
/// Per request it only notes the time: one timer per connection checks the clock every quarter
/// of the shorter timeout, so a deadline is enforced within 1.25 times its length and no timer
/// is scheduled or cancelled on the request path.
final class ConnectionDeadlineHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private enum State {
        case waitingForRequest(since: NIODeadline)
        case readingRequest(since: NIODeadline)
        case answering
    }

    private let requestReadTimeout: TimeAmount
    private let idleTimeout: TimeAmount
    private let checkInterval: TimeAmount
    private var state = State.waitingForRequest(since: .now())
    private var timer: Scheduled<Void>?

    init(requestReadTimeout: TimeAmount, idleTimeout: TimeAmount) {
        self.requestReadTimeout = requestReadTimeout
        self.idleTimeout = idleTimeout
        self.checkInterval = .nanoseconds(max(1_000_000, min(requestReadTimeout, idleTimeout).nanoseconds / 4))
    }

    func handlerAdded(context: ChannelHandlerContext) {
        state = .waitingForRequest(since: .now())
        scheduleCheck(context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .waitingForRequest = state {
            state = .readingRequest(since: .now())
        }
        context.fireChannelRead(data)
    }

    /// The request's head and body are in: no read deadline while it is answered.
    func requestRead() {
        state = .answering
    }

    /// No byte of a next request has arrived since the last answer.
    var isWaitingForRequest: Bool {
        if case .waitingForRequest = state { return true }
        return false
    }

    /// The answer is written: the connection is idle until the next request's first byte.
    func responseSent() {
        state = .waitingForRequest(since: .now())
    }

    private func scheduleCheck(context: ChannelHandlerContext) {
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: checkInterval) { [self] in
            if deadlinePassed(now: .now()) {
                timer = nil
                context.close(promise: nil)
            } else {
                scheduleCheck(context: context)
            }
        }
    }

    private func deadlinePassed(now: NIODeadline) -> Bool {
        switch state {
        case .waitingForRequest(let since): return now - since >= idleTimeout
        case .readingRequest(let since): return now - since >= requestReadTimeout
        case .answering: return false
        }
    }
}
