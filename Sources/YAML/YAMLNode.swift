/// A composed YAML document: scalars, sequences and mappings, each with where it starts. Aliases
/// are already replaced by the node they name; tags are kept as written, resolved on request.
public enum YAMLNode: Sendable {
    case scalar(Scalar)
    case sequence(Sequence)
    case mapping(Mapping)

    /// Where the node starts: its first character, or the first key of a block mapping.
    public var mark: Mark {
        switch self {
        case .scalar(let scalar): return scalar.mark
        case .sequence(let sequence): return sequence.mark
        case .mapping(let mapping): return mapping.mark
        }
    }

    /// The explicit tag, when the document wrote one (`!!str`, `!custom`), expanded to its full form.
    public var tag: String? {
        switch self {
        case .scalar(let scalar): return scalar.tag
        case .sequence(let sequence): return sequence.tag
        case .mapping(let mapping): return mapping.tag
        }
    }

    /// What the node is, for error messages: `a list`, `a mapping`, `null`, `a boolean (yes)`,
    /// `a number (8080)`, `the string "x"`.
    public var summary: String {
        switch self {
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        case .scalar(let scalar):
            switch scalar.resolved {
            case .null: return "null"
            case .bool: return "a boolean (\(scalar.value))"
            case .int, .float: return "a number (\(scalar.value))"
            case .string: return "the string \"\(scalar.value)\""
            }
        }
    }

    /// The scalar's resolved value; nil for a sequence or a mapping.
    public var resolved: Scalar.Resolved? {
        guard case .scalar(let scalar) = self else { return nil }
        return scalar.resolved
    }

    /// The value under a scalar key, for a mapping; nil otherwise.
    public subscript(key: String) -> YAMLNode? {
        guard case .mapping(let mapping) = self else { return nil }
        return mapping[key]
    }

    /// The element at `index`, for a sequence that long; nil otherwise.
    public subscript(index: Int) -> YAMLNode? {
        guard case .sequence(let sequence) = self, sequence.indices.contains(index) else { return nil }
        return sequence[index]
    }
}
