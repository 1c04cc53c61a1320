import JSON

/// A pod as the Pod Security checks see it: pod-level fields, every container (init, regular
/// and ephemeral, as pod-security-admission's `visitContainers` walks them) and each volume's
/// source. Built from the pod's JSON once per evaluation.
struct PodSecurityPod {
    func annotation(_ key: String) -> String? { annotations[key]?.stringValue }

    var hostNetwork: Bool
    var hostPID: Bool
    var hostIPC: Bool
    var isWindows: Bool
    var securityContext: SecurityContextFields
    var sysctlNames: [String]
    /// The pod's annotations (AppArmor and seccomp annotations are read by name).
    var annotations: JSONObject
    var containers: [PodSecurityContainer]
    var volumes: [(name: String, sources: [String])]

    /// The whole pod, or with `onlyContainers` and `onlyVolumes` just those parts (JSON values
    /// the caller already holds) under the pod's own pod-level fields: the admission core first
    /// checks what it injected without reading the app containers.
    init(_ pod: JSONValue, onlyContainers: [(PodSecuritySubject.ContainerKind, JSONValue)]? = nil, onlyVolumes: [JSONValue]? = nil) {
        let spec = pod["spec"]?.objectValue ?? JSONObject()
        hostNetwork = spec["hostNetwork"]?.boolValue ?? false
        hostPID = spec["hostPID"]?.boolValue ?? false
        hostIPC = spec["hostIPC"]?.boolValue ?? false
        isWindows = spec["os"]?["name"]?.stringValue == "windows"
        let context = spec["securityContext"]
        securityContext = SecurityContextFields(context)
        sysctlNames = (context?["sysctls"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        let annotations = pod["metadata"]?["annotations"]
        // Most pods carry no AppArmor or seccomp annotation: their raw bytes are not built.
        self.annotations = Self.mayHoldSecurityAnnotations(annotations) ? annotations?.objectValue ?? JSONObject() : JSONObject()
        var containers: [PodSecurityContainer] = []
        if let onlyContainers {
            containers = onlyContainers.map { PodSecurityContainer(kind: $0.0, $0.1) }
        } else {
            for (key, kind) in [("initContainers", PodSecuritySubject.ContainerKind.initContainer), ("containers", .container),
                                ("ephemeralContainers", .ephemeralContainer)] {
                for container in spec[key]?.arrayValue ?? [] {
                    containers.append(PodSecurityContainer(kind: kind, container))
                }
            }
        }
        self.containers = containers
        volumes = (onlyVolumes ?? spec["volumes"]?.arrayValue ?? []).map { volume in
            let object = volume.objectValue ?? JSONObject()
            let sources = object.members.compactMap { $0.key == "name" || $0.value.isNull ? nil : $0.key }
            return (object["name"]?.stringValue ?? "", sources)
        }
    }

    private static func mayHoldSecurityAnnotations(_ annotations: JSONValue?) -> Bool {
        guard case .raw(let raw)? = annotations else { return annotations != nil }
        let bytes = raw.bytes
        for needle in ["apparmor", "seccomp"] {
            let pattern = Array(needle.utf8)
            var index = bytes.startIndex
            while index + pattern.count <= bytes.endIndex {
                if bytes[index] == pattern[0] && bytes[index..<index + pattern.count].elementsEqual(pattern) { return true }
                index += 1
            }
        }
        return false
    }
}
