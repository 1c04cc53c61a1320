/// The members an object's `ParseShape` names, each with its own shape, and the shape of the
/// rest. The parser matches a member's name as read, its bytes, against these keys, so a named
/// member's String is the one prebuilt here and a dropped member's name is never built at all.
public final class ObjectShape: Sendable {
    let keys: [String]
    let shapes: [ParseShape]
    let others: ParseShape
    /// The keys by their bytes.
    private let table: KnownKeyTable

    init(_ members: [(key: String, shape: ParseShape)], others: ParseShape) {
        keys = members.map(\.key)
        shapes = members.map(\.shape)
        self.others = others
        table = KnownKeyTable(keys)
    }

    /// The position of the member named by `name` (a key's bytes as read), or nil.
    @inline(__always)
    func index(of name: UnsafeBufferPointer<UInt8>) -> Int? {
        if name.count > KnownKeyTable.maximumLength {
            return keys.firstIndex { $0.utf8.elementsEqual(name) }  // longer than any Kubernetes field name
        }
        return table.position(of: name)
    }

    /// The same for a name that had escapes, decoded.
    func index(of key: String) -> Int? {
        keys.firstIndex(of: key)
    }

    /// The shape of the member named `key`.
    func shape(forMember key: String) -> ParseShape {
        index(of: key).map { shapes[$0] } ?? others
    }
}
