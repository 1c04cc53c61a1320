import NIOCore

/// The bounds of the metrics listener, like the webhook's own: Prometheus scrapes over one or two
/// connections, so a small cap leaves the process's descriptors to the webhook however many
/// connections someone opens to the metrics port.
public struct MetricsListenerLimits: Sendable {
    /// Connections beyond this are closed as soon as they are accepted.
    public var maxConnections: Int = 64
    /// From a request's first byte until it has arrived whole.
    public var requestReadTimeout: TimeAmount = .seconds(10)
    /// A connection with no request for this long is closed (scrapes come every 15 to 60 s).
    public var idleTimeout: TimeAmount = .seconds(120)
    /// A request body above this (there is no reason for one) is answered 413 and the connection closed.
    public var maxBodyBytes: Int = 7 * 1024 * 1024

    public init() {}
}
