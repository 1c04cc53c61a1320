import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus
import ServiceLifecycle

/// A plain-HTTP listener (default 0.0.0.0:9090) serving the Prometheus text rendering of a
/// `PrometheusCollectorRegistry` at `/metrics` (and any `healthChecks`: 200 when the check passes, 503
/// when not), as a swift-service-lifecycle `Service`. Kept apart
/// from the webhook port so scraping needs no client certificate and never competes with admission;
/// bounded like the webhook (`MetricsListenerLimits`) so it can never take the descriptors the
/// webhook needs.
public final class MetricsListener: Service {
    private let host: String
    private let port: Int
    private let registry: PrometheusCollectorRegistry
    private let limits: MetricsListenerLimits
    private let metrics: WebhookMetrics?
    private let logger: Logger
    private let group: EventLoopGroup
    private let listening: EventLoopPromise<SocketAddress>
    private let healthChecks: [String: @Sendable () -> Bool]

    public init(
        host: String = "0.0.0.0", port: Int = 9090, registry: PrometheusCollectorRegistry,
        limits: MetricsListenerLimits = MetricsListenerLimits(), metrics: WebhookMetrics? = nil, logger: Logger,
        eventLoopGroup: EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        healthChecks: [String: @Sendable () -> Bool] = [:]
    ) {
        self.healthChecks = healthChecks
        self.host = host
        self.port = port
        self.registry = registry
        self.limits = limits
        self.metrics = metrics
        self.logger = logger
        self.group = eventLoopGroup
        self.listening = eventLoopGroup.next().makePromise(of: SocketAddress.self)
    }

    public var listeningAddress: SocketAddress {
        get async throws { try await listening.futureResult.get() }
    }

    public func run() async throws {
        let registry = registry
        let healthChecks = healthChecks
        let limits = limits
        let metrics = metrics
        let logger = logger
        let serverLoop = group.next()
        let channel: Channel
        do {
            let connections = try await serverLoop.submit {
                NIOLoopBound(ConnectionRegistry(
                    maxConnections: limits.maxConnections,
                    reporting: .init(listener: "metrics", rejected: { metrics?.metricsConnectionRejected() }),
                    handshakes: nil, logger: logger), eventLoop: serverLoop)
            }.get()
            channel = try await ServerBootstrap(group: serverLoop, childGroup: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(connections.value)
                    }
                }
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let deadlines = ConnectionDeadlineHandler(
                            requestReadTimeout: limits.requestReadTimeout, idleTimeout: limits.idleTimeout)
                        let pipeline = channel.pipeline.syncOperations
                        try pipeline.addHandler(deadlines)
                        try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
                        try pipeline.addHandler(MetricsHTTPHandler(
                            registry: registry, maxBodyBytes: limits.maxBodyBytes, deadlines: deadlines,
                            healthChecks: healthChecks))
                    }
                }
                .bind(host: host, port: port).get()
        } catch {
            listening.fail(error)
            throw WebhookServerError.cannotListen(host: host, port: port, reason: WebhookServerError.listenFailureReason(error))
        }
        if let address = channel.localAddress { listening.succeed(address) }
        logger.info("metrics listening", metadata: ["address": "\(channel.localAddress.map(WebhookServer.describe) ?? "?")"])
        // Scrapes continue through the webhook's drain; this stops when the group gets to it.
        try? await gracefulShutdown()
        try? await channel.close()
    }
}
