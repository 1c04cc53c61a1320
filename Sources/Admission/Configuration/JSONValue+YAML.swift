import JSON
import YAML

extension JSONValue {
    /// A YAML node as the API server receives the same manifest from kubectl (sigs.k8s.io/yaml turns
    /// YAML into JSON): booleans, integers and floats become JSON literals under YAML 1.1's rules,
    /// everything else a string; mapping order is kept. Throws for what JSON cannot hold: a key that
    /// is not a scalar, or an infinite or NaN number.
    public init(yaml node: YAMLNode) throws(YAMLConversionError) {
        switch node {
        case .scalar(let scalar):
            switch scalar.resolved {
            case .null: self = .null
            case .bool(let bool): self = .bool(bool)
            case .int(let int): self = .number(String(int))
            case .float(let double):
                guard double.isFinite else { throw YAMLConversionError(mark: scalar.mark, problem: "\"\(scalar.value)\" is not a finite number, which JSON cannot hold") }
                // The lexeme when it is already JSON's (1.5, 1e3), so a number is written back as it was.
                self = .number(Self.isJSONNumber(scalar.value) ? scalar.value : String(double))
            case .string(let string): self = .string(string)
            }
        case .sequence(let sequence):
            var array: [JSONValue] = []
            array.reserveCapacity(sequence.count)
            for element in sequence { array.append(try JSONValue(yaml: element)) }
            self = .array(array)
        case .mapping(let mapping):
            var members: [JSONMember] = []
            members.reserveCapacity(mapping.count)
            for (key, value) in mapping {
                guard case .scalar(let scalar) = key else {
                    throw YAMLConversionError(mark: key.mark, problem: "a key is \(key.summary); JSON keys are strings")
                }
                members.append(JSONMember(key: scalar.value, value: try JSONValue(yaml: value)))
            }
            self = .object(JSONObject(members))
        }
    }

    /// The node `YAMLEmitter` writes for this value: numbers, booleans and null as plain scalars,
    /// strings as strings (the emitter quotes those that would otherwise read as something else).
    public var yamlNode: YAMLNode {
        switch self {
        case .null: return .scalar(YAMLNode.Scalar(value: "null"))
        case .bool(let bool): return .scalar(YAMLNode.Scalar(value: bool ? "true" : "false"))
        case .number(let lexeme): return .scalar(YAMLNode.Scalar(value: lexeme))
        case .string(let string): return .scalar(YAMLNode.Scalar(value: string, style: .doubleQuoted))
        case .array(let array): return .sequence(YAMLNode.Sequence(array.map(\.yamlNode)))
        case .object(let object):
            return .mapping(YAMLNode.Mapping(object.members.map {
                (key: YAMLNode.scalar(YAMLNode.Scalar(value: $0.key, style: .doubleQuoted)), value: $0.value.yamlNode)
            }))
        case .raw(let raw): return raw.parsed.yamlNode
        }
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?`, RFC 8259's number.
    private static func isJSONNumber(_ text: String) -> Bool {
        var rest = Substring(text)
        func digits() -> Int {
            let count = rest.prefix(while: { $0.isASCII && $0.isNumber }).count
            rest = rest.dropFirst(count)
            return count
        }
        if rest.first == "-" { rest = rest.dropFirst() }
        if rest.first == "0" {
            rest = rest.dropFirst()
        } else if rest.first.map({ $0.isASCII && $0.isNumber && $0 != "0" }) == true {
            _ = digits()
        } else {
            return false
        }
        if rest.first == "." {
            rest = rest.dropFirst()
            guard digits() > 0 else { return false }
        }
        if rest.first == "e" || rest.first == "E" {
            rest = rest.dropFirst()
            if rest.first == "-" || rest.first == "+" { rest = rest.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return rest.isEmpty
    }
}
