import JSON

/// Standard base64 (RFC 4648, with padding), as the AdmissionReview `patch` field needs it.
enum Base64 {
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
}
