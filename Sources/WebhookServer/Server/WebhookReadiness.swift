import Synchronization

/// Whether the webhook should receive traffic, as `/readyz` reports it: ready once the server is
/// listening with a certificate loaded, and unready again from the moment shutdown begins (so
/// the Service endpoints drop this pod while it keeps serving through the drain period). From
/// that moment every answer also carries `Connection: close`, so clients move their connections
/// to another replica; read on every response, hence an atomic.
public final class WebhookReadiness: Sendable {
    private let listening = Atomic<Bool>(false)
    private let shuttingDown = Atomic<Bool>(false)

    public init() {}

    public var isReady: Bool {
        listening.load(ordering: .relaxed) && !shuttingDown.load(ordering: .relaxed)
    }

    /// Shutdown has begun: answer, then close the connection.
    var isDraining: Bool {
        shuttingDown.load(ordering: .relaxed)
    }

    func markListening() {
        listening.store(true, ordering: .relaxed)
    }

    func markShuttingDown() {
        shuttingDown.store(true, ordering: .relaxed)
    }
}
