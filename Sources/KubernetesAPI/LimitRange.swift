/// A core/v1 LimitRange: per item, its type and which resources it gives a max, min, default
/// limit or default request (quantities are not read).
public struct LimitRange: Codable, Sendable, Equatable, KubernetesObject {
    public struct Item: Codable, Sendable, Equatable {
        public var type: String?
        public var max: [String: String]?
        public var min: [String: String]?
        public var `default`: [String: String]?
        public var defaultRequest: [String: String]?

        public init(type: String? = nil, max: [String: String]? = nil, min: [String: String]? = nil,
                    default: [String: String]? = nil, defaultRequest: [String: String]? = nil) {
            self.type = type
            self.max = max
            self.min = min
            self.default = `default`
            self.defaultRequest = defaultRequest
        }
    }

    public struct Spec: Codable, Sendable, Equatable {
        public var limits: [Item]?

        public init(limits: [Item]? = nil) {
            self.limits = limits
        }
    }

    public var metadata: ObjectMeta
    public var spec: Spec?

    public init(metadata: ObjectMeta, spec: Spec? = nil) {
        self.metadata = metadata
        self.spec = spec
    }
}
