/// The bytes a document was parsed from, shared by all of its raw values (one reference each
/// instead of a slice each).
final class JSONSource: Sendable {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }
}
