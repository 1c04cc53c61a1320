/// Checks and skips one JSON value in a single loop, for the parts of a review the parser keeps
/// raw or drops: most of a pod's bytes. It accepts only a subset of valid JSON (strings of plain
/// ASCII without escapes, at most 64 levels of nesting) and answers nil for anything else, valid
/// or not; the parser then walks the value again on its full path, which accepts the rest and
/// gives the precise error. So this must never accept what the full path refuses, and need not
/// accept all that it allows.
enum JSONSkipper {
    struct Skipped {
        /// Just past the value's last byte.
        var end: Int
        /// Whitespace occurred between the value's tokens.
        var sawWhitespace: Bool
    }

    /// Nesting the loop tracks itself, one bit per level; deeper values take the full path.
    private static let maximumDepth = 64

    /// Skips the value starting at `start` (its first byte, not whitespace). `depthAllowance` is
    /// how many containers may still open before the parser's nesting limit.
    static func skip(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, depthAllowance: Int) -> Skipped? {
        var cursor = Cursor(bytes: bytes, index: start)
        guard cursor.skipValue(depthLimit: min(depthAllowance, maximumDepth)) else { return nil }
        return Skipped(end: cursor.index, sawWhitespace: cursor.whitespace)
    }

    private struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var index: Int
        var whitespace = false

        init(bytes: UnsafeBufferPointer<UInt8>, index: Int) {
            self.bytes = bytes
            self.index = index
        }

        mutating func skipValue(depthLimit: Int) -> Bool {
            let count = bytes.count
            var depth = 0
            // Bit 0 is the innermost open container: 1 for an array, 0 for an object.
            var arrays: UInt64 = 0
            value: while true {
                guard index < count else { return false }
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    guard skipString() else { return false }
                case UInt8(ascii: "{"):
                    guard depth < depthLimit else { return false }
                    depth += 1
                    arrays <<= 1
                    index += 1
                    skipWhitespace()
                    if index < count, bytes[index] == UInt8(ascii: "}") {
                        index += 1
                        depth -= 1
                        arrays >>= 1
                    } else {
                        guard skipMemberName() else { return false }
                        continue value
                    }
                case UInt8(ascii: "["):
                    guard depth < depthLimit else { return false }
                    depth += 1
                    arrays = arrays << 1 | 1
                    index += 1
                    skipWhitespace()
                    if index < count, bytes[index] == UInt8(ascii: "]") {
                        index += 1
                        depth -= 1
                        arrays >>= 1
                    } else {
                        continue value
                    }
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    guard skipNumber() else { return false }
                case UInt8(ascii: "t"):
                    guard skipLiteral("true") else { return false }
                case UInt8(ascii: "f"):
                    guard skipLiteral("false") else { return false }
                case UInt8(ascii: "n"):
                    guard skipLiteral("null") else { return false }
                default:
                    return false
                }
                // A value ended: close containers until one continues with `,`.
                while depth > 0 {
                    skipWhitespace()
                    guard index < count else { return false }
                    let byte = bytes[index]
                    index += 1
                    if byte == UInt8(ascii: ",") {
                        if arrays & 1 == 0 {
                            guard skipMemberName() else { return false }
                        } else {
                            skipWhitespace()
                        }
                        continue value
                    }
                    guard byte == (arrays & 1 == 0 ? UInt8(ascii: "}") : UInt8(ascii: "]")) else { return false }
                    depth -= 1
                    arrays >>= 1
                }
                return true
            }
        }

        @inline(__always)
        mutating func skipWhitespace() {
            guard index < bytes.count, bytes[index] <= 0x20 else { return }
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D:
                    index += 1
                    whitespace = true
                default:
                    return
                }
            }
        }

        /// At an opening quote: past the closing one, or false when the string needs the full path.
        @inline(__always)
        mutating func skipString() -> Bool {
            let end = StringScanner.plainRunEnd(bytes, from: index + 1)
            guard end < bytes.count, bytes[end] == UInt8(ascii: "\"") else { return false }
            index = end + 1
            return true
        }

        /// After `{` or `,` in an object: a member name and its colon, leaving `index` at the value.
        @inline(__always)
        mutating func skipMemberName() -> Bool {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\""), skipString() else { return false }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return false }
            index += 1
            skipWhitespace()
            return true
        }

        @inline(__always)
        func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

        @inline(__always)
        mutating func skipDigits() {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }

        /// RFC 8259's number grammar, exactly.
        @inline(__always)
        mutating func skipNumber() -> Bool {
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { return false }
            if bytes[index] == UInt8(ascii: "0") {
                index += 1
                if index < bytes.count, isDigit(bytes[index]) { return false }
            } else {
                skipDigits()
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                guard index < bytes.count, isDigit(bytes[index]) else { return false }
                skipDigits()
            }
            if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                guard index < bytes.count, isDigit(bytes[index]) else { return false }
                skipDigits()
            }
            return true
        }

        @inline(__always)
        mutating func skipLiteral(_ literal: StaticString) -> Bool {
            let length = literal.utf8CodeUnitCount
            guard index + length <= bytes.count else { return false }
            for offset in 0..<length where bytes[index + offset] != literal.utf8Start[offset] { return false }
            index += length
            return true
        }
    }
}
