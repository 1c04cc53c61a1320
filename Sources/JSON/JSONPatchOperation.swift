/// One RFC 6902 operation.
public struct JSONPatchOperation: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case add, remove, replace, move, copy, test
    }

    public var op: Kind
    public var path: JSONPointer
    /// Source of `move` and `copy`.
    public var from: JSONPointer?
    /// Value of `add`, `replace` and `test`.
    public var value: JSONValue?

    public init(op: Kind, path: JSONPointer, from: JSONPointer? = nil, value: JSONValue? = nil) {
        self.op = op
        self.path = path
        self.from = from
        self.value = value
    }

    public static func add(_ tokens: [String], _ value: JSONValue) -> JSONPatchOperation {
        JSONPatchOperation(op: .add, path: JSONPointer(tokens: tokens), value: value)
    }

    public static func replace(_ tokens: [String], _ value: JSONValue) -> JSONPatchOperation {
        JSONPatchOperation(op: .replace, path: JSONPointer(tokens: tokens), value: value)
    }

    /// The operation as a JSON object (`{"op":"add","path":...,"value":...}`).
    public var json: JSONValue {
        var object = JSONObject()
        object.appendMember(key: "op", value: .string(op.rawValue))
        object.appendMember(key: "path", value: .string(path.description))
        if let from { object.appendMember(key: "from", value: .string(from.description)) }
        if let value { object.appendMember(key: "value", value: value) }
        return .object(object)
    }

    /// Reads one operation from its JSON object form.
    public init(json: JSONValue, index: Int) throws {
        guard let object = json.objectValue else {
            throw JSONPatchError(operationIndex: index, path: "", problem: "an operation must be a JSON object")
        }
        guard let name = object["op"]?.stringValue, let kind = Kind(rawValue: name) else {
            throw JSONPatchError(operationIndex: index, path: "", problem: "\"op\" must be one of add, remove, replace, move, copy, test")
        }
        guard let pathText = object["path"]?.stringValue else {
            throw JSONPatchError(operationIndex: index, path: "", problem: "\"path\" must be a string")
        }
        op = kind
        path = try JSONPointer(parsing: pathText)
        switch kind {
        case .add, .replace, .test:
            guard let value = object["value"] else {
                throw JSONPatchError(operationIndex: index, path: pathText, problem: "\"\(name)\" needs a \"value\"")
            }
            self.value = value
        case .move, .copy:
            guard let fromText = object["from"]?.stringValue else {
                throw JSONPatchError(operationIndex: index, path: pathText, problem: "\"\(name)\" needs a \"from\" string")
            }
            from = try JSONPointer(parsing: fromText)
        case .remove:
            break
        }
    }
}
