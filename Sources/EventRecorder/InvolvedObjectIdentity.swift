import KubeClient
import KubernetesAPI

/// Which object an Event is about, as a hashable key: the identifying fields of the Event's
/// `involvedObject` (resourceVersion and fieldPath left out, so they cannot split one object's
/// Events into several).
public struct InvolvedObjectIdentity: Hashable, Sendable, CustomStringConvertible {
    public var apiVersion: String
    public var kind: String
    public var namespace: String
    public var name: String
    public var uid: String

    public init(apiVersion: String, kind: String, namespace: String, name: String, uid: String) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.uid = uid
    }

    /// Where Events about this object are written: its own namespace, or `default` for
    /// cluster-scoped objects such as a Namespace (as kubectl and client-go do).
    public var eventNamespace: String {
        namespace.isEmpty ? "default" : namespace
    }

    public var description: String {
        namespace.isEmpty ? "\(kind)/\(name)" : "\(kind) \(namespace)/\(name)"
    }
}

extension InvolvedObjectIdentity {
    /// The identifying fields of `reference`; missing ones become empty.
    public init(_ reference: ObjectReference) {
        self.init(apiVersion: reference.apiVersion ?? "", kind: reference.kind ?? "",
                  namespace: reference.namespace ?? "", name: reference.name ?? "", uid: reference.uid ?? "")
    }
}
