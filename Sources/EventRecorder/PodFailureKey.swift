/// Groups pod failures that will land on the same Event before the owner is known: same
/// namespace, same owning controller (or, for a pod without one, the same pod), same type,
/// reason and message. Every pod of one ReplicaSet shares a key, so a storm of them costs one
/// owner lookup. Built on every `record`, so it only copies strings (no formatting).
struct PodFailureKey: Hashable, Sendable {
    var namespace: String
    /// The controller owner reference's kind, name and uid; empty when the pod has none.
    var ownerKind: String
    var ownerName: String
    var ownerUID: String
    /// The pod's name, or its generateName while it has none; only when it has no owner.
    var podName: String
    var podGenerateName: String
    var type: EventType
    var reason: String
    var message: String

    init(_ failure: FailureReport, message: String) {
        namespace = failure.namespace
        if let controller = failure.controllerReference {
            ownerKind = controller.kind
            ownerName = controller.name
            ownerUID = controller.uid
            podName = ""
            podGenerateName = ""
        } else {
            ownerKind = ""
            ownerName = ""
            ownerUID = ""
            podName = failure.name
            podGenerateName = failure.name.isEmpty ? failure.generateName : ""
        }
        type = failure.type
        reason = failure.reason
        self.message = message
    }
}
