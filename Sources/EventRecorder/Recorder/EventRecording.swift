import KubernetesAPI

/// Something that takes Events to record without ever blocking or throwing: the recorder that
/// writes them to the API server, or the logging fallback for `serve --dev`.
public protocol EventRecording: Sendable {
    /// A pod admitted unchanged because injection failed; the Event goes on its owning
    /// controller (ReplicaSet → Deployment). Nothing is emitted for dry runs.
    func record(_ failure: FailureReport)

    /// An Event about `involvedObject` itself, such as `ScaleEventForwardFailed` on an HPA.
    func record(involvedObject: ObjectIdentity, type: EventType, reason: String, message: String)
}
