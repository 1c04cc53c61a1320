import Synchronization

/// Holds the TLS context new connections are accepted with. The certificate reloader replaces
/// it; a connection takes the current one when it is accepted and keeps it until it closes.
public final class ServingCertificateStore: Sendable {
    private let current: Mutex<TLSContext>

    public init(_ context: TLSContext) {
        current = Mutex(context)
    }

    public var context: TLSContext {
        current.withLock { $0 }
    }

    func replace(with context: TLSContext) {
        current.withLock { $0 = context }
    }
}
