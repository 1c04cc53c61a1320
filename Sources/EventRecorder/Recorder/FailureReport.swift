import KubernetesAPI

/// A pod the webhook admitted unchanged because its own logic failed: the recorder finds the
/// pod's owning controller in its worker (never on the admission path) and writes a Warning
/// Event there. The executable fills this from the admission core's `FailureRecord`; the
/// recorder does not depend on the admission module.
public struct FailureReport: Sendable, Equatable {
    /// Event reason, `InjectionFailed` for the admission core.
    public var reason: String
    public var message: String
    public var namespace: String
    /// Empty while the API server has not named the pod yet (pods made by controllers).
    public var name: String
    public var generateName: String
    public var ownerReferences: [OwnerReference]
    /// `request.dryRun`: nothing is emitted (the webhook declares `sideEffects: NoneOnDryRun`).
    public var dryRun: Bool
    /// The AdmissionReview `request.uid`, logged beside the Event for correlation.
    public var requestUID: String
    public var type: EventType

    public init(
        reason: String = "InjectionFailed", message: String, namespace: String, name: String,
        generateName: String = "", ownerReferences: [OwnerReference] = [], dryRun: Bool = false,
        requestUID: String = "", type: EventType = .warning
    ) {
        self.reason = reason
        self.message = message
        self.namespace = namespace
        self.name = name
        self.generateName = generateName
        self.ownerReferences = ownerReferences
        self.dryRun = dryRun
        self.requestUID = requestUID
        self.type = type
    }
}

extension FailureReport {
    /// The owner reference marked `controller: true`, else the first one.
    var controllerReference: OwnerReference? {
        ownerReferences.first { $0.controller == true } ?? ownerReferences.first
    }

    /// Where the Event goes when the owner cannot be looked up: the controller named in the pod's
    /// own owner reference (a ReplicaSet rather than its Deployment), else the pod, else its Namespace.
    var fallbackInvolvedObject: ObjectIdentity {
        if let controller = controllerReference {
            return ObjectIdentity(controller, namespace: namespace)
        }
        if !name.isEmpty {
            return ObjectIdentity(apiVersion: "v1", kind: "Pod", namespace: namespace, name: name)
        }
        return ObjectIdentity(apiVersion: "v1", kind: "Namespace", namespace: "", name: namespace)
    }
}
