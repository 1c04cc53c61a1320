import NIOCore

/// Where the webhook listens and the limits that keep a slow, silent or hostile client from
/// holding resources. The defaults are for production; tests shorten the timeouts.
public struct WebhookServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Request bodies above this are answered 413 from their Content-Length, before any is read.
    public var maxBodyBytes: Int = 7 * 1024 * 1024
    /// Connections beyond this are closed as soon as they are accepted.
    public var maxConnections: Int = 1024
    /// The API server completes its handshake in well under 100 ms; a silent connection is cut
    /// after this (and, at the connection cap, earlier: oldest handshake first).
    public var tlsHandshakeTimeout: TimeAmount = .seconds(3)
    /// Request bodies in flight across all connections, reserved from each Content-Length: when
    /// they would exceed this, the next body is not read until earlier reviews are answered.
    public var maxInFlightBodyBytes: Int = 64 * 1024 * 1024
    /// A connection is not read while more than this of its answers is not yet on the socket
    /// (a client that pipelines requests and never reads its answers).
    public var maxUnflushedOutputBytes: Int = 1024 * 1024
    /// Reviews with a body at least this large are evaluated on NIO's thread pool instead of the
    /// event loop (above it admission takes more than about a millisecond; docs/server.md).
    public var offloadReviewBodyBytes: Int = 16 * 1024
    /// Header-read timeout: from a request's first byte until its head and body have arrived.
    public var requestReadTimeout: TimeAmount = .seconds(10)
    /// A keep-alive connection with no request for this long is closed.
    public var idleTimeout: TimeAmount = .seconds(120)
    /// On shutdown: how long to keep serving while unready, so endpoints stop sending traffic.
    public var drainPeriod: TimeAmount = .seconds(5)
    /// On shutdown, after the listener closes: how long in-flight requests get before connections are cut.
    public var inFlightGracePeriod: TimeAmount = .seconds(10)
    /// When the API server names no `?timeout=`, the answer is not hurried.
    /// When it does, at least this share of it is kept as margin (at most one second).
    public var timeoutMarginFraction: Double = 0.25

    public init(host: String = "0.0.0.0", port: Int = 8443) {
        self.host = host
        self.port = port
    }
}
