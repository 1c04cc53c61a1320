/// A JSON object that keeps its members in the order they were read or added.
/// Lookup is a linear scan: Kubernetes objects have a handful of keys per level, where a
/// scan beats hashing. When a key repeats, the last member wins, as in Go's decoder.
public struct JSONObject: Sendable {
    public private(set) var members: [JSONMember]

    public init(_ members: [JSONMember] = []) {
        self.members = members
    }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }
    public var keys: [String] { members.map(\.key) }

    public func index(forKey key: String) -> Int? {
        // Comparing lengths first skips String's full comparison for almost every other key.
        let length = key.utf8.count
        var index = members.count - 1
        while index >= 0 {
            let candidate = members[index].key
            if candidate.utf8.count == length && candidate == key { return index }
            index -= 1
        }
        return nil
    }

    public subscript(key: String) -> JSONValue? {
        get { index(forKey: key).map { members[$0].value } }
        set {
            if let index = index(forKey: key) {
                if let newValue { members[index].value = newValue } else { members.remove(at: index) }
            } else if let newValue {
                members.append(JSONMember(key: key, value: newValue))
            }
        }
    }

    /// Appends without looking for an existing member: the parser's fast path.
    public mutating func appendMember(key: String, value: JSONValue) {
        members.append(JSONMember(key: key, value: value))
    }

    /// Changes the value of the member at `index` in place, without copying it.
    public mutating func modifyValue<R>(at index: Int, _ body: (inout JSONValue) throws -> R) rethrows -> R {
        try body(&members[index].value)
    }

    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        guard let index = index(forKey: key) else { return nil }
        return members.remove(at: index).value
    }
}

extension JSONObject: Equatable {
    /// Member order does not matter.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.members.count == rhs.members.count else { return false }
        for member in lhs.members {
            guard let other = rhs[member.key], other == member.value else { return false }
        }
        return true
    }
}
