/// A core/v1 ResourceQuota: the resource names `spec.hard` limits (quantities are not read) and
/// the scopes that choose the pods it applies to.
public struct ResourceQuota: Codable, Sendable, Equatable, KubernetesObject {
    public struct ScopeSelectorRequirement: Codable, Sendable, Equatable {
        public var scopeName: String?
        public var `operator`: String?
        public var values: [String]?

        public init(scopeName: String? = nil, operator: String? = nil, values: [String]? = nil) {
            self.scopeName = scopeName
            self.operator = `operator`
            self.values = values
        }
    }

    public struct ScopeSelector: Codable, Sendable, Equatable {
        public var matchExpressions: [ScopeSelectorRequirement]?

        public init(matchExpressions: [ScopeSelectorRequirement]? = nil) {
            self.matchExpressions = matchExpressions
        }
    }

    public struct Spec: Codable, Sendable, Equatable {
        public var hard: [String: String]?
        public var scopes: [String]?
        public var scopeSelector: ScopeSelector?

        public init(hard: [String: String]? = nil, scopes: [String]? = nil, scopeSelector: ScopeSelector? = nil) {
            self.hard = hard
            self.scopes = scopes
            self.scopeSelector = scopeSelector
        }
    }

    public var metadata: ObjectMeta
    public var spec: Spec?

    public init(metadata: ObjectMeta, spec: Spec? = nil) {
        self.metadata = metadata
        self.spec = spec
    }
}
