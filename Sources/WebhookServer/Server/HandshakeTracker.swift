import Synchronization

/// Which accepted connections have completed their TLS handshake. The connection registry (on the
/// listening loop) asks it when the connection cap is reached, so that it closes a connection
/// still in its handshake, oldest first, rather than refusing a new client; the TLS handler (on
/// the connection's loop) reports each completed handshake once.
final class HandshakeTracker: Sendable {
    private let established = Mutex(Set<ObjectIdentifier>())

    func handshakeCompleted(_ connection: ObjectIdentifier) {
        _ = established.withLock { $0.insert(connection) }
    }

    func isEstablished(_ connection: ObjectIdentifier) -> Bool {
        established.withLock { $0.contains(connection) }
    }

    func connectionClosed(_ connection: ObjectIdentifier) {
        _ = established.withLock { $0.remove(connection) }
    }
}
