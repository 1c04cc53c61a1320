import Logging
import NIOCore

/// Sits on a listening channel and knows every open connection: at the cap it makes room by
/// closing the oldest connection still in its TLS handshake (silent or slow clients), and only
/// when every connection is established closes the new one. On shutdown it asks the open ones to
/// finish their current request and close. All its state lives on the listening channel's loop.
final class ConnectionRegistry: ChannelInboundHandler {
    typealias InboundIn = Channel
    typealias InboundOut = Channel

    /// What the registry reports, so the webhook and the metrics listener count apart.
    struct Reporting {
        var listener: String
        var opened: @Sendable () -> Void = {}
        var closed: @Sendable () -> Void = {}
        var rejected: @Sendable () -> Void
    }

    private let maxConnections: Int
    private let reporting: Reporting
    private let logger: Logger
    /// nil where there is no handshake (the plain-HTTP metrics listener).
    private let handshakes: HandshakeTracker?
    private var open: [ObjectIdentifier: Channel] = [:]
    /// Connections in the order they were accepted, from `acceptOrderStart`: the candidates for
    /// eviction. One that closed or completed its handshake is never a candidate again, so it is
    /// dropped when met, which keeps finding the oldest handshake O(1) amortised even under a flood.
    private var acceptOrder: [ObjectIdentifier] = []
    private var acceptOrderStart = 0
    private var quiescing = false
    private var allClosed: EventLoopPromise<Void>?
    /// The cap was hit and logged; logged again only after the connections fell below it.
    private var capLogged = false

    init(maxConnections: Int, reporting: Reporting, handshakes: HandshakeTracker?, logger: Logger) {
        self.maxConnections = maxConnections
        self.reporting = reporting
        self.handshakes = handshakes
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let connection = unwrapInboundIn(data)
        guard !quiescing else {
            connection.close(promise: nil)
            return
        }
        if open.count >= maxConnections && !evictOldestHandshake() {
            reporting.rejected()
            if !capLogged {
                capLogged = true
                logger.warning("connection cap reached; refusing new connections", metadata: [
                    "listener": "\(reporting.listener)", "maxConnections": "\(maxConnections)",
                ])
            }
            connection.close(promise: nil)
            return
        }
        let id = ObjectIdentifier(connection)
        open[id] = connection
        if handshakes != nil { remember(id) }
        reporting.opened()
        let loop = context.eventLoop
        connection.closeFuture.whenComplete { [loopBound = NIOLoopBound(self, eventLoop: loop)] _ in
            loop.execute { loopBound.value.closed(id) }
        }
        context.fireChannelRead(data)
    }

    private func remember(_ id: ObjectIdentifier) {
        acceptOrder.append(id)
        // Drop what has closed once the list is mostly that (amortised O(1) per accept).
        if acceptOrder.count - acceptOrderStart > 2 * maxConnections + 64 {
            acceptOrder = acceptOrder[acceptOrderStart...].filter { open[$0] != nil }
            acceptOrderStart = 0
        }
    }

    /// Closes the oldest connection whose TLS handshake has not completed; false when none is.
    private func evictOldestHandshake() -> Bool {
        guard let handshakes else { return false }
        while acceptOrderStart < acceptOrder.count {
            let id = acceptOrder[acceptOrderStart]
            acceptOrderStart += 1
            guard open[id] != nil, !handshakes.isEstablished(id), let channel = open.removeValue(forKey: id) else {
                continue
            }
            reporting.rejected()
            reporting.closed()
            handshakes.connectionClosed(id)
            channel.close(promise: nil)
            return true
        }
        return false
    }

    private func closed(_ id: ObjectIdentifier) {
        handshakes?.connectionClosed(id)
        guard open.removeValue(forKey: id) != nil else { return }
        reporting.closed()
        if open.count < maxConnections { capLogged = false }
        if open.isEmpty, let allClosed {
            self.allClosed = nil
            allClosed.succeed(())
        }
    }

    /// Stops admitting connections and asks each open one to close after its in-flight request
    /// (`WebhookHTTPHandler` closes idle ones). The future completes when all are gone.
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
