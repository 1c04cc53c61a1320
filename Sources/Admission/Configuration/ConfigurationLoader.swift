import JSON
import YAML

/// Turns a YAML configuration document into an `InjectionConfig`, refusing anything it does
/// not understand with a `InjectionConfigError` that names the place and the fix. Every field a
/// profile injects is checked with the API server's own rules (`PodPartValidator`), and every
/// problem of the document is reported at once: the first error carries the others.
struct ConfigurationLoader {
    let yaml: String
    let source: String
    /// Problems found so far and the line of each location, filled while the document is read.
    private let notes = Notes()

    private final class Notes {
        var errors: [InjectionConfigError] = []
        var lines: [String: Int] = [:]
    }

    static let topLevelKeys = ["defaultProfiles", "operations", "profiles"]
    static let profileKeys = [
        "containers", "env", "overrideEnv", "initContainers", "initContainerPosition", "volumes", "volumeMounts",
    ]
    static let envKeys = ["name", "value", "valueFrom"]
    /// core/v1 Container fields; an init container with any other key would be refused by the
    /// API server, so it is refused here, before any pod depends on it.
    static let containerKeys = [
        "name", "image", "command", "args", "workingDir", "ports", "envFrom", "env", "resources", "resizePolicy",
        "restartPolicy", "volumeMounts", "volumeDevices", "livenessProbe", "readinessProbe", "startupProbe",
        "lifecycle", "terminationMessagePath", "terminationMessagePolicy", "imagePullPolicy", "securityContext",
        "stdin", "stdinOnce", "tty",
    ]
    static let volumeMountKeys = ["name", "mountPath", "readOnly", "recursiveReadOnly", "subPath", "subPathExpr", "mountPropagation"]

    func load() throws -> InjectionConfig {
        let configuration: InjectionConfig?
        do {
            configuration = try loadDocument()
        } catch let problem as InjectionConfigError {
            notes.errors.append(problem)
            configuration = nil
        }
        if !notes.errors.isEmpty {
            // In document order, so a person fixes them top to bottom.
            let ordered = notes.errors.enumerated()
                .sorted { ($0.element.line ?? .max, $0.offset) < ($1.element.line ?? .max, $1.offset) }.map(\.element)
            var first = ordered[0]
            first.additionalErrors = Array(ordered.dropFirst())
            throw first
        }
        return configuration ?? InjectionConfig()
    }

    private func loadDocument() throws -> InjectionConfig {
        let root: YAMLNode?
        do {
            root = try YAML.compose(yaml: yaml)
        } catch {
            throw translate(error)
        }
        guard let root, case .mapping(let mapping) = root else {
            throw InjectionConfigError(
                source: source, location: "", line: root?.mark.line,
                problem: .wrongType(expected: "a mapping with defaultProfiles and profiles", found: root.map(\.summary) ?? "an empty document"))
        }
        var defaultProfiles: [(name: String, line: Int?)] = []
        var operations = ["CREATE"]
        var profiles: [InjectionProfile] = []
        for (keyNode, value) in mapping {
            // A problem under one top-level key does not stop the others from being read.
            do {
                let key = try keyString(keyNode, location: "")
                switch key {
                case "defaultProfiles":
                    defaultProfiles = try sequence(value, location: key).map { (try string($0, location: key), $0.mark.line) }
                case "operations":
                    operations = []
                    for node in try sequence(value, location: key) {
                        let operation = try string(node, location: key)
                        switch operation {
                        case "CREATE":
                            if !operations.contains(operation) { operations.append(operation) }
                        case "UPDATE":
                            notes.errors.append(error(at: node, key, .invalidValue(
                                "UPDATE cannot be used: Kubernetes forbids adding init containers, volumes or env to an existing pod (a pod's spec is immutable), so the API server would refuse every update of an injected pod; use [CREATE]")))
                        default:
                            notes.errors.append(error(at: node, key, .invalidValue("operation \"\(operation)\" is not one the injector handles; use CREATE")))
                        }
                    }
                    if operations.isEmpty { operations = ["CREATE"] }
                case "profiles":
                    guard case .mapping(let profileMapping) = value else {
                        throw error(at: value, key, .wrongType(expected: "a mapping of profile name to profile", found: value.summary))
                    }
                    for (nameNode, profileNode) in profileMapping {
                        let name = try keyString(nameNode, location: key)
                        do {
                            try checkProfileName(name, node: nameNode)
                            profiles.append(try profile(named: name, profileNode))
                        } catch let problem as InjectionConfigError {
                            // The next profile is still read, so one run reports every problem.
                            notes.errors.append(problem)
                        }
                    }
                default:
                    throw error(at: keyNode, "", .unknownKey(key, allowed: Self.topLevelKeys))
                }
            } catch let problem as InjectionConfigError {
                notes.errors.append(problem)
            }
        }
        let names = profiles.map(\.name)
        for (name, line) in defaultProfiles where !names.contains(name) {
            notes.errors.append(InjectionConfigError(source: source, location: "defaultProfiles", line: line, problem: .unknownDefaultProfile(name, known: names)))
        }
        do {
            try checkSharedDefinitions(profiles)
        } catch let problem as InjectionConfigError {
            notes.errors.append(problem)
        }
        let volumesOfAllProfiles = Set(profiles.flatMap { $0.volumes.map(\.key) })
        for profile in profiles { validate(profile, volumesOfAllProfiles: volumesOfAllProfiles) }
        return InjectionConfig(defaultProfiles: defaultProfiles.map(\.name), profiles: profiles, operations: operations)
    }

    // MARK: - Kubernetes' rules

    /// Every injected object is checked as the API server would check it in a pod; a problem is
    /// reported at the line of the field it concerns, with the Kubernetes rule it comes from.
    private func validate(_ profile: InjectionProfile, volumesOfAllProfiles: Set<String>) {
        let location = "profiles.\(profile.name)"
        var validator = PodPartValidator()
        for (index, variable) in profile.env.enumerated() {
            validator.validateEnvVar(variable.value, path: "\(location).env[\(index)]")
        }
        for (index, container) in profile.initContainers.enumerated() {
            let path = "\(location).initContainers[\(index)]"
            validator.validateInitContainer(container.value, path: path)
            for (mountIndex, mount) in (container.value["volumeMounts"]?.arrayValue ?? []).enumerated() {
                checkVolumeExists(mount, path: "\(path).volumeMounts[\(mountIndex)]", volumes: volumesOfAllProfiles, validator: &validator)
            }
        }
        for (index, volume) in profile.volumes.enumerated() {
            validator.validateVolume(volume.value, path: "\(location).volumes[\(index)]")
        }
        for (index, mount) in profile.volumeMounts.enumerated() {
            let path = "\(location).volumeMounts[\(index)]"
            validator.validateVolumeMount(mount.value, path: path)
            checkVolumeExists(mount, path: path, volumes: volumesOfAllProfiles, validator: &validator)
        }
        for problem in validator.problems {
            notes.errors.append(InjectionConfigError(
                source: source, location: problem.path, line: line(of: problem.path),
                problem: .invalidValue("\(problem.message) (rule: \(problem.rule))")))
        }
    }

    /// `ValidateVolumeMounts` refuses a mount of a volume the pod does not define. A profile
    /// can only promise the volumes some profile injects; a mount of the pod's own volume is
    /// checked per pod instead (`PodAdmissibility`), and refused here.
    private func checkVolumeExists(_ mount: ConfiguredObject, path: String, volumes: Set<String>, validator: inout PodPartValidator) {
        checkVolumeExists(mount.value, path: path, volumes: volumes, validator: &validator)
    }

    private func checkVolumeExists(_ mount: JSONValue, path: String, volumes: Set<String>, validator: inout PodPartValidator) {
        guard let name = mount["name"]?.stringValue, !name.isEmpty, !volumes.contains(name) else { return }
        validator.add(
            "\(path).name", "volume \"\(name)\" is not defined by any profile; add it to the profile's volumes",
            rule: "ValidateVolumeMounts")
    }

    /// The line of `path`, or of the nearest enclosing field that has one.
    private func line(of path: String) -> Int? {
        var candidate = Substring(path)
        while !candidate.isEmpty {
            if let line = notes.lines[String(candidate)] { return line }
            guard let cut = candidate.lastIndex(where: { $0 == "." || $0 == "[" }) else { break }
            candidate = candidate[..<cut]
        }
        return nil
    }

    // MARK: - Profiles

    private func checkProfileName(_ name: String, node: YAMLNode) throws {
        if name.isEmpty || name == "true" || name == "false" || name == "*"
            || name.contains(where: { $0 == "," || $0.isWhitespace })
        {
            throw error(at: node, "profiles", .invalidValue(
                "profile name \"\(name)\" cannot be used in the kube-injector.io/inject annotation; use letters, digits, '-' and '.' (not \"true\" or \"false\")"))
        }
    }

    private func profile(named name: String, _ node: YAMLNode) throws -> InjectionProfile {
        let location = "profiles.\(name)"
        guard case .mapping(let mapping) = node else {
            throw error(at: node, location, .wrongType(expected: "a mapping", found: node.summary))
        }
        var containers = ["*"]
        var env: [ConfiguredObject] = []
        var overrideEnv = false
        var initContainers: [ConfiguredObject] = []
        var initContainerPosition = InitContainerPosition.last
        var volumes: [ConfiguredObject] = []
        var volumeMounts: [ConfiguredObject] = []
        for (keyNode, value) in mapping {
            let key = try keyString(keyNode, location: location)
            let here = "\(location).\(key)"
            switch key {
            case "containers":
                containers = try sequence(value, location: here).map { try string($0, location: here) }
                if containers.isEmpty {
                    throw error(at: value, here, .invalidValue("lists no container; use [\"*\"] for every app container"))
                }
            case "env":
                env = try objects(value, location: here, list: "env") { object, node, itemLocation in
                    try checkKeys(object, allowed: Self.envKeys, node: node, location: itemLocation)
                    let name = try requiredString(object, "name", node: node, location: itemLocation)
                    if object["value"] != nil, object["valueFrom"] != nil {
                        throw error(at: node, itemLocation, .envValueAndValueFrom(name: name))
                    }
                    if let value = object["value"], value.stringValue == nil {
                        throw error(at: node, itemLocation, .invalidValue(Self.unquotedEnvValue(name: name, node: node["value"])))
                    }
                    if let valueFrom = object["valueFrom"], valueFrom.objectValue == nil {
                        throw error(at: node, itemLocation, .wrongType(expected: "valueFrom as a mapping", found: "\(valueFrom)"))
                    }
                    return name
                }
            case "overrideEnv":
                overrideEnv = try bool(value, location: here)
            case "initContainers":
                initContainers = try objects(value, location: here, list: "initContainers") { object, node, itemLocation in
                    try checkKeys(object, allowed: Self.containerKeys, node: node, location: itemLocation)
                    let name = try requiredString(object, "name", node: node, location: itemLocation)
                    _ = try requiredString(object, "image", node: node, location: itemLocation)
                    return name
                }
            case "initContainerPosition":
                let text = try string(value, location: here)
                guard let position = InitContainerPosition(rawValue: text) else {
                    throw error(at: value, here, .invalidValue("must be first or last, found \"\(text)\""))
                }
                initContainerPosition = position
            case "volumes":
                volumes = try objects(value, location: here, list: "volumes") { object, node, itemLocation in
                    let name = try requiredString(object, "name", node: node, location: itemLocation)
                    if object.count < 2 {
                        throw error(at: node, itemLocation, .invalidValue("volume \"\(name)\" has no source (e.g. emptyDir: {})"))
                    }
                    return name
                }
            case "volumeMounts":
                volumeMounts = try objects(value, location: here, list: "volumeMounts") { object, node, itemLocation in
                    try checkKeys(object, allowed: Self.volumeMountKeys, node: node, location: itemLocation)
                    _ = try requiredString(object, "name", node: node, location: itemLocation)
                    return try requiredString(object, "mountPath", node: node, location: itemLocation)
                }
            default:
                throw error(at: keyNode, location, .unknownKey(key, allowed: Self.profileKeys))
            }
        }
        return InjectionProfile(
            name: name, containers: containers, env: env, overrideEnv: overrideEnv, initContainers: initContainers,
            initContainerPosition: initContainerPosition, volumes: volumes, volumeMounts: volumeMounts)
    }

    /// A list of mappings, each turned into JSON, checked by `validate` (which returns the
    /// entry's key), with no key twice.
    private func objects(
        _ node: YAMLNode, location: String, list: String,
        validate: (JSONObject, YAMLNode, String) throws -> String
    ) throws -> [ConfiguredObject] {
        var result: [ConfiguredObject] = []
        var seen: Set<String> = []
        for (index, item) in try sequence(node, location: location).enumerated() {
            let itemLocation = "\(location)[\(index)]"
            do {
                let json = try self.json(item, location: itemLocation)
                guard let object = json.objectValue else {
                    throw error(at: item, itemLocation, .wrongType(expected: "a mapping", found: item.summary))
                }
                let key = try validate(object, item, itemLocation)
                guard seen.insert(key).inserted else {
                    throw error(at: item, itemLocation, .duplicateName(list: list, name: key))
                }
                result.append(ConfiguredObject(key: key, value: json))
            } catch let problem as InjectionConfigError {
                // The other entries are still read and checked.
                notes.errors.append(problem)
            }
        }
        return result
    }

    /// An init container or volume shared by two profiles must be the same in both, or a pod
    /// selecting both could not be given both.
    private func checkSharedDefinitions(_ profiles: [InjectionProfile]) throws {
        for (list, items) in [("init container", \InjectionProfile.initContainers), ("volume", \InjectionProfile.volumes)] {
            var firstDefinition: [String: (profile: String, value: JSONValue)] = [:]
            for profile in profiles {
                for item in profile[keyPath: items] {
                    if let earlier = firstDefinition[item.key] {
                        if earlier.value != item.value {
                            throw InjectionConfigError(
                                source: source, location: "profiles.\(profile.name)", line: nil,
                                problem: .conflictingDefinition(list: list, name: item.key, profiles: [earlier.profile, profile.name]))
                        }
                    } else {
                        firstDefinition[item.key] = (profile.name, item.value)
                    }
                }
            }
        }
    }

    /// The hint for `value: yes` or `value: 8080`: the text as written, so quoting it keeps the
    /// value the author meant (`yes`, not the `true` it was read as).
    static func unquotedEnvValue(name: String, node: YAMLNode?) -> String {
        guard case .scalar(let scalar)? = node else {
            return "env \"\(name)\": value must be a string, found \(node?.summary ?? "nothing")"
        }
        let readAs: String
        switch scalar.resolved {
        case .bool: readAs = "a boolean"
        case .int, .float: readAs = "a number"
        case .null: readAs = "null"
        case .string: readAs = "a string"
        }
        return "env \"\(name)\": value \(scalar.value.isEmpty ? "(empty)" : scalar.value) was read as \(readAs); quote it as "
            + "\(YAMLEmitter.doubleQuoted(scalar.value)) to keep it as text"
    }

    // MARK: - YAML to JSON

    /// Kubernetes objects inside the configuration become JSON as the API server would read
    /// them: booleans, integers and floats as JSON literals, everything quoted as a string.
    func json(_ node: YAMLNode, location: String) throws -> JSONValue {
        if notes.lines[location] == nil { notes.lines[location] = node.mark.line }
        switch node {
        case .scalar(let scalar):
            switch scalar.resolved {
            case .null:
                return .null
            case .bool(let bool):
                return .bool(bool)
            case .int(let int):
                return .number(String(int))
            case .float(let double):
                guard double.isFinite else {
                    throw error(at: node, location, .invalidValue("\"\(scalar.value)\" is not a finite number"))
                }
                return .number(double == double.rounded() && abs(double) < 1e15 ? String(Int(double)) : String(double))
            case .string(let string):
                return .string(string)
            }
        case .sequence(let sequence):
            var array: [JSONValue] = []
            for (index, element) in sequence.enumerated() {
                array.append(try json(element, location: "\(location)[\(index)]"))
            }
            return .array(array)
        case .mapping(let mapping):
            var object = JSONObject()
            for (keyNode, value) in mapping {
                let key = try keyString(keyNode, location: location)
                object.appendMember(key: key, value: try json(value, location: location.isEmpty ? key : "\(location).\(key)"))
            }
            return .object(object)
        }
    }

    // MARK: - Scalars and checks

    private func keyString(_ node: YAMLNode, location: String) throws -> String {
        guard case .scalar(let scalar) = node else {
            throw error(at: node, location, .wrongType(expected: "a plain key", found: node.summary))
        }
        return scalar.value
    }

    private func string(_ node: YAMLNode, location: String) throws -> String {
        guard case .string(let string)? = node.resolved else {
            throw error(at: node, location, .wrongType(expected: "a string", found: node.summary))
        }
        return string
    }

    private func bool(_ node: YAMLNode, location: String) throws -> Bool {
        guard case .bool(let bool)? = node.resolved else {
            throw error(at: node, location, .wrongType(expected: "true or false", found: node.summary))
        }
        return bool
    }

    private func sequence(_ node: YAMLNode, location: String) throws -> [YAMLNode] {
        guard case .sequence(let sequence) = node else {
            throw error(at: node, location, .wrongType(expected: "a list", found: node.summary))
        }
        return Array(sequence)
    }

    private func requiredString(_ object: JSONObject, _ key: String, node: YAMLNode, location: String) throws -> String {
        guard let value = object[key] else { throw error(at: node, location, .missingField(key)) }
        guard let string = value.stringValue, !string.isEmpty else {
            throw error(at: node, "\(location).\(key)", .wrongType(expected: "a non-empty string", found: "\(value)"))
        }
        return string
    }

    private func checkKeys(_ object: JSONObject, allowed: [String], node: YAMLNode, location: String) throws {
        for key in object.keys where !allowed.contains(key) {
            throw error(at: node, location, .unknownKey(key, allowed: allowed))
        }
    }

    private func error(at node: YAMLNode, _ location: String, _ problem: InjectionConfigError.Problem) -> InjectionConfigError {
        InjectionConfigError(source: source, location: location, line: node.mark.line, problem: problem)
    }

    /// A repeated key under `profiles` is a profile defined twice; the parser's other refusals
    /// keep its words and its line.
    private func translate(_ yamlError: YAMLError) -> InjectionConfigError {
        if case .duplicateKey(let key, let path, _) = yamlError.problem {
            let problem: InjectionConfigError.Problem = path == "profiles" ? .duplicateProfile(key) : .duplicateKey(key)
            return InjectionConfigError(source: source, location: path, line: yamlError.mark?.line, problem: problem)
        }
        return InjectionConfigError(source: source, location: "", line: yamlError.mark?.line, problem: .unreadableYAML(yamlError.explanation))
    }
}
