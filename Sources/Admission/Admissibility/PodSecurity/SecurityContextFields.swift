import JSON

/// The securityContext fields the Pod Security checks read, from a pod's or a container's
/// `securityContext` object. Absent fields are nil, as Go's pointers are.
struct SecurityContextFields {
    var runAsNonRoot: Bool?
    var runAsUser: Int?
    var seccompProfileType: String?
    var seLinuxOptions: (type: String, user: String, role: String)?
    var appArmorProfileType: String?
    var windowsHostProcess: Bool?
    // Container only.
    var allowPrivilegeEscalation: Bool?
    var privileged: Bool?
    var capabilitiesSet = false
    var capabilitiesAdd: [String] = []
    var capabilitiesDrop: [String] = []
    var procMount: String?

    init() {}

    init(_ value: JSONValue?) {
        guard let context = value?.objectValue else { return }
        runAsNonRoot = context["runAsNonRoot"]?.boolValue
        runAsUser = context["runAsUser"].flatMap(Self.integer)
        seccompProfileType = context["seccompProfile"]?["type"]?.stringValue
        if let options = context["seLinuxOptions"]?.objectValue {
            seLinuxOptions = (options["type"]?.stringValue ?? "", options["user"]?.stringValue ?? "", options["role"]?.stringValue ?? "")
        }
        appArmorProfileType = context["appArmorProfile"]?["type"]?.stringValue
        windowsHostProcess = context["windowsOptions"]?["hostProcess"]?.boolValue
        allowPrivilegeEscalation = context["allowPrivilegeEscalation"]?.boolValue
        privileged = context["privileged"]?.boolValue
        if let capabilities = context["capabilities"], !capabilities.isNull {
            capabilitiesSet = true
            capabilitiesAdd = (capabilities["add"]?.arrayValue ?? []).compactMap(\.stringValue)
            capabilitiesDrop = (capabilities["drop"]?.arrayValue ?? []).compactMap(\.stringValue)
        }
        procMount = context["procMount"]?.stringValue
    }

    static func integer(_ value: JSONValue) -> Int? {
        switch value {
        case .number(let text): return Int(text) ?? Double(text).flatMap { $0 == $0.rounded() ? Int(exactly: $0) : nil }
        case .raw: return integer(value.materialized)
        default: return nil
        }
    }
}
