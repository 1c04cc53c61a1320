/// The bytes a document was parsed from, shared by all of its raw values (one reference each
/// instead of a slice each).
final class JSONSource: Sendable {
    let bytes: [UInt8]
    /// The whole document already built, when the bytes were written from a tree (a configured
    /// object): reading the raw value then costs no parse.
    let tree: JSONValue?

    init(_ bytes: [UInt8], tree: JSONValue? = nil) {
        self.bytes = bytes
        self.tree = tree
    }
}
