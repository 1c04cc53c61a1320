/// The container defaults of one LimitRange: which resources its `type: Container` items give a
/// default limit (`default`) and a default request (`defaultRequest`). The LimitRanger admission
/// plugin fills these into containers that leave them unset, including containers a webhook
/// added (the API server re-runs its built-in mutating plugins after a webhook changes the
/// object), before ResourceQuota admission checks the pod.
public struct LimitRangeDefaults: Sendable, Equatable {
    public var name: String
    /// "cpu", "memory", ...
    public var defaultLimits: Set<String>
    public var defaultRequests: Set<String>

    public init(name: String, defaultLimits: Set<String>, defaultRequests: Set<String>) {
        self.name = name
        self.defaultLimits = defaultLimits
        self.defaultRequests = defaultRequests
    }

    /// From a LimitRange's `spec.limits`, with the API server's defaulting of a stored
    /// LimitRange applied (SetDefaults_LimitRangeItem): a Container item's `default` falls back
    /// to `max`, and its `defaultRequest` to `default`, then to `min`.
    public init(name: String, items: [(type: String, max: Set<String>, min: Set<String>, defaultLimits: Set<String>, defaultRequests: Set<String>)]) {
        var limits: Set<String> = []
        var requests: Set<String> = []
        for item in items where item.type == "Container" {
            let itemLimits = item.defaultLimits.union(item.max)
            limits.formUnion(itemLimits)
            requests.formUnion(item.defaultRequests.union(itemLimits).union(item.min))
        }
        self.init(name: name, defaultLimits: limits, defaultRequests: requests)
    }
}
