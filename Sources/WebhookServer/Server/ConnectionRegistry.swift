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
    private var open: [ObjectIdentifier: (channel: Channel, accepted: UInt64)] = [:]
    private var acceptedCount: UInt64 = 0
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
        acceptedCount += 1
        open[id] = (connection, acceptedCount)
        reporting.opened()
        let loop = context.eventLoop
        connection.closeFuture.whenComplete { [loopBound = NIOLoopBound(self, eventLoop: loop)] _ in
            loop.execute { loopBound.value.closed(id) }
        }
        context.fireChannelRead(data)
    }

    /// Closes the oldest connection whose TLS handshake has not completed; false when none is.
    private func evictOldestHandshake() -> Bool {
        guard let handshakes else { return false }
        let oldestFirst = open.sorted { $0.value.accepted < $1.value.accepted }.map(\.key)
        guard let victim = handshakes.firstStillHandshaking(in: oldestFirst),
              let entry = open.removeValue(forKey: victim)
        else { return false }
        reporting.rejected()
        reporting.closed()
        handshakes.connectionClosed(victim)
        entry.channel.close(promise: nil)
        return true
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
        for entry in open.values {
            entry.channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
        return promise.futureResult
    }

    /// Cuts every connection still open.
    func closeAll(eventLoop: EventLoop) {
        eventLoop.preconditionInEventLoop()
        for entry in open.values {
            entry.channel.close(promise: nil)
        }
    }
}
