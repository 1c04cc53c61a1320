#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KubeClient
import KubernetesAPI

/// Writes core/v1 Events to the API server: create, and PATCH of count and lastTimestamp, at
/// /api/v1/namespaces/NAMESPACE/events. Retrying is not its business (the worker's delivery
/// state machine decides); it only says which failures are worth another try.
public struct EventSink: Sendable {
    private let client: KubernetesClient

    public init(client: KubernetesClient) {
        self.client = client
    }

    public func create(_ event: Event) async throws -> Event {
        let namespace = event.metadata.namespace ?? "default"
        return try await client.create(path: "/api/v1/namespaces/\(namespace)/events", body: event)
    }

    /// A JSON merge patch of `count` and `lastTimestamp`, the only fields that change when an
    /// Event repeats (as client-go patches them).
    public func patch(namespace: String, name: String, count: Int, lastTimestamp: Date) async throws -> Event {
        let body = CountPatch(count: count, lastTimestamp: KubernetesTimestamp.time(lastTimestamp))
        let bytes = try JSONEncoder().encode(body)
        return try await client.patch(Event.self, path: "/api/v1/namespaces/\(namespace)/events/\(name)",
                                      patchType: .merge, body: Array(bytes))
    }

    private struct CountPatch: Encodable {
        var count: Int
        var lastTimestamp: String
    }

    /// Sorts an error from `create` or `patch` into what the delivery state machine acts on.
    static func writeFailure(for error: any Error) -> WriteFailure {
        guard let error = error as? KubernetesError else {
            // Not from the client (an encoding failure): another try would fail the same way.
            return .refused(detail: "\(error)")
        }
        switch error {
        case .notFound:
            return .notFound
        case .tooManyRequests(let retryAfter, _):
            return .retryable(retryAfter: retryAfter, detail: error.description)
        case .transport, .server:
            return .retryable(retryAfter: nil, detail: error.description)
        case .unauthorized:
            // Most often a projected token that rotated under a request: the client re-reads it.
            return .retryable(retryAfter: nil, detail: error.description)
        case .forbidden:
            return .refused(detail: "\(error.description) (kube-injector's service account needs create and "
                                + "patch on events)")
        case .conflict, .gone, .invalid, .namespaceTerminating, .other, .decoding:
            return .refused(detail: error.description)
        }
    }
}
