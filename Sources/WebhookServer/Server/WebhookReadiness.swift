import Synchronization

/// Whether the webhook should receive traffic, as `/readyz` reports it: ready once the server is
/// listening with a certificate loaded, and unready again from the moment shutdown begins (so
/// the Service endpoints drop this pod while it keeps serving through the drain period). When
/// the server watches the cluster, it is also unready until the namespace cache has synced (or
/// its bounded wait has run out), so the first pods are judged with the namespaces' labels.
public final class WebhookReadiness: Sendable {
    private struct State {
        var listening = false
        var shuttingDown = false
        var waitingForCaches = false
    }

    private let state = Mutex(State())

    public init() {}

    public var isReady: Bool {
        state.withLock { $0.listening && !$0.shuttingDown && !$0.waitingForCaches }
    }

    /// Unready until `cachesSynced()`.
    public func waitForCaches() {
        state.withLock { $0.waitingForCaches = true }
    }

    public func cachesSynced() {
        state.withLock { $0.waitingForCaches = false }
    }

    func markListening() {
        state.withLock { $0.listening = true }
    }

    func markShuttingDown() {
        state.withLock { $0.shuttingDown = true }
    }
}
