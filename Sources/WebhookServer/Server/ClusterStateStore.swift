import Admission
import Synchronization

/// The cluster state the webhook hands each review: the latest `ClusterSnapshot`, replaced by
/// the caches that watch the cluster. A review takes the snapshot under a lock (a copy of a
/// reference-counted dictionary) and never waits on the API server. A review that finds its
/// namespace missing tells `onUnknownNamespace`, which must not block (it may start a fetch).
public final class ClusterStateStore: Sendable {
    private let state = Mutex(ClusterSnapshot())
    private let onUnknownNamespace: @Sendable (String) -> Void

    public init(onUnknownNamespace: @escaping @Sendable (String) -> Void = { _ in }) {
        self.onUnknownNamespace = onUnknownNamespace
    }

    public var snapshot: ClusterSnapshot {
        state.withLock { $0 }
    }

    public func update(_ change: (inout ClusterSnapshot) -> Void) {
        state.withLock { change(&$0) }
    }

    func namespaceUnknown(_ name: String) {
        onUnknownNamespace(name)
    }
}
