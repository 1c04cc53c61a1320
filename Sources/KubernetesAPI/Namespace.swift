/// A core/v1 Namespace: only its metadata (name and labels) is read.
public struct Namespace: Codable, Sendable, Equatable, KubernetesObject {
    public var metadata: ObjectMeta

    public init(metadata: ObjectMeta) {
        self.metadata = metadata
    }
}
