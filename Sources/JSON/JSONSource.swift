import Synchronization

/// The bytes a document was parsed from, shared by all of its raw values (one reference each
/// instead of a slice each), and the trees built from those values, so each is parsed once.
final class JSONSource: Sendable {
    let bytes: [UInt8]
    /// The whole document already built, when the bytes were written from a tree (a configured
    /// object): reading the raw value then costs no parse.
    let tree: JSONValue?
    /// Raw values already built, by range. A parsed tree is Sendable and may be read from any
    /// thread, so two threads may ask for the same value. The mutex lives inline: a document
    /// whose raw values are never read (the common path) pays no allocation for it.
    private let trees = Mutex(ParsedTrees())

    init(_ bytes: [UInt8], tree: JSONValue? = nil) {
        self.bytes = bytes
        self.tree = tree
    }

    /// The tree of the value at `range`, parsed on the first call and remembered.
    func parsed(_ range: Range<Int>) -> JSONValue {
        if let tree { return tree }  // only set for a source that is this one value
        if let built = trees.withLock({ $0.trees[range] }) { return built }
        // Built outside the lock: a parse can be long, and two threads building the same value
        // at once only waste work; the first one stored is the one every reader gets.
        let built = (try? bytes[range].withUnsafeBufferPointer { try JSONParser.parse(buffer: $0) }) ?? .null
        return trees.withLock { $0.remember(built, for: range) }
    }

    /// How many raw values of this document have been built into trees: zero on the paths that
    /// read only what the parse shape built (tests check that the shape keeps what is read).
    var treesBuilt: Int { trees.withLock { $0.built } }
}
