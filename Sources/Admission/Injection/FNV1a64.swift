/// The 64-bit FNV-1a hash: stable across processes and releases, unlike Swift's `Hasher`,
/// which the status annotation needs.
struct FNV1a64 {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func combine(_ bytes: [UInt8]) {
        for byte in bytes {
            value ^= UInt64(byte)
            value = value &* 0x0000_0100_0000_01B3
        }
    }

    mutating func combine(_ number: UInt64) {
        var number = number
        for _ in 0..<8 {
            combine([UInt8(number & 0xFF)])
            number >>= 8
        }
    }

    /// Sixteen lowercase hex digits.
    var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
