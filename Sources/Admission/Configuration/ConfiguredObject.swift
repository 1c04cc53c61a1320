import JSON

/// A Kubernetes object from the configuration (an env var, a Container, a Volume, a
/// VolumeMount) with the key that identifies it in its list: the name, or for a volume
/// mount the mountPath.
public struct ConfiguredObject: Sendable, Equatable {
    public var key: String
    public var value: JSONValue {
        didSet { encoded = Self.encode(value) }
    }
    /// `value` as compact JSON bytes, made once: the patch carries these on every review.
    private(set) var encoded: JSONValue

    public init(key: String, value: JSONValue) {
        self.key = key
        self.value = value
        encoded = Self.encode(value)
    }

    public static func == (lhs: ConfiguredObject, rhs: ConfiguredObject) -> Bool {
        lhs.key == rhs.key && lhs.value == rhs.value
    }

    private static func encode(_ value: JSONValue) -> JSONValue {
        .raw(RawJSON(compactBytes: JSONSerializer.serialize(value), tree: value.materialized))
    }
}
