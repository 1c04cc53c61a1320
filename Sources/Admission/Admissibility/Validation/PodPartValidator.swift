// Validation: the API server's field rules for the parts a profile injects (names, quantities,
// probes, volume sources), reported as field problems.

import JSON

/// Checks the parts of a pod a profile injects (init containers, env vars, volumes, volume
/// mounts) with the rules the API server applies to a pod, ported from Kubernetes'
/// `pkg/apis/core/validation/validation.go` (the function named in each problem's `rule`).
/// Pure; collects every problem instead of stopping at the first.
public struct PodPartValidator: Sendable {
    public private(set) var problems: [FieldProblem] = []

    public init() {}

    // MARK: - Containers

    /// An init container: `validateInitContainers` and the `validateContainerCommon` it calls.
    public mutating func validateInitContainer(_ value: JSONValue, path: String) {
        guard let container = object(value, path: path, rule: "validateInitContainers") else { return }
        checkKeys(container, allowed: PodFieldTables.containerKeys, path: path, rule: "validateInitContainers")
        if let name = string(container, "name", path: path, required: true, rule: "validateContainerCommon") {
            if let problem = KubernetesNames.dns1123LabelProblem(name) {
                add("\(path).name", problem, rule: "ValidateDNS1123Label")
            }
        }
        if let image = string(container, "image", path: path, required: true, rule: "validateContainerCommon"),
            image.first?.isWhitespace == true || image.last?.isWhitespace == true
        {
            add("\(path).image", "must not begin or end with whitespace", rule: "validateContainersOnlyForPod")
        }
        if let policy = string(container, "imagePullPolicy", path: path, required: false, rule: "validatePullPolicy") {
            oneOf(policy, PodFieldTables.pullPolicies, path: "\(path).imagePullPolicy", rule: "validatePullPolicy")
        }
        if let policy = string(container, "terminationMessagePolicy", path: path, required: false, rule: "validateContainerCommon") {
            oneOf(policy, PodFieldTables.terminationMessagePolicies, path: "\(path).terminationMessagePolicy", rule: "validateContainerCommon")
        }
        var restartAlways = false
        if let policy = string(container, "restartPolicy", path: path, required: false, rule: "validateInitContainerRestartPolicy") {
            if policy == "Always" {
                restartAlways = true
            } else {
                add("\(path).restartPolicy", "\"\(policy)\" is not allowed: an init container's restartPolicy may only be Always (a sidecar)",
                    rule: "validateInitContainerRestartPolicy")
            }
        }
        if !restartAlways {
            for field in ["lifecycle", "livenessProbe", "readinessProbe", "startupProbe"] where container[field] != nil {
                add("\(path).\(field)", "may be set on an init container only with restartPolicy: Always", rule: "validateInitContainers")
            }
        } else {
            for field in ["livenessProbe", "readinessProbe", "startupProbe"] {
                if let probe = container[field] { validateProbe(probe, path: "\(path).\(field)", isReadiness: field == "readinessProbe") }
            }
            if let lifecycle = container["lifecycle"], let hooks = object(lifecycle, path: "\(path).lifecycle", rule: "validateLifecycle") {
                checkKeys(hooks, allowed: PodFieldTables.lifecycleKeys, path: "\(path).lifecycle", rule: "validateLifecycle")
                for hook in ["postStart", "preStop"] {
                    guard let handler = hooks[hook], let object = object(handler, path: "\(path).lifecycle.\(hook)", rule: "validateLifecycle") else { continue }
                    checkKeys(object, allowed: PodFieldTables.lifecycleHandlerKeys, path: "\(path).lifecycle.\(hook)", rule: "validateLifecycle")
                    oneHandler(object, PodFieldTables.lifecycleHandlerKeys, path: "\(path).lifecycle.\(hook)", rule: "validateHandler")
                }
            }
        }
        if let env = list(container, "env", path: path, rule: "ValidateEnv") {
            for (index, variable) in env.enumerated() { validateEnvVar(variable, path: "\(path).env[\(index)]") }
        }
        if let envFrom = list(container, "envFrom", path: path, rule: "ValidateEnvFrom") {
            for (index, source) in envFrom.enumerated() { validateEnvFromSource(source, path: "\(path).envFrom[\(index)]") }
        }
        if let ports = list(container, "ports", path: path, rule: "validateContainerPorts") {
            validatePorts(ports, path: "\(path).ports")
        }
        if let mounts = list(container, "volumeMounts", path: path, rule: "ValidateVolumeMounts") {
            var paths: [String] = []
            for (index, mount) in mounts.enumerated() {
                let mountPath = "\(path).volumeMounts[\(index)]"
                validateVolumeMount(mount, path: mountPath)
                if let target = mount["mountPath"]?.stringValue {
                    if paths.contains(target) {
                        add("\(mountPath).mountPath", "\"\(target)\" is mounted twice in this container; mountPaths must be unique", rule: "ValidateVolumeMounts")
                    }
                    paths.append(target)
                }
            }
        }
        if let resources = container["resources"] { validateResources(resources, path: "\(path).resources") }
        if let securityContext = container["securityContext"] { validateSecurityContext(securityContext, path: "\(path).securityContext") }
    }

    // MARK: - Env

    /// `ValidateEnv` and `validateEnvVarValueFrom`.
    public mutating func validateEnvVar(_ value: JSONValue, path: String) {
        guard let variable = object(value, path: path, rule: "ValidateEnv") else { return }
        checkKeys(variable, allowed: PodFieldTables.envVarKeys, path: path, rule: "ValidateEnv")
        if let name = string(variable, "name", path: path, required: true, rule: "ValidateEnv"),
            let problem = KubernetesNames.envVarNameProblem(name)
        {
            add("\(path).name", problem, rule: "IsRelaxedEnvVarName")
        }
        if let text = variable["value"], text.stringValue == nil, !text.isNull {
            add("\(path).value", "must be a string; quote it", rule: "ValidateEnv")
        }
        guard let valueFrom = variable["valueFrom"] else { return }
        let sourcePath = "\(path).valueFrom"
        if let text = variable["value"]?.stringValue, !text.isEmpty {
            add(sourcePath, "may not be specified when value is not empty; keep one of value and valueFrom", rule: "validateEnvVarValueFrom")
        }
        guard let source = object(valueFrom, path: sourcePath, rule: "validateEnvVarValueFrom") else { return }
        checkKeys(source, allowed: PodFieldTables.envVarSourceKeys, path: sourcePath, rule: "validateEnvVarValueFrom")
        let count = PodFieldTables.envVarSourceKeys.filter { source[$0] != nil }.count
        if count == 0 {
            add(sourcePath, "must name one source: fieldRef, resourceFieldRef, configMapKeyRef or secretKeyRef", rule: "validateEnvVarValueFrom")
        } else if count > 1 {
            add(sourcePath, "may name only one source: fieldRef, resourceFieldRef, configMapKeyRef or secretKeyRef", rule: "validateEnvVarValueFrom")
        }
        if let fieldRef = source["fieldRef"] {
            validateObjectFieldSelector(fieldRef, allowed: PodFieldTables.envFieldPaths, path: "\(sourcePath).fieldRef")
        }
        if let resourceFieldRef = source["resourceFieldRef"] {
            validateResourceFieldSelector(resourceFieldRef, requiresContainerName: false, path: "\(sourcePath).resourceFieldRef")
        }
        for key in ["configMapKeyRef", "secretKeyRef"] {
            guard let reference = source[key] else { continue }
            let referencePath = "\(sourcePath).\(key)"
            let rule = key == "configMapKeyRef" ? "validateConfigMapKeySelector" : "validateSecretKeySelector"
            guard let selector = object(reference, path: referencePath, rule: rule) else { continue }
            checkKeys(selector, allowed: PodFieldTables.keySelectorKeys, path: referencePath, rule: rule)
            if let name = string(selector, "name", path: referencePath, required: true, rule: rule),
                let problem = KubernetesNames.dns1123SubdomainProblem(name)
            {
                add("\(referencePath).name", problem, rule: rule)
            }
            if let key = string(selector, "key", path: referencePath, required: true, rule: rule),
                let problem = KubernetesNames.configMapKeyProblem(key)
            {
                add("\(referencePath).key", problem, rule: "IsConfigMapKey")
            }
        }
    }

    /// `validateObjectFieldSelector`, with `validEnvDownwardAPIFieldPathExpressions` for env and
    /// `validDownwardAPIFieldPathExpressions` for downwardAPI volume files.
    private mutating func validateObjectFieldSelector(_ value: JSONValue, allowed: Set<String>, path: String) {
        let rule = "validateObjectFieldSelector"
        guard let selector = object(value, path: path, rule: rule) else { return }
        checkKeys(selector, allowed: PodFieldTables.objectFieldSelectorKeys, path: path, rule: rule)
        if let version = string(selector, "apiVersion", path: path, required: false, rule: rule), version != "v1" {
            add("\(path).apiVersion", "\"\(version)\" is not supported; use v1 (or leave it out)", rule: rule)
        }
        guard let fieldPath = string(selector, "fieldPath", path: path, required: true, rule: rule) else { return }
        if let split = Self.splitSubscript(fieldPath) {
            let (field, key) = split
            switch field {
            case "metadata.annotations":
                if let problem = KubernetesNames.qualifiedNameProblem(key.lowercased()) { add("\(path).fieldPath", problem, rule: rule) }
            case "metadata.labels":
                if let problem = KubernetesNames.qualifiedNameProblem(key) { add("\(path).fieldPath", problem, rule: rule) }
            default:
                add("\(path).fieldPath", "\"\(field)\" takes no subscript; only metadata.labels['KEY'] and metadata.annotations['KEY'] do", rule: rule)
            }
        } else if !allowed.contains(fieldPath) {
            add("\(path).fieldPath", "\"\(fieldPath)\" is not supported; use one of \(allowed.sorted().joined(separator: ", ")), metadata.labels['KEY'] or metadata.annotations['KEY']", rule: rule)
        }
    }

    /// `fieldpath.SplitMaybeSubscriptedPath`: `metadata.labels['key']` into the path and the key.
    static func splitSubscript(_ fieldPath: String) -> (String, String)? {
        let bytes = Array(fieldPath.utf8)
        guard bytes.count >= 4, bytes[bytes.count - 2] == UInt8(ascii: "'"), bytes[bytes.count - 1] == UInt8(ascii: "]") else { return nil }
        guard let open = bytes.indices.dropLast(2).first(where: { bytes[$0] == UInt8(ascii: "[") && bytes[$0 + 1] == UInt8(ascii: "'") }),
            open + 2 <= bytes.count - 2
        else { return nil }
        return (String(decoding: bytes[..<open], as: UTF8.self), String(decoding: bytes[(open + 2)..<(bytes.count - 2)], as: UTF8.self))
    }

    /// `validateContainerResourceFieldSelector` and `validateContainerResourceDivisor`; a volume
    /// file must name its container, an env var refers to its own.
    private mutating func validateResourceFieldSelector(_ value: JSONValue, requiresContainerName: Bool, path: String) {
        let rule = "validateContainerResourceFieldSelector"
        guard let selector = object(value, path: path, rule: rule) else { return }
        checkKeys(selector, allowed: PodFieldTables.resourceFieldSelectorKeys, path: path, rule: rule)
        if let name = string(selector, "containerName", path: path, required: requiresContainerName, rule: rule), !name.isEmpty,
            let problem = KubernetesNames.dns1123LabelProblem(name)
        {
            add("\(path).containerName", problem, rule: rule)
        }
        guard let resource = string(selector, "resource", path: path, required: true, rule: rule) else { return }
        guard PodFieldTables.resourceFieldPaths.contains(resource) else {
            add("\(path).resource", "\"\(resource)\" is not supported; use one of \(PodFieldTables.resourceFieldPaths.sorted().joined(separator: ", "))", rule: rule)
            return
        }
        guard let divisor = selector["divisor"] else { return }
        let text = divisor.stringValue ?? (divisor.description)
        guard let quantity = Quantity(text) else {
            add("\(path).divisor", "\"\(text)\" is not a quantity", rule: "validateContainerResourceDivisor")
            return
        }
        let allowed = resource.hasSuffix(".cpu") ? PodFieldTables.cpuDivisors : PodFieldTables.memoryDivisors
        if !allowed.contains(where: { Quantity($0).map { $0.isLessThanOrEqual(to: quantity) && quantity.isLessThanOrEqual(to: $0) } ?? false }) {
            add("\(path).divisor", "\"\(text)\" is not a divisor for \(resource); use one of \(allowed.sorted().joined(separator: ", "))", rule: "validateContainerResourceDivisor")
        }
    }

    /// `ValidateEnvFrom`.
    private mutating func validateEnvFromSource(_ value: JSONValue, path: String) {
        let rule = "ValidateEnvFrom"
        guard let source = object(value, path: path, rule: rule) else { return }
        checkKeys(source, allowed: PodFieldTables.envFromKeys, path: path, rule: rule)
        if let prefix = string(source, "prefix", path: path, required: false, rule: rule), !prefix.isEmpty,
            let problem = KubernetesNames.envVarNameProblem(prefix)
        {
            add("\(path).prefix", problem, rule: "IsRelaxedEnvVarName")
        }
        let references = ["configMapRef", "secretRef"].filter { source[$0] != nil }
        if references.count != 1 {
            add(path, "must name exactly one of configMapRef and secretRef", rule: rule)
        }
        for key in references {
            guard let reference = object(source[key] ?? .null, path: "\(path).\(key)", rule: rule) else { continue }
            checkKeys(reference, allowed: PodFieldTables.envFromReferenceKeys, path: "\(path).\(key)", rule: rule)
            if let name = string(reference, "name", path: "\(path).\(key)", required: true, rule: rule),
                let problem = KubernetesNames.dns1123SubdomainProblem(name)
            {
                add("\(path).\(key).name", problem, rule: rule)
            }
        }
    }

    // MARK: - Ports, resources, security context

    /// `validateContainerPorts`.
    private mutating func validatePorts(_ ports: [JSONValue], path: String) {
        let rule = "validateContainerPorts"
        var names: [String] = []
        for (index, value) in ports.enumerated() {
            let portPath = "\(path)[\(index)]"
            guard let port = object(value, path: portPath, rule: rule) else { continue }
            checkKeys(port, allowed: PodFieldTables.containerPortKeys, path: portPath, rule: rule)
            if let name = string(port, "name", path: portPath, required: false, rule: rule) {
                if let problem = Self.portNameProblem(name) { add("\(portPath).name", problem, rule: "IsValidPortName") }
                if names.contains(name) { add("\(portPath).name", "port name \"\(name)\" is used twice in this container", rule: rule) }
                names.append(name)
            }
            if let number = integer(port, "containerPort", path: portPath, required: true, rule: rule), !(1...65535).contains(number) {
                add("\(portPath).containerPort", "\(number) is not a port number (1-65535)", rule: "IsValidPortNum")
            }
            if let number = integer(port, "hostPort", path: portPath, required: false, rule: rule), number != 0, !(1...65535).contains(number) {
                add("\(portPath).hostPort", "\(number) is not a port number (1-65535)", rule: "IsValidPortNum")
            }
            if let proto = string(port, "protocol", path: portPath, required: false, rule: rule) {
                oneOf(proto, PodFieldTables.protocols, path: "\(portPath).protocol", rule: rule)
            }
        }
    }

    /// `IsValidPortName`: an IANA service name.
    static func portNameProblem(_ name: String) -> String? {
        let bytes = Array(name.utf8)
        let valid = !bytes.isEmpty && bytes.count <= 15
            && bytes.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }
            && bytes.contains { $0 >= 97 && $0 <= 122 }
            && bytes.first != 45 && bytes.last != 45 && !name.contains("--")
        return valid ? nil : "port name \"\(name)\" must be at most 15 lowercase letters, digits and '-', with a letter, not starting or ending with '-' and without '--'"
    }

    /// `ValidateContainerResourceRequirements`: resource names, quantities, and requests ≤ limits.
    private mutating func validateResources(_ value: JSONValue, path: String) {
        let rule = "ValidateContainerResourceRequirements"
        guard let resources = object(value, path: path, rule: rule) else { return }
        checkKeys(resources, allowed: PodFieldTables.resourceRequirementsKeys, path: path, rule: rule)
        var limits: [String: Quantity] = [:]
        for kind in ["limits", "requests"] {
            guard let listValue = resources[kind] else { continue }
            guard let list = object(listValue, path: "\(path).\(kind)", rule: rule) else { continue }
            for member in list.members {
                let quantityPath = "\(path).\(kind).\(member.key)"
                if let problem = Self.resourceNameProblem(member.key) { add(quantityPath, problem, rule: "validateContainerResourceName") }
                let text: String
                switch member.value {
                case .string(let string): text = string
                case .number(let number): text = number
                default:
                    add(quantityPath, "must be a quantity such as 100m, 64Mi or 2, found \(member.value)", rule: "resource.ParseQuantity")
                    continue
                }
                guard let quantity = Quantity(text) else {
                    add(quantityPath, "\"\(text)\" is not a quantity (such as 100m, 64Mi or 2; \(Quantity.syntax))", rule: "resource.ParseQuantity")
                    continue
                }
                if quantity.isNegative {
                    add(quantityPath, "\"\(text)\" must be greater than or equal to 0", rule: "ValidateNonnegativeQuantity")
                    continue
                }
                if member.key.contains("/") && !member.key.hasPrefix("kubernetes.io/") && !quantity.isInteger {
                    add(quantityPath, "\"\(text)\" must be a whole number for an extended resource", rule: "ValidateContainerResourceRequirements")
                }
                if kind == "limits" {
                    limits[member.key] = quantity
                } else if let limit = limits[member.key], !quantity.isLessThanOrEqual(to: limit) {
                    let limitText = list.members.isEmpty ? "" : (resources["limits"]?[member.key]).map { $0.stringValue ?? $0.description } ?? ""
                    add(quantityPath, "request \"\(text)\" must be less than or equal to the \(member.key) limit \"\(limitText)\"", rule: "ValidateContainerResourceRequirements")
                } else if member.key.hasPrefix("hugepages-"), limits[member.key] == nil {
                    add(quantityPath, "a hugepages request needs a limit of the same size", rule: "ValidateContainerResourceRequirements")
                }
            }
        }
    }

    /// `validateContainerResourceName`: cpu, memory, ephemeral-storage, hugepages-SIZE, or an
    /// extended resource with a domain (`example.com/gpu`).
    static func resourceNameProblem(_ name: String) -> String? {
        if PodFieldTables.standardContainerResources.contains(name) { return nil }
        if name.hasPrefix("hugepages-") {
            return Quantity(String(name.dropFirst("hugepages-".count))) == nil ? "\"\(name)\" is not a hugepages size (e.g. hugepages-2Mi)" : nil
        }
        if name.contains("/"), KubernetesNames.qualifiedNameProblem(name) == nil, !name.hasPrefix("requests.") { return nil }
        return "\"\(name)\" is not a container resource: use cpu, memory, ephemeral-storage, hugepages-SIZE or a domain-qualified extended resource (example.com/gpu)"
    }

    /// The enumerated values of `ValidateSecurityContext` and `validateSeccompProfileField`.
    private mutating func validateSecurityContext(_ value: JSONValue, path: String) {
        let rule = "ValidateSecurityContext"
        guard let context = object(value, path: path, rule: rule) else { return }
        checkKeys(context, allowed: PodFieldTables.securityContextKeys, path: path, rule: rule)
        for key in ["privileged", "runAsNonRoot", "readOnlyRootFilesystem", "allowPrivilegeEscalation"] {
            if let flag = context[key], flag.boolValue == nil {
                add("\(path).\(key)", "must be true or false, found \(flag)", rule: rule)
            }
        }
        for key in ["runAsUser", "runAsGroup"] {
            if let id = integer(context, key, path: path, required: false, rule: rule), id < 0 || id > 2_147_483_647 {
                add("\(path).\(key)", "\(id) must be between 0 and 2147483647", rule: "ValidateNonnegativeField")
            }
        }
        if let capabilities = context["capabilities"], let object = object(capabilities, path: "\(path).capabilities", rule: rule) {
            checkKeys(object, allowed: PodFieldTables.capabilitiesKeys, path: "\(path).capabilities", rule: rule)
        }
        if let profile = context["seccompProfile"], let object = object(profile, path: "\(path).seccompProfile", rule: "validateSeccompProfileField") {
            checkKeys(object, allowed: PodFieldTables.seccompProfileKeys, path: "\(path).seccompProfile", rule: "validateSeccompProfileField")
            if let type = string(object, "type", path: "\(path).seccompProfile", required: true, rule: "validateSeccompProfileField") {
                oneOf(type, PodFieldTables.seccompProfileTypes, path: "\(path).seccompProfile.type", rule: "validateSeccompProfileField")
                if type == "Localhost", object["localhostProfile"] == nil {
                    add("\(path).seccompProfile.localhostProfile", "is required when type is Localhost", rule: "validateSeccompProfileField")
                } else if type != "Localhost", object["localhostProfile"] != nil {
                    add("\(path).seccompProfile.localhostProfile", "may be set only when type is Localhost", rule: "validateSeccompProfileField")
                }
            }
        }
    }

    // MARK: - Probes

    /// `validateProbe` and `validateHandler`: one handler, non-negative timings, and
    /// successThreshold 1 except for readiness.
    private mutating func validateProbe(_ value: JSONValue, path: String, isReadiness: Bool) {
        let rule = "validateProbe"
        guard let probe = object(value, path: path, rule: rule) else { return }
        checkKeys(probe, allowed: PodFieldTables.probeKeys, path: path, rule: rule)
        oneHandler(probe, PodFieldTables.probeHandlerKeys, path: path, rule: "validateHandler")
        for key in ["initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"] {
            if let number = integer(probe, key, path: path, required: false, rule: rule), number < 0 {
                add("\(path).\(key)", "\(number) must be greater than or equal to 0", rule: "ValidateNonnegativeField")
            }
        }
        if !isReadiness, let threshold = integer(probe, "successThreshold", path: path, required: false, rule: rule), threshold != 1 {
            add("\(path).successThreshold", "must be 1 for a liveness or startup probe", rule: rule)
        }
    }

    private mutating func oneHandler(_ object: JSONObject, _ handlers: Set<String>, path: String, rule: String) {
        let present = object.members.filter { handlers.contains($0.key) && $0.key != "terminationGracePeriodSeconds" }
        let kinds = handlers.filter { PodFieldTables.handlerKinds.contains($0) }
        let count = present.filter { kinds.contains($0.key) }.count
        if count == 0 {
            add(path, "must name a handler: one of \(kinds.sorted().joined(separator: ", "))", rule: rule)
        } else if count > 1 {
            add(path, "may name only one handler: one of \(kinds.sorted().joined(separator: ", "))", rule: rule)
        }
    }

    // MARK: - Volumes

    /// `ValidateVolumes` for one volume: its name, and `validateVolumeSource` (exactly one source,
    /// with only the fields that source has).
    public mutating func validateVolume(_ value: JSONValue, path: String) {
        guard let volume = object(value, path: path, rule: "ValidateVolumes") else { return }
        if let name = string(volume, "name", path: path, required: true, rule: "ValidateVolumes"),
            let problem = KubernetesNames.dns1123LabelProblem(name)
        {
            add("\(path).name", problem, rule: "ValidateDNS1123Label")
        }
        var sources: [String] = []
        var unknown = false
        for member in volume.members where member.key != "name" {
            guard let fields = PodFieldTables.volumeSources[member.key] else {
                unknown = true
                add(path, "unknown field \"\(member.key)\" (a volume has a name and one source such as emptyDir, configMap, secret, hostPath, persistentVolumeClaim, projected, downwardAPI, csi, ephemeral, nfs or image)", rule: "validateVolumeSource")
                continue
            }
            sources.append(member.key)
            let sourcePath = "\(path).\(member.key)"
            guard let source = object(member.value, path: sourcePath, rule: "validateVolumeSource") else { continue }
            if let fields { checkKeys(source, allowed: fields, path: sourcePath, rule: "validateVolumeSource") }
            validateVolumeSource(member.key, source, path: sourcePath)
        }
        if sources.isEmpty && !unknown {
            add(path, "must specify a volume source (e.g. emptyDir: {})", rule: "validateVolumeSource")
        } else if sources.count > 1 {
            add(path, "may specify only one volume source, found \(sources.joined(separator: " and "))", rule: "validateVolumeSource")
        }
    }

    private mutating func validateVolumeSource(_ kind: String, _ source: JSONObject, path: String) {
        switch kind {
        case "emptyDir":
            if let size = source["sizeLimit"] {
                let text = size.stringValue ?? size.description
                if let quantity = Quantity(text) {
                    if quantity.isNegative { add("\(path).sizeLimit", "\"\(text)\" must be greater than or equal to 0", rule: "validateEmptyDirVolumeSource") }
                } else {
                    add("\(path).sizeLimit", "\"\(text)\" is not a quantity (such as 64Mi)", rule: "resource.ParseQuantity")
                }
            }
            if let medium = string(source, "medium", path: path, required: false, rule: "validateEmptyDirVolumeSource"),
                !(medium.isEmpty || medium == "Memory" || medium == "HugePages" || medium.hasPrefix("HugePages-"))
            {
                add("\(path).medium", "\"\(medium)\" is not supported; use \"\", Memory or HugePages", rule: "validateEmptyDirVolumeSource")
            }
        case "hostPath":
            if let hostPath = string(source, "path", path: path, required: true, rule: "validateHostPathVolumeSource"),
                hostPath.split(separator: "/", omittingEmptySubsequences: false).contains("..")
            {
                add("\(path).path", "\"\(hostPath)\" must not contain '..'", rule: "validatePathNoBacksteps")
            }
            if let type = string(source, "type", path: path, required: false, rule: "validateHostPathType") {
                oneOf(type, PodFieldTables.hostPathTypes, path: "\(path).type", rule: "validateHostPathType")
            }
        case "configMap", "secret":
            let nameKey = kind == "configMap" ? "name" : "secretName"
            let rule = kind == "configMap" ? "validateConfigMapVolumeSource" : "validateSecretVolumeSource"
            if let name = string(source, nameKey, path: path, required: true, rule: rule), let problem = KubernetesNames.dns1123SubdomainProblem(name) {
                add("\(path).\(nameKey)", problem, rule: rule)
            }
            validateMode(source, "defaultMode", path: path, rule: rule)
            if let items = list(source, "items", path: path, rule: rule) {
                for (index, item) in items.enumerated() {
                    let itemPath = "\(path).items[\(index)]"
                    guard let keyToPath = object(item, path: itemPath, rule: "validateKeyToPath") else { continue }
                    checkKeys(keyToPath, allowed: PodFieldTables.keyToPathKeys, path: itemPath, rule: "validateKeyToPath")
                    _ = string(keyToPath, "key", path: itemPath, required: true, rule: "validateKeyToPath")
                    if let target = string(keyToPath, "path", path: itemPath, required: true, rule: "validateKeyToPath") {
                        localDescendingPath(target, path: "\(itemPath).path")
                    }
                    validateMode(keyToPath, "mode", path: itemPath, rule: "validateKeyToPath")
                }
            }
        case "persistentVolumeClaim":
            _ = string(source, "claimName", path: path, required: true, rule: "validatePersistentClaimVolumeSource")
        case "csi":
            _ = string(source, "driver", path: path, required: true, rule: "validateCSIVolumeSource")
        case "nfs":
            _ = string(source, "server", path: path, required: true, rule: "validateNFSVolumeSource")
            if let exportPath = string(source, "path", path: path, required: true, rule: "validateNFSVolumeSource"), !exportPath.hasPrefix("/") {
                add("\(path).path", "\"\(exportPath)\" must be an absolute path", rule: "validateNFSVolumeSource")
            }
        case "image":
            _ = string(source, "reference", path: path, required: true, rule: "validateImageVolumeSource")
            if let policy = string(source, "pullPolicy", path: path, required: false, rule: "validatePullPolicy") {
                oneOf(policy, PodFieldTables.pullPolicies, path: "\(path).pullPolicy", rule: "validatePullPolicy")
            }
        case "downwardAPI", "projected":
            validateMode(source, "defaultMode", path: path, rule: kind == "projected" ? "validateProjectedVolumeSource" : "validateDownwardAPIVolumeSource")
            if kind == "projected", let sources = list(source, "sources", path: path, rule: "validateProjectionSources") {
                for (index, projection) in sources.enumerated() {
                    guard let object = object(projection, path: "\(path).sources[\(index)]", rule: "validateProjectionSources") else { continue }
                    checkKeys(object, allowed: PodFieldTables.projectionKeys, path: "\(path).sources[\(index)]", rule: "validateProjectionSources")
                    if object.count != 1 {
                        add("\(path).sources[\(index)]", "must name exactly one projection (secret, configMap, downwardAPI, serviceAccountToken, clusterTrustBundle or podCertificate)", rule: "validateProjectionSources")
                    }
                }
            }
            if kind == "downwardAPI", let items = list(source, "items", path: path, rule: "validateDownwardAPIVolumeSource") {
                for (index, item) in items.enumerated() {
                    let itemPath = "\(path).items[\(index)]"
                    guard let file = object(item, path: itemPath, rule: "validateDownwardAPIVolumeFile") else { continue }
                    checkKeys(file, allowed: PodFieldTables.downwardAPIFileKeys, path: itemPath, rule: "validateDownwardAPIVolumeFile")
                    if let target = string(file, "path", path: itemPath, required: true, rule: "validateDownwardAPIVolumeFile") {
                        localDescendingPath(target, path: "\(itemPath).path")
                    }
                    if (file["fieldRef"] == nil) == (file["resourceFieldRef"] == nil) {
                        add(itemPath, "must set exactly one of fieldRef and resourceFieldRef", rule: "validateDownwardAPIVolumeFile")
                    }
                    if let fieldRef = file["fieldRef"] {
                        validateObjectFieldSelector(fieldRef, allowed: PodFieldTables.volumeFieldPaths, path: "\(itemPath).fieldRef")
                    }
                    if let resourceFieldRef = file["resourceFieldRef"] {
                        validateResourceFieldSelector(resourceFieldRef, requiresContainerName: true, path: "\(itemPath).resourceFieldRef")
                    }
                    validateMode(file, "mode", path: itemPath, rule: "validateDownwardAPIVolumeFile")
                }
            }
        default:
            break
        }
    }

    /// A file mode: 0 to 0777 (511).
    private mutating func validateMode(_ object: JSONObject, _ key: String, path: String, rule: String) {
        if let mode = integer(object, key, path: path, required: false, rule: rule), !(0...0o777).contains(mode) {
            add("\(path).\(key)", "\(mode) must be a number between 0 and 0777 (octal; 511 in decimal)", rule: rule)
        }
    }

    // MARK: - Volume mounts

    /// One mount of `ValidateVolumeMounts`; uniqueness of mountPaths and the volume's existence
    /// depend on the container and the pod, so the callers check those.
    public mutating func validateVolumeMount(_ value: JSONValue, path: String) {
        let rule = "ValidateVolumeMounts"
        guard let mount = object(value, path: path, rule: rule) else { return }
        checkKeys(mount, allowed: PodFieldTables.volumeMountKeys, path: path, rule: rule)
        _ = string(mount, "name", path: path, required: true, rule: rule)
        if let target = string(mount, "mountPath", path: path, required: true, rule: rule), !target.hasPrefix("/") {
            // The API server lets it through; the container runtime (runc) refuses a relative destination.
            add("\(path).mountPath", "\"\(target)\" must be an absolute path", rule: "runc: a mount destination must be absolute; the API server lets a relative one through")
        }
        if let flag = mount["readOnly"], flag.boolValue == nil {
            add("\(path).readOnly", "must be true or false, found \(flag)", rule: rule)
        }
        let subPath = string(mount, "subPath", path: path, required: false, rule: rule)
        let subPathExpr = string(mount, "subPathExpr", path: path, required: false, rule: rule)
        if let subPath, !subPath.isEmpty {
            localDescendingPath(subPath, path: "\(path).subPath")
            if let subPathExpr, !subPathExpr.isEmpty {
                add("\(path).subPathExpr", "may not be set together with subPath", rule: rule)
            }
        }
        if let subPathExpr, !subPathExpr.isEmpty { localDescendingPath(subPathExpr, path: "\(path).subPathExpr") }
        if let propagation = string(mount, "mountPropagation", path: path, required: false, rule: "validateMountPropagation") {
            oneOf(propagation, PodFieldTables.mountPropagationModes, path: "\(path).mountPropagation", rule: "validateMountPropagation")
        }
        if let recursive = string(mount, "recursiveReadOnly", path: path, required: false, rule: rule) {
            oneOf(recursive, ["Disabled", "IfPossible", "Enabled"], path: "\(path).recursiveReadOnly", rule: rule)
        }
    }

    /// `validateLocalDescendingPath`: relative, and no `..` element.
    private mutating func localDescendingPath(_ target: String, path: String) {
        if target.hasPrefix("/") {
            add(path, "\"\(target)\" must be a relative path", rule: "validateLocalDescendingPath")
        }
        if target.split(separator: "/", omittingEmptySubsequences: false).contains("..") {
            add(path, "\"\(target)\" must not contain '..'", rule: "validatePathNoBacksteps")
        }
    }

    // MARK: - Helpers

    mutating func add(_ path: String, _ message: String, rule: String) {
        problems.append(FieldProblem(path: path, message: message, rule: rule))
    }

    private mutating func object(_ value: JSONValue, path: String, rule: String) -> JSONObject? {
        guard let object = value.objectValue else {
            add(path, "must be a mapping, found \(value)", rule: rule)
            return nil
        }
        return object
    }

    private mutating func list(_ object: JSONObject, _ key: String, path: String, rule: String) -> [JSONValue]? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let list = value.arrayValue else {
            add("\(path).\(key)", "must be a list, found \(value)", rule: rule)
            return nil
        }
        return list
    }

    private mutating func string(_ object: JSONObject, _ key: String, path: String, required: Bool, rule: String) -> String? {
        guard let value = object[key], !value.isNull else {
            if required { add("\(path).\(key)", "is required", rule: rule) }
            return nil
        }
        guard let string = value.stringValue else {
            add("\(path).\(key)", "must be a string, found \(value)", rule: rule)
            return nil
        }
        if required && string.isEmpty { add("\(path).\(key)", "is required (empty)", rule: rule) }
        return string
    }

    private mutating func integer(_ object: JSONObject, _ key: String, path: String, required: Bool, rule: String) -> Int? {
        guard let value = object[key], !value.isNull else {
            if required { add("\(path).\(key)", "is required", rule: rule) }
            return nil
        }
        guard case .number(let text) = value.materialized, let number = Int(text) else {
            add("\(path).\(key)", "must be an integer, found \(value)", rule: rule)
            return nil
        }
        return number
    }

    private mutating func checkKeys(_ object: JSONObject, allowed: Set<String>, path: String, rule: String) {
        for member in object.members where !allowed.contains(member.key) {
            add(path, "unknown field \"\(member.key)\" (allowed: \(allowed.sorted().joined(separator: ", ")))", rule: rule)
        }
    }

    private mutating func oneOf(_ value: String, _ allowed: [String], path: String, rule: String) {
        if !allowed.contains(value) {
            add(path, "\"\(value)\" is not supported; use one of \(allowed.filter { !$0.isEmpty }.joined(separator: ", "))", rule: rule)
        }
    }
}
