/// metadata of a stored object (meta/v1 ObjectMeta), the fields this project reads or writes.
public struct ObjectMeta: Codable, Sendable, Equatable {
    public var name: String?
    public var generateName: String?
    public var namespace: String?
    public var uid: String?
    public var resourceVersion: String?
    public var labels: [String: String]?
    public var annotations: [String: String]?
    public var ownerReferences: [OwnerReference]?
    public var creationTimestamp: String?
    public var deletionTimestamp: String?

    public init(name: String? = nil, generateName: String? = nil, namespace: String? = nil, uid: String? = nil,
                resourceVersion: String? = nil, labels: [String: String]? = nil, annotations: [String: String]? = nil,
                ownerReferences: [OwnerReference]? = nil, creationTimestamp: String? = nil, deletionTimestamp: String? = nil) {
        self.name = name
        self.generateName = generateName
        self.namespace = namespace
        self.uid = uid
        self.resourceVersion = resourceVersion
        self.labels = labels
        self.annotations = annotations
        self.ownerReferences = ownerReferences
        self.creationTimestamp = creationTimestamp
        self.deletionTimestamp = deletionTimestamp
    }
}
