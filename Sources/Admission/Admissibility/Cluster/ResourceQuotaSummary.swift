/// What the admission core needs of one ResourceQuota: its name, which compute resources its
/// `spec.hard` tracks, and the scopes that decide which pods it applies to.
public struct ResourceQuotaSummary: Sendable, Equatable {
    public var name: String
    public var tracked: Set<ComputeResource>
    public var scopes: [ResourceQuotaScope]

    public init(name: String, tracked: Set<ComputeResource>, scopes: [ResourceQuotaScope] = []) {
        self.name = name
        self.tracked = tracked
        self.scopes = scopes
    }

    /// From `spec.hard`'s keys and the scopes of `spec.scopes` and `spec.scopeSelector`.
    public init(name: String, hardKeys: some Sequence<String>, scopes: [ResourceQuotaScope] = []) {
        self.init(name: name, tracked: Set(hardKeys.compactMap(ComputeResource.init(quotaKey:))), scopes: scopes)
    }
}
