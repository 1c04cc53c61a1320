/// Which parts of a document the parser builds into a tree, which it keeps as raw bytes, and
/// which it checks and drops. Everything not built is still checked as strict JSON.
public indirect enum ParseShape: Sendable {
    /// Build the whole value.
    case full
    /// Check it and keep its bytes (`JSONValue.raw`).
    case raw
    /// Check it and leave it out of the tree.
    case drop
    /// An object whose listed members follow their own shape and the rest `others`.
    case object(ObjectShape)
    /// An array whose elements all follow one shape.
    case array(ParseShape)

    var isDrop: Bool {
        if case .drop = self { return true }
        return false
    }

    public static func object(_ members: [(key: String, shape: ParseShape)], others: ParseShape) -> ParseShape {
        .object(ObjectShape(members, others: others))
    }
}
