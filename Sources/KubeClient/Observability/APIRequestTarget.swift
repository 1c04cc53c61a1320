/// What a request to the API server is about, in RBAC's words: the verb (get, list, watch, create, update,
/// patch, delete), the resource with its group (`replicasets.apps`, `events`, `leases.coordination.k8s.io`)
/// and the namespace. Read from the method and the URL path, so metrics and logs can name them and a 403 can
/// say which permission is missing. Mirrors the API server's RequestInfoFactory (apiserver/pkg/endpoints/request).
public struct APIRequestTarget: Sendable, Hashable, CustomStringConvertible {
    public var verb: String
    /// `resource` or `resource.group`; `subresource` appended as `resource/subresource` when there is one.
    public var resource: String
    public var namespace: String?
    public var name: String?

    public init(verb: String, resource: String, namespace: String? = nil, name: String? = nil) {
        self.verb = verb
        self.resource = resource
        self.namespace = namespace
        self.name = name
    }

    /// `/api/v1/namespaces/shop/events`, `/apis/apps/v1/namespaces/shop/replicasets/web-1`, `/api/v1/events`.
    public init(method: String, path: String, query: [String: String] = [:]) {
        let segments = path.split(separator: "/").map(String.init)
        var group = ""
        var rest: ArraySlice<String> = []
        if segments.first == "api", segments.count >= 2 {
            rest = segments.dropFirst(2)
        } else if segments.first == "apis", segments.count >= 3 {
            group = segments[1]
            rest = segments.dropFirst(3)
        }
        var namespace: String?
        var resource = "unknown"
        var name: String?
        var subresource: String?
        let parts = Array(rest)
        if parts.first == "namespaces", parts.count >= 3 {
            namespace = parts[1]
            resource = parts[2]
            name = parts.count > 3 ? parts[3] : nil
            subresource = parts.count > 4 ? parts[4] : nil
        } else if !parts.isEmpty {
            resource = parts[0]
            name = parts.count > 1 ? parts[1] : nil
            subresource = parts.count > 2 ? parts[2] : nil
        }
        if !group.isEmpty { resource += "." + group }
        if let subresource { resource += "/" + subresource }
        let watching = query["watch"] == "true" || query["watch"] == "1"
        switch method.uppercased() {
        case "GET": verb = watching ? "watch" : (name == nil ? "list" : "get")
        case "POST": verb = "create"
        case "PUT": verb = "update"
        case "PATCH": verb = "patch"
        case "DELETE": verb = name == nil ? "deletecollection" : "delete"
        default: verb = method.lowercased()
        }
        self.resource = resource
        self.namespace = namespace
        self.name = name
    }

    /// "get replicasets.apps in namespace shop", "list events in all namespaces".
    public var description: String {
        "\(verb) \(resource) \(namespace.map { "in namespace \($0)" } ?? "in all namespaces")"
    }
}
