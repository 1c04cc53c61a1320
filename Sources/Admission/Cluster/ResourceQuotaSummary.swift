/// What the admission core needs of one ResourceQuota: its name and which compute resources
/// its `spec.hard` tracks. Scopes are not read: a scoped quota is treated as if it matched the
/// pod, which can only make the injector admit a pod unchanged when it need not have.
public struct ResourceQuotaSummary: Sendable, Equatable {
    public var name: String
    public var tracked: Set<ComputeResource>

    public init(name: String, tracked: Set<ComputeResource>) {
        self.name = name
        self.tracked = tracked
    }

    /// From `spec.hard`'s keys.
    public init(name: String, hardKeys: some Sequence<String>) {
        self.init(name: name, tracked: Set(hardKeys.compactMap(ComputeResource.init(quotaKey:))))
    }
}
