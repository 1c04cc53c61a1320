import NIOCore

/// Closes connections whose client is too slow or silent: a request must arrive completely
/// within the request-read timeout of its first byte, and a keep-alive connection may sit
/// without a request for at most the idle timeout. Sits on the plaintext side, before the HTTP
/// decoder, so it sees a request's first byte; the HTTP handler tells it when a request has been
/// read and when its response is sent, through outbound user events.
final class ConnectionDeadlineHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    /// Outbound user events from the HTTP handler.
    enum Event {
        case requestRead
        case responseSent
    }

    private enum State {
        case waitingForRequest
        case readingRequest
        case answering
    }

    private let requestReadTimeout: TimeAmount
    private let idleTimeout: TimeAmount
    private var state = State.waitingForRequest
    private var timer: Scheduled<Void>?

    init(requestReadTimeout: TimeAmount, idleTimeout: TimeAmount) {
        self.requestReadTimeout = requestReadTimeout
        self.idleTimeout = idleTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        arm(idleTimeout, context: context)
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
        if state == .waitingForRequest {
            state = .readingRequest
            arm(requestReadTimeout, context: context)
        }
        context.fireChannelRead(data)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard let event = event as? Event else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        switch event {
        case .requestRead:
            state = .answering
            timer?.cancel()
            timer = nil
        case .responseSent:
            state = .waitingForRequest
            arm(idleTimeout, context: context)
        }
        promise?.succeed(())
    }

    private func arm(_ timeout: TimeAmount, context: ChannelHandlerContext) {
        timer?.cancel()
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            context.close(promise: nil)
        }
    }
}
