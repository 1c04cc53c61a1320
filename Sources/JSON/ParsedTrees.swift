/// The trees built from one document's raw values, by range, and how many were built: what a
/// `JSONSource` keeps behind its lock.
struct ParsedTrees: Sendable {
    private(set) var trees: [Range<Int>: JSONValue] = [:]
    private(set) var built = 0

    /// Keeps `tree` for `range` unless another thread got there first; returns the one kept.
    mutating func remember(_ tree: JSONValue, for range: Range<Int>) -> JSONValue {
        if let earlier = trees[range] { return earlier }
        trees[range] = tree
        built += 1
        return tree
    }
}
