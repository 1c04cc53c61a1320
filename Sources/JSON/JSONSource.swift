/// The bytes a document was parsed from, shared by all of its raw values (one reference each
/// instead of a slice each), and the trees built from those values, so each is parsed once.
final class JSONSource: Sendable {
    let bytes: [UInt8]
    /// The whole document already built, when the bytes were written from a tree (a configured
    /// object): reading the raw value then costs no parse.
    let tree: JSONValue?
    /// nil when `tree` is given. Safe to share: every access takes its lock (a ManagedBuffer
    /// cannot declare itself Sendable).
    nonisolated(unsafe) private let trees: ParsedTrees?

    init(_ bytes: [UInt8], tree: JSONValue? = nil) {
        self.bytes = bytes
        self.tree = tree
        trees = tree == nil ? ParsedTrees.make() : nil
    }

    /// The tree of the value at `range`, parsed on the first call and remembered.
    func parsed(_ range: Range<Int>) -> JSONValue {
        guard let trees else { return tree ?? .null }  // `tree` is set for a source that is this one value
        return trees.tree(for: range) { range in
            (try? bytes[range].withUnsafeBufferPointer { try JSONParser.parse(buffer: $0) }) ?? .null
        }
    }

    /// How many raw values of this document have been built into trees: zero on the paths that
    /// read only what the parse shape built (tests check that the shape keeps what is read).
    var treesBuilt: Int { trees?.built ?? 0 }
}
