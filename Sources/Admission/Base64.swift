import JSON

/// Standard base64 (RFC 4648, with padding), as the AdmissionReview `patch` field needs it.
public enum Base64 {
    private static let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

    /// Every pair of output characters for 12 input bits, so the loop looks up two tables
    /// entries per three bytes instead of four.
    private static let pairs: [UInt16] = {
        let table = alphabet.utf8Start
        return (0..<4096).map { bits in
            (UInt16(table[bits >> 6]) | UInt16(table[bits & 0x3F]) << 8).littleEndian  // first character first in memory
        }
    }()

    /// Appends the encoding of `input` to `output`.
    static func encode(_ input: UnsafeBufferPointer<UInt8>, into output: inout ByteWriter) {
        let encodedCount = (input.count + 2) / 3 * 4
        guard encodedCount > 0 else { return }
        let table = alphabet.utf8Start
        // Written through a pointer: appending byte by byte costs a capacity check per byte.
        output.appendUninitialized(encodedCount) { space in
            let target = UnsafeMutableRawPointer(space.baseAddress!)
            pairs.withUnsafeBufferPointer { pairs in
                var index = 0
                var out = 0
                let whole = input.count - input.count % 3
                while index < whole {
                    let chunk = Int(input[index]) << 16 | Int(input[index + 1]) << 8 | Int(input[index + 2])
                    target.storeBytes(of: pairs[chunk >> 12], toByteOffset: out, as: UInt16.self)
                    target.storeBytes(of: pairs[chunk & 0xFFF], toByteOffset: out + 2, as: UInt16.self)
                    index += 3
                    out += 4
                }
                let remaining = input.count - whole
                if remaining > 0 {
                    let second = remaining == 2 ? UInt32(input[index + 1]) << 8 : 0
                    let chunk = UInt32(input[index]) << 16 | second
                    space[out] = table[Int(chunk >> 18 & 0x3F)]
                    space[out + 1] = table[Int(chunk >> 12 & 0x3F)]
                    space[out + 2] = remaining == 2 ? table[Int(chunk >> 6 & 0x3F)] : UInt8(ascii: "=")
                    space[out + 3] = UInt8(ascii: "=")
                }
            }
        }
    }

    public static func encode(_ input: [UInt8]) -> String {
        var output = ByteWriter(capacity: (input.count + 2) / 3 * 4)
        input.withUnsafeBufferPointer { encode($0, into: &output) }
        return String(decoding: output.finish(), as: UTF8.self)
    }

    /// Decodes padded standard base64; nil when the text is not that.
    public static func decode(_ text: String) -> [UInt8]? {
        let input = Array(text.utf8)
        guard input.count % 4 == 0 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(input.count / 4 * 3)
        var index = 0
        while index < input.count {
            var chunk: UInt32 = 0
            var padding = 0
            for offset in 0..<4 {
                let byte = input[index + offset]
                let sextet: UInt32
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): sextet = UInt32(byte - UInt8(ascii: "A"))
                case UInt8(ascii: "a")...UInt8(ascii: "z"): sextet = UInt32(byte - UInt8(ascii: "a") + 26)
                case UInt8(ascii: "0")...UInt8(ascii: "9"): sextet = UInt32(byte - UInt8(ascii: "0") + 52)
                case UInt8(ascii: "+"): sextet = 62
                case UInt8(ascii: "/"): sextet = 63
                case UInt8(ascii: "=") where index + 4 == input.count && offset >= 2:
                    padding += 1
                    sextet = 0
                default: return nil
                }
                if padding > 0 && byte != UInt8(ascii: "=") { return nil }
                chunk = chunk << 6 | sextet
            }
            output.append(UInt8(chunk >> 16 & 0xFF))
            if padding < 2 { output.append(UInt8(chunk >> 8 & 0xFF)) }
            if padding < 1 { output.append(UInt8(chunk & 0xFF)) }
            index += 4
        }
        return output
    }
}
