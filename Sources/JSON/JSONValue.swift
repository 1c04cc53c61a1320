/// A JSON document. Object members keep their order and numbers keep the text they were sent
/// as, so what the API server sent is written back unchanged apart from what a patch changes.
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    /// The number's original lexeme, e.g. `3607` or `1.5e3`.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
    /// A value the parser checked but did not build (see `RawJSON`); every accessor below
    /// reads it as the value it holds.
    case raw(RawJSON)

    public var objectValue: JSONObject? {
        switch self {
        case .object(let object): return object
        case .raw(let raw): return raw.parsed.objectValue
        default: return nil
        }
    }

    public var arrayValue: [JSONValue]? {
        switch self {
        case .array(let array): return array
        case .raw(let raw): return raw.parsed.arrayValue
        default: return nil
        }
    }

    public var stringValue: String? {
        switch self {
        case .string(let string): return string
        case .raw(let raw): return raw.parsed.stringValue
        default: return nil
        }
    }

    public var boolValue: Bool? {
        switch self {
        case .bool(let bool): return bool
        case .raw(let raw): return raw.parsed.boolValue
        default: return nil
        }
    }

    /// Kept as the bytes it was given (an injected configured object), not built into a tree.
    public var isRawBytes: Bool {
        if case .raw = self { return true }
        return false
    }

    public var isNull: Bool {
        switch self {
        case .null: return true
        case .raw(let raw): return raw.parsed.isNull
        default: return false
        }
    }

    /// The same value with every raw part built into a tree.
    public var materialized: JSONValue {
        switch self {
        case .raw(let raw): return raw.parsed.materialized
        case .array(let array): return .array(array.map(\.materialized))
        case .object(let object):
            return .object(JSONObject(object.members.map { JSONMember(key: $0.key, value: $0.value.materialized) }))
        default: return self
        }
    }

    /// Builds this value in place when it is raw, so it can be changed.
    mutating func materializeIfRaw() {
        if case .raw(let raw) = self { self = raw.parsed }
    }

    /// The member `key` when this is an object.
    public subscript(key: String) -> JSONValue? {
        objectValue?[key]
    }

    /// Changes the object in place without copying it (the enum payload is moved out first,
    /// so the storage stays uniquely referenced). Returns nil when this is not an object.
    @discardableResult
    public mutating func modifyObject<R>(_ body: (inout JSONObject) throws -> R) rethrows -> R? {
        materializeIfRaw()
        guard case .object(var object) = self else { return nil }
        self = .null
        defer { self = .object(object) }
        return try body(&object)
    }

    /// Changes the array in place without copying it; nil when this is not an array.
    @discardableResult
    public mutating func modifyArray<R>(_ body: (inout [JSONValue]) throws -> R) rethrows -> R? {
        materializeIfRaw()
        guard case .array(var array) = self else { return nil }
        self = .null
        defer { self = .array(array) }
        return try body(&array)
    }

    /// True when everything `self` says is also said by `other`: object members of `self`
    /// are present in `other` with contained values; arrays match element by element.
    /// The API server fills in defaults before webhooks run, so an injected container
    /// seen again carries more fields than the configuration gave it.
    public func isContained(in other: JSONValue) -> Bool {
        switch (self, other) {
        case (.raw(let raw), _): return raw.parsed.isContained(in: other)
        case (_, .raw(let raw)): return isContained(in: raw.parsed)
        case (.object(let mine), .object(let theirs)):
            for member in mine.members {
                guard let value = theirs[member.key], member.value.isContained(in: value) else { return false }
            }
            return true
        case (.array(let mine), .array(let theirs)):
            guard mine.count == theirs.count else { return false }
            for index in mine.indices where !mine[index].isContained(in: theirs[index]) { return false }
            return true
        default:
            return self == other
        }
    }
}

extension JSONValue: Equatable {
    /// JSON equality as RFC 6902 `test` defines it: object member order does not matter,
    /// numbers compare by value.
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.raw(let left), .raw(let right)) where left.isCompact && right.isCompact && left.bytes.elementsEqual(right.bytes):
            return true
        case (.raw(let raw), _): return raw.parsed == rhs
        case (_, .raw(let raw)): return lhs == raw.parsed
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)):
            if a == b { return true }
            guard let x = Double(a), let y = Double(b) else { return false }
            return x == y
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)): return a == b
        default: return false
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(String(value)) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(elements.map { JSONMember(key: $0.0, value: $0.1) }))
    }
    public init(nilLiteral: ()) { self = .null }
}

extension JSONValue: CustomStringConvertible {
    /// Compact JSON text.
    public var description: String {
        String(decoding: JSONSerializer.serialize(self), as: UTF8.self)
    }
}
