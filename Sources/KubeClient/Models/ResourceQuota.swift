/// A core/v1 ResourceQuota: the resource names `spec.hard` limits (quantities are not read).
public struct ResourceQuota: Codable, Sendable, Equatable, KubernetesObject {
    public struct Spec: Codable, Sendable, Equatable {
        public var hard: [String: String]?

        public init(hard: [String: String]? = nil) {
            self.hard = hard
        }
    }

    public var metadata: ObjectMeta
    public var spec: Spec?

    public init(metadata: ObjectMeta, spec: Spec? = nil) {
        self.metadata = metadata
        self.spec = spec
    }
}
