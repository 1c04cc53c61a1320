/// Why an injection configuration was refused: the file, where in it, and what to change.
public struct InjectionConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Problem: Sendable, Equatable {
        /// The text is not YAML at all; the parser's own words.
        case unreadableYAML(String)
        case unknownKey(String, allowed: [String])
        case wrongType(expected: String, found: String)
        case missingField(String)
        case duplicateProfile(String)
        /// A key repeats in one mapping (other than a profile name).
        case duplicateKey(String)
        /// Two entries of one list in one profile share a name (env, initContainers, volumes) or mountPath.
        case duplicateName(list: String, name: String)
        case envValueAndValueFrom(name: String)
        case unknownDefaultProfile(String, known: [String])
        /// Two profiles define the same init container or volume differently; a pod selecting both
        /// could not get both.
        case conflictingDefinition(list: String, name: String, profiles: [String])
        case invalidValue(String)
    }

    /// The file (or other source) the configuration came from.
    public var source: String
    /// Where in the document, e.g. `profiles.observability.env[1]`.
    public var location: String
    /// 1-based line in the source, when known.
    public var line: Int?
    public var problem: Problem
    /// The document's other problems, in document order: one run reports them all.
    public var additionalErrors: [InjectionConfigError] = []

    public init(source: String, location: String, line: Int?, problem: Problem) {
        self.source = source
        self.location = location
        self.line = line
        self.problem = problem
    }

    /// Every problem, one per line (`file:line: location: problem`).
    public var description: String {
        ([self] + additionalErrors).map(\.singleLine).joined(separator: "\n")
    }

    /// All problems of the document, this one first.
    public var allErrors: [InjectionConfigError] { [self] + additionalErrors }

    /// This problem alone, as `file:line: location: problem`.
    public var singleLine: String {
        var text = source
        if let line { text += ":\(line)" }
        text += ": "
        if !location.isEmpty { text += "\(location): " }
        return text + explanation
    }

    /// The problem in one sentence, without the source.
    public var explanation: String {
        switch problem {
        case .unreadableYAML(let detail):
            return "not valid YAML: \(detail)"
        case .unknownKey(let key, let allowed):
            return "unknown key \"\(key)\" (allowed here: \(allowed.joined(separator: ", ")))"
        case .wrongType(let expected, let found):
            return "must be \(expected), found \(found)"
        case .missingField(let field):
            return "\"\(field)\" is required"
        case .duplicateProfile(let name):
            return "profile \"\(name)\" is defined more than once"
        case .duplicateKey(let key):
            return "key \"\(key)\" appears more than once"
        case .duplicateName(let list, let name):
            return "\(list) has two entries named \"\(name)\""
        case .envValueAndValueFrom(let name):
            return "env \"\(name)\" has both value and valueFrom; keep one"
        case .unknownDefaultProfile(let name, let known):
            let list = known.isEmpty ? "none are defined" : "defined: \(known.joined(separator: ", "))"
            return "defaultProfiles names \"\(name)\", which is not a profile (\(list))"
        case .conflictingDefinition(let list, let name, let profiles):
            return "\(list) \"\(name)\" is defined differently in profiles \(profiles.joined(separator: " and ")); give them different names or the same definition"
        case .invalidValue(let detail):
            return detail
        }
    }
}
