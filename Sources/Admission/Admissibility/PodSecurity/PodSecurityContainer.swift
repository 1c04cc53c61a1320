import JSON

/// A container as the Pod Security checks see it: its name, kind and the fields they read,
/// taken from its JSON once.
struct PodSecurityContainer {
    var kind: PodSecuritySubject.ContainerKind
    var name: String
    var securityContext: SecurityContextFields
    var hostPorts: [Int]
    /// `host` of each probe's and lifecycle handler's httpGet and tcpSocket that sets one.
    var probeAndLifecycleHosts: [String]

    var subject: PodSecuritySubject { .container(kind: kind, name: name) }

    init(kind: PodSecuritySubject.ContainerKind, _ value: JSONValue) {
        let container = value.objectValue ?? JSONObject()
        self.kind = kind
        name = container["name"]?.stringValue ?? ""
        securityContext = SecurityContextFields(container["securityContext"])
        hostPorts = (container["ports"]?.arrayValue ?? []).compactMap { port in
            port["hostPort"].flatMap(SecurityContextFields.integer).flatMap { $0 != 0 ? $0 : nil }
        }
        var hosts: [String] = []
        func collect(_ handler: JSONValue?) {
            guard let handler = handler?.objectValue else { return }
            for action in ["httpGet", "tcpSocket"] {
                if let host = handler[action]?["host"]?.stringValue, !host.isEmpty { hosts.append(host) }
            }
        }
        collect(container["livenessProbe"])
        collect(container["readinessProbe"])
        collect(container["startupProbe"])
        if let lifecycle = container["lifecycle"]?.objectValue {
            collect(lifecycle["postStart"])
            collect(lifecycle["preStop"])
        }
        probeAndLifecycleHosts = hosts
    }
}
