/// The cluster state the admission core reads, as a value: each known namespace's policy. The
/// server keeps one up to date from watches and hands the current one to each review, so the
/// request path reads a dictionary and never calls the API server.
public struct ClusterSnapshot: Sendable {
    public private(set) var namespaces: [String: NamespacePolicy]

    public init(namespaces: [NamespacePolicy] = []) {
        var byName: [String: NamespacePolicy] = [:]
        for namespace in namespaces { byName[namespace.name] = namespace }
        self.namespaces = byName
    }

    public subscript(namespace name: String) -> NamespacePolicy? {
        namespaces[name]
    }

    public mutating func update(_ namespace: NamespacePolicy) {
        namespaces[namespace.name] = namespace
    }

    public mutating func removeNamespace(named name: String) {
        namespaces[name] = nil
    }
}
