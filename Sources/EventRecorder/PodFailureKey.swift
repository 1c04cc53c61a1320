/// Groups pod failures that will land on the same Event before the owner is known: same
/// namespace, same owning controller (or, for a pod without one, the same pod), same type,
/// reason and message. Every pod of one ReplicaSet shares a key, so a storm of them costs one
/// owner lookup.
struct PodFailureKey: Hashable, Sendable {
    var namespace: String
    /// `kind/name/uid` of the controller owner reference, or empty when the pod has none.
    var owner: String
    /// The pod's name (or generateName) when it has no owner; empty otherwise.
    var pod: String
    var type: EventType
    var reason: String
    var message: String

    init(_ failure: FailureReport, message: String) {
        namespace = failure.namespace
        if let controller = failure.controllerReference {
            owner = "\(controller.kind)/\(controller.name)/\(controller.uid)"
            pod = ""
        } else {
            owner = ""
            pod = failure.name.isEmpty ? "generateName:\(failure.generateName)" : failure.name
        }
        type = failure.type
        reason = failure.reason
        self.message = message
    }
}
