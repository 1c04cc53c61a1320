/// A JSON value kept as the bytes it was sent as, already checked by the parser but not
/// built into a tree. The admission core reads a few members of a pod and copies the rest
/// through unchanged; building the rest would cost more than the whole review otherwise.
public struct RawJSON: Sendable {
    // A reference and two 32-bit offsets keep this as small as a String, so JSONValue stays
    // small and cheap to copy; an ArraySlice here would double its size.
    private let source: JSONSource
    private let start: UInt32
    private let endAndCompact: UInt32

    private static let compactBit: UInt32 = 1 << 31

    /// `range` must lie in `source` and be below 2 GiB (request bodies are limited to a few MiB).
    init(source: JSONSource, range: Range<Int>, isCompact: Bool) {
        self.source = source
        start = UInt32(truncatingIfNeeded: range.lowerBound)
        endAndCompact = UInt32(truncatingIfNeeded: range.upperBound) | (isCompact ? Self.compactBit : 0)
    }

    /// A value on its own, e.g. a configured object's serialised form; `tree`, when given, is the
    /// value the bytes encode, returned by `parsed` without parsing.
    public init(compactBytes: [UInt8], tree: JSONValue? = nil) {
        self.init(source: JSONSource(compactBytes, tree: tree), range: 0..<compactBytes.count, isCompact: true)
    }

    /// The value's bytes, sharing the request body's storage.
    public var bytes: ArraySlice<UInt8> {
        source.bytes[Int(start)..<Int(endAndCompact & ~Self.compactBit)]
    }

    /// True when the bytes hold no whitespace outside strings, so they can be copied as they are.
    public var isCompact: Bool { endAndCompact & Self.compactBit != 0 }

    /// The value as a tree, parsed on the first read and remembered by the document's source.
    /// The bytes were checked when they were read, so the parse cannot fail in practice; if it
    /// did, null is the honest answer for bytes that are not JSON.
    public var parsed: JSONValue {
        source.parsed(Int(start)..<Int(endAndCompact & ~Self.compactBit))
    }

    /// How many raw values of the document this one came from have been built into trees.
    var treesBuiltInDocument: Int { source.treesBuilt }

    /// Appends the value without whitespace outside strings.
    func write(into output: inout ByteWriter) {
        if isCompact {
            output.append(bytes)
            return
        }
        var inString = false
        var escaped = false
        for byte in bytes {
            if inString {
                output.append(byte)
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D: continue
            case UInt8(ascii: "\""): inString = true
            default: break
            }
            output.append(byte)
        }
    }
}
