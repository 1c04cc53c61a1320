import Admission
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// The HTTPS admission webhook as a swift-service-lifecycle `Service`: listens, terminates TLS with
/// OpenSSL, routes `/mutate`, `/healthz` and `/readyz`. On graceful shutdown it turns unready,
/// keeps serving through the drain period, stops accepting, lets in-flight requests finish
/// (cutting what remains after the grace period) and returns.
public final class WebhookServer: Service {
    private let configuration: WebhookServerConfiguration
    private let controller: AdmissionController
    private let reporter: FailureReporter
    private let certificates: ServingCertificateStore
    private let metrics: WebhookMetrics
    private let readiness: WebhookReadiness
    private let logger: Logger
    private let group: EventLoopGroup
    private let listening: EventLoopPromise<SocketAddress>
    private let bodyBudget: RequestBodyBudget
    private let threadPool: NIOThreadPool

    public init(
        configuration: WebhookServerConfiguration,
        controller: AdmissionController,
        reporter: FailureReporter,
        certificates: ServingCertificateStore,
        metrics: WebhookMetrics,
        readiness: WebhookReadiness,
        logger: Logger,
        eventLoopGroup: EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        threadPool: NIOThreadPool = .singleton
    ) {
        self.configuration = configuration
        self.controller = controller
        self.reporter = reporter
        self.certificates = certificates
        self.metrics = metrics
        self.readiness = readiness
        self.logger = logger
        self.group = eventLoopGroup
        self.listening = eventLoopGroup.next().makePromise(of: SocketAddress.self)
        self.bodyBudget = RequestBodyBudget(limit: configuration.maxInFlightBodyBytes)
        self.threadPool = threadPool
    }

    /// The address the server is bound to, once it is (port 0 in the configuration picks a free one).
    public var listeningAddress: SocketAddress {
        get async throws { try await listening.futureResult.get() }
    }

    public func run() async throws {
        let serverChannel: Channel
        let registry: NIOLoopBound<ConnectionRegistry>
        do {
            (serverChannel, registry) = try await bind()
        } catch {
            listening.fail(error)
            throw WebhookServerError.cannotListen(host: configuration.host, port: configuration.port, reason: WebhookServerError.listenFailureReason(error))
        }
        let address = serverChannel.localAddress
        if let address { listening.succeed(address) }
        metrics.servingCertificate(expiresAt: certificates.context.certificateExpiry)
        readiness.markListening()
        logger.info("webhook listening", metadata: [
            "address": "\(address.map(Self.describe) ?? "?")", "certificateNotAfter": "\(certificates.context.certificateNotAfter)",
        ])

        let trimmer = try? await serverChannel.eventLoop.submit { [bodyBudget, metrics] in
            let trimmer = MemoryTrimmer(bodyBudget: bodyBudget, metrics: metrics)
            trimmer.start(on: serverChannel.eventLoop)
            return NIOLoopBound(trimmer, eventLoop: serverChannel.eventLoop)
        }.get()
        defer { serverChannel.eventLoop.execute { trimmer?.value.stop() } }

        let graceful: Bool
        do {
            try await gracefulShutdown()
            graceful = true
        } catch {
            graceful = false
        }

        readiness.markShuttingDown()
        if graceful {
            logger.info("shutting down: unready, serving through the drain period", metadata: [
                "drainSeconds": "\(Double(configuration.drainPeriod.nanoseconds) / 1e9)",
            ])
            try? await Task.sleep(nanoseconds: UInt64(max(0, configuration.drainPeriod.nanoseconds)))
        }
        try? await serverChannel.close()
        let loop = serverChannel.eventLoop
        if graceful {
            let drained: Void? = try? await loop.flatSubmit { registry.value.quiesce(eventLoop: loop) }
                .withTimeout(configuration.inFlightGracePeriod, on: loop).get()
            if drained == nil {
                logger.warning("in-flight requests did not finish within the grace period; closing their connections")
            }
        }
        try? await loop.submit { registry.value.closeAll(eventLoop: loop) }.get()
        logger.info("webhook stopped")
    }

    /// "HOST:PORT" for logs.
    static func describe(_ address: SocketAddress) -> String {
        "\(address.ipAddress ?? "?"):\(address.port ?? 0)"
    }

    private func bind() async throws -> (Channel, NIOLoopBound<ConnectionRegistry>) {
        let configuration = configuration
        let controller = controller
        let reporter = reporter
        let certificates = certificates
        let metrics = metrics
        let readiness = readiness
        let logger = logger
        let bodyBudget = bodyBudget
        let threadPool = threadPool
        let handshakes = HandshakeTracker()
        let serverLoop = group.next()
        let registry = try await serverLoop.submit {
            NIOLoopBound(ConnectionRegistry(
                maxConnections: configuration.maxConnections,
                reporting: .init(listener: "webhook", opened: { metrics.connectionOpened() },
                                 closed: { metrics.connectionClosed() }, rejected: { metrics.connectionRejected() }),
                handshakes: handshakes, logger: logger), eventLoop: serverLoop)
        }.get()
        let channel = try await ServerBootstrap(group: serverLoop, childGroup: group)
            .serverChannelOption(.backlog, value: 512)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(registry.value)
                }
            }
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 4)
            // Unwritable above the unflushed-output bound: the TLS handler then stops reading.
            .childChannelOption(.writeBufferWaterMark, value: .init(
                low: configuration.maxUnflushedOutputBytes / 2, high: configuration.maxUnflushedOutputBytes))
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let tls = OpenSSLServerHandler(
                        context: certificates.context, handshakeTimeout: configuration.tlsHandshakeTimeout,
                        flushBatcher: TickFlushBatcher.current(on: channel.eventLoop), handshakes: handshakes,
                        maxUnflushedOutput: configuration.maxUnflushedOutputBytes, metrics: metrics, logger: logger)
                    else {
                        throw WebhookServerError.openSSLAllocationFailed
                    }
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(tls)
                    let deadlines = ConnectionDeadlineHandler(
                        requestReadTimeout: configuration.requestReadTimeout, idleTimeout: configuration.idleTimeout)
                    try pipeline.addHandler(deadlines)
                    try pipeline.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
                    try pipeline.addHandler(WebhookHTTPHandler(
                        controller: controller, reporter: reporter, readiness: readiness, metrics: metrics,
                        configuration: configuration, logger: logger, deadlines: deadlines,
                        bodyBudget: bodyBudget, threadPool: threadPool))
                }
            }
            .bind(host: configuration.host, port: configuration.port)
            .get()
        return (channel, registry)
    }
}

extension EventLoopFuture where Value: Sendable {
    /// This future, or a `gracePeriodExpired` failure once `timeout` has passed.
    fileprivate func withTimeout(_ timeout: TimeAmount, on loop: EventLoop) -> EventLoopFuture<Value> {
        let promise = loop.makePromise(of: Value.self)
        let timer = loop.scheduleTask(in: timeout) { promise.fail(WebhookServerError.gracePeriodExpired) }
        cascade(to: promise)
        promise.futureResult.whenComplete { _ in timer.cancel() }
        return promise.futureResult
    }
}
