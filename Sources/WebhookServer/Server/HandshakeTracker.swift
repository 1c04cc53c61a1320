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

    /// The first of `connections` (ordered oldest first) whose handshake has not completed.
    func firstStillHandshaking(in connections: [ObjectIdentifier]) -> ObjectIdentifier? {
        established.withLock { established in connections.first { !established.contains($0) } }
    }

    func connectionClosed(_ connection: ObjectIdentifier) {
        _ = established.withLock { $0.remove(connection) }
    }
}
