/// Which object, as a hashable key: the fields of an `ObjectReference` that identify one object
/// (apiVersion, kind, namespace, name, uid), absent ones empty. resourceVersion and fieldPath are
/// left out, so they cannot split one object into several keys. The Event recorder keys Events
/// by it, the owner resolver its cache, and the forwarder names the HPA it reports on with it.
public struct ObjectIdentity: Hashable, Sendable, CustomStringConvertible {
    public var apiVersion: String
    public var kind: String
    /// Empty for cluster-scoped objects such as a Namespace.
    public var namespace: String
    public var name: String
    public var uid: String

    public init(apiVersion: String, kind: String, namespace: String, name: String, uid: String = "") {
        self.apiVersion = apiVersion
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.uid = uid
    }

    /// The identifying fields of `reference`; missing ones become empty.
    public init(_ reference: ObjectReference) {
        self.init(apiVersion: reference.apiVersion ?? "", kind: reference.kind ?? "",
                  namespace: reference.namespace ?? "", name: reference.name ?? "", uid: reference.uid ?? "")
    }

    /// The object `owner` points at. An owner reference carries no namespace: an owner lives in
    /// the namespace of what it owns.
    public init(_ owner: OwnerReference, namespace: String) {
        self.init(apiVersion: owner.apiVersion, kind: owner.kind, namespace: namespace, name: owner.name,
                  uid: owner.uid)
    }

    /// `Deployment shop/web`, or `Namespace/shop` for a cluster-scoped object.
    public var description: String {
        namespace.isEmpty ? "\(kind)/\(name)" : "\(kind) \(namespace)/\(name)"
    }
}

extension ObjectReference {
    /// A reference to `object`; its empty fields are left out, as the API omits unset ones.
    public init(_ object: ObjectIdentity) {
        func present(_ value: String) -> String? { value.isEmpty ? nil : value }
        self.init(apiVersion: present(object.apiVersion), kind: present(object.kind), name: present(object.name),
                  namespace: present(object.namespace), uid: present(object.uid))
    }
}
