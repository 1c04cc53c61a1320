import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus
import ServiceLifecycle

/// A plain-HTTP listener (default 0.0.0.0:9090) serving the Prometheus text rendering of a
/// `PrometheusCollectorRegistry` at `/metrics` (and any `healthChecks`: 200 when the check passes, 503
/// when not), as a swift-service-lifecycle `Service`. Kept apart
/// from the webhook port so scraping needs no client certificate and never competes with admission.
public final class MetricsListener: Service {
    private let host: String
    private let port: Int
    private let registry: PrometheusCollectorRegistry
    private let logger: Logger
    private let group: EventLoopGroup
    private let listening: EventLoopPromise<SocketAddress>
    private let healthChecks: [String: @Sendable () -> Bool]

    public init(
        host: String = "0.0.0.0", port: Int = 9090, registry: PrometheusCollectorRegistry, logger: Logger,
        eventLoopGroup: EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        healthChecks: [String: @Sendable () -> Bool] = [:]
    ) {
        self.healthChecks = healthChecks
        self.host = host
        self.port = port
        self.registry = registry
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
        let channel: Channel
        do {
            channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(MetricsHTTPHandler(registry: registry, healthChecks: healthChecks))
                    }
                }
                .bind(host: host, port: port).get()
        } catch {
            listening.fail(error)
            throw WebhookServerError.cannotListen(host: host, port: port, reason: "\(error)")
        }
        if let address = channel.localAddress { listening.succeed(address) }
        logger.info("metrics listening", metadata: ["address": "\(channel.localAddress.map(WebhookServer.describe) ?? "?")"])
        // Scrapes continue through the webhook's drain; this stops when the group gets to it.
        try? await gracefulShutdown()
        try? await channel.close()
    }
}
