import NIOCore

/// Sits on the listening channel and knows every open connection: it closes connections beyond
/// the cap as they are accepted, and on shutdown asks the open ones to finish their current
/// request and close. All its state lives on the listening channel's event loop.
final class ConnectionRegistry: ChannelInboundHandler {
    typealias InboundIn = Channel
    typealias InboundOut = Channel

    private let maxConnections: Int
    private let metrics: WebhookMetrics
    private var open: [ObjectIdentifier: Channel] = [:]
    private var quiescing = false
    private var allClosed: EventLoopPromise<Void>?

    init(maxConnections: Int, metrics: WebhookMetrics) {
        self.maxConnections = maxConnections
        self.metrics = metrics
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let connection = unwrapInboundIn(data)
        guard !quiescing, open.count < maxConnections else {
            metrics.connectionRejected()
            connection.close(promise: nil)
            return
        }
        let id = ObjectIdentifier(connection)
        open[id] = connection
        metrics.connectionOpened()
        let loop = context.eventLoop
        connection.closeFuture.whenComplete { [loopBound = NIOLoopBound(self, eventLoop: loop)] _ in
            loop.execute { loopBound.value.closed(id) }
        }
        context.fireChannelRead(data)
    }

    private func closed(_ id: ObjectIdentifier) {
        guard open.removeValue(forKey: id) != nil else { return }
        metrics.connectionClosed()
        if open.isEmpty, let allClosed {
            self.allClosed = nil
            allClosed.succeed(())
        }
    }

    /// Stops admitting connections and asks each open one to close after its in-flight request
    /// (`WebhookHTTPHandler` closes idle ones at once). The future completes when all are gone.
    func quiesce(eventLoop: EventLoop) -> EventLoopFuture<Void> {
        eventLoop.preconditionInEventLoop()
        quiescing = true
        if open.isEmpty { return eventLoop.makeSucceededVoidFuture() }
        let promise = allClosed ?? eventLoop.makePromise(of: Void.self)
        allClosed = promise
        for connection in open.values {
            connection.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
        return promise.futureResult
    }

    /// Cuts every connection still open.
    func closeAll(eventLoop: EventLoop) {
        eventLoop.preconditionInEventLoop()
        for connection in open.values {
            connection.close(promise: nil)
        }
    }
}
