import KubeClient
import KubernetesAPI
import TestSupport

/// Collects what a Reflector hands out, and lets a test wait for a condition on it.
actor DeltaLog {
    private(set) var deltas: [ReflectorDelta<Event>] = []

    func append(_ delta: ReflectorDelta<Event>) {
        deltas.append(delta)
    }

    var listCount: Int {
        deltas.filter { if case .listed = $0 { return true } else { return false } }.count
    }

    var addedNames: [String] {
        deltas.compactMap { if case .added(let event) = $0 { return event.metadata.name } else { return nil } }
    }

    nonisolated func waitUntil(timeout: Duration = .seconds(10), _ condition: @Sendable (DeltaLog) async -> Bool) async throws {
        try await eventually("a condition on the reflector's deltas", timeout: timeout) { await condition(self) }
    }
}
