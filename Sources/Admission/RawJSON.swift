/// A JSON value kept as the bytes it was sent as, already checked by the parser but not
/// built into a tree. The admission core reads a few members of a pod and copies the rest
/// through unchanged; building the rest would cost more than the whole review otherwise.
public struct RawJSON: Sendable {
    /// The value's bytes, sharing the request body's storage.
    public let bytes: ArraySlice<UInt8>
    /// True when the bytes hold no whitespace outside strings, so they can be copied as they are.
    public let isCompact: Bool

    init(bytes: ArraySlice<UInt8>, isCompact: Bool) {
        self.bytes = bytes
        self.isCompact = isCompact
    }

    /// The value as a tree. The bytes were checked when they were read, so this cannot fail in
    /// practice; if it did, null is the honest answer for bytes that are not JSON.
    public var parsed: JSONValue {
        (try? bytes.withUnsafeBufferPointer { try JSONParser.parse(buffer: $0) }) ?? .null
    }

    /// Appends the value without whitespace outside strings.
    func write(into output: inout [UInt8]) {
        if isCompact {
            output.append(contentsOf: bytes)
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
