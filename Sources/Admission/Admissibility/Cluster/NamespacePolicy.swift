/// What the cluster says about one namespace that decides whether an injected pod will pass
/// the API server's admission after the webhook: the Pod Security level it enforces, the compute
/// resources its ResourceQuotas track, and the container defaults its LimitRanges give.
public struct NamespacePolicy: Sendable, Equatable {
    public var name: String
    public var podSecurity: PodSecurityLevelVersion
    public var resourceQuotas: [ResourceQuotaSummary]
    public var limitRanges: [LimitRangeDefaults]

    public init(name: String, labels: [String: String], resourceQuotas: [ResourceQuotaSummary] = [], limitRanges: [LimitRangeDefaults] = []) {
        self.name = name
        podSecurity = PodSecurityLevelVersion(namespaceLabels: labels)
        self.resourceQuotas = resourceQuotas.sorted { $0.name < $1.name }
        self.limitRanges = limitRanges.sorted { $0.name < $1.name }
    }

    /// Whether an injected pod in this namespace needs checking at all.
    var constrainsPods: Bool {
        podSecurity.level != .privileged || resourceQuotas.contains { !$0.tracked.isEmpty }
    }
}
