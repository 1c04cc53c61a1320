import Synchronization

/// Whether the webhook should receive traffic, as `/readyz` reports it: ready once the server is
/// listening with a certificate loaded, and unready again from the moment shutdown begins (so
/// the Service endpoints drop this pod while it keeps serving through the drain period).
public final class WebhookReadiness: Sendable {
    private struct State {
        var listening = false
        var shuttingDown = false
    }

    private let state = Mutex(State())

    public init() {}

    public var isReady: Bool {
        state.withLock { $0.listening && !$0.shuttingDown }
    }

    func markListening() {
        state.withLock { $0.listening = true }
    }

    func markShuttingDown() {
        state.withLock { $0.shuttingDown = true }
    }
}
