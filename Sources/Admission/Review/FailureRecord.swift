import KubernetesAPI

/// What the admission core hands to the failure reporter when it admits a pod unchanged
/// because its own logic failed. Everything the Event recorder needs to find the owning
/// controller and say what went wrong, and nothing that needs I/O to fill.
public struct FailureRecord: Sendable, Equatable {
    /// Event reason; `InjectionFailed` for every failure of the admission core.
    public var reason: String
    /// A sentence a person can act on.
    public var message: String
    public var namespace: String
    /// The pod's name; empty when the API server has not assigned one yet.
    public var name: String
    public var generateName: String
    public var ownerReferences: [OwnerReference]
    /// `request.dryRun`: the recorder emits nothing for these (`sideEffects: NoneOnDryRun`).
    public var dryRun: Bool
    /// The AdmissionReview `request.uid`, for log correlation.
    public var requestUID: String

    public init(
        reason: String = "InjectionFailed", message: String, namespace: String, name: String,
        generateName: String, ownerReferences: [OwnerReference], dryRun: Bool, requestUID: String
    ) {
        self.reason = reason
        self.message = message
        self.namespace = namespace
        self.name = name
        self.generateName = generateName
        self.ownerReferences = ownerReferences
        self.dryRun = dryRun
        self.requestUID = requestUID
    }
}
