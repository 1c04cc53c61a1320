import KubernetesAPI

/// Groups pod failures that will land on the same Event before the owner is known: the same
/// owning controller (or, for a pod without one, the same pod), type, reason and message. Every
/// pod of one ReplicaSet shares a key, so a storm of them costs one owner lookup. Built on every
/// `record`, so it only copies strings (no formatting).
struct PodFailureKey: Hashable, Sendable {
    /// The pod's controller owner, in the pod's namespace; for a pod without one, the pod itself
    /// (its name empty while the API server has not assigned one).
    var podOwner: ObjectIdentity
    /// The pod's generateName, only for a pod with neither an owner nor a name: pods from one
    /// generateName share a key, those from another do not.
    var podGenerateName: String
    var type: EventType
    var reason: String
    var message: String

    init(_ failure: FailureReport, message: String) {
        if let controller = failure.controllerReference {
            podOwner = ObjectIdentity(controller, namespace: failure.namespace)
            podGenerateName = ""
        } else {
            podOwner = ObjectIdentity(apiVersion: "v1", kind: "Pod", namespace: failure.namespace, name: failure.name)
            podGenerateName = failure.name.isEmpty ? failure.generateName : ""
        }
        type = failure.type
        reason = failure.reason
        self.message = message
    }
}
