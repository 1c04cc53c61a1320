/// A Kubernetes object from the configuration (an env var, a Container, a Volume, a
/// VolumeMount) with the key that identifies it in its list: the name, or for a volume
/// mount the mountPath.
public struct ConfiguredObject: Sendable, Equatable {
    public var key: String
    public var value: JSONValue

    public init(key: String, value: JSONValue) {
        self.key = key
        self.value = value
    }
}
