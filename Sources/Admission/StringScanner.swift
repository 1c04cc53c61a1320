/// Finds the end of a JSON string's plain run eight bytes at a time (SWAR): the first byte
/// that is a quote, a backslash or a control character. Strings are most of the bytes of a
/// Kubernetes object, so this loop is where parsing spends its time.
enum StringScanner {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// Index of the first special byte at or after `start`, or `count`; `sawNonASCII` is set
    /// when any byte before it has its high bit set.
    @inline(__always)
    static func plainRunEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, sawNonASCII: inout Bool) -> Int {
        guard let base = bytes.baseAddress else { return start }
        let count = bytes.count
        var index = start
        var high: UInt64 = 0
        while index + 8 <= count {
            let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            let quote = hasZeroByte(word ^ (ones &* 0x22))
            let backslash = hasZeroByte(word ^ (ones &* 0x5C))
            let control = (word &- ones &* 0x20) & ~word & highBits
            let special = quote | backslash | control
            if special != 0 {
                // Little-endian: the lowest set marker bit is the first special byte.
                let offset = special.trailingZeroBitCount / 8
                let mask: UInt64 = offset == 0 ? 0 : (UInt64.max >> (64 - 8 * UInt64(offset)))
                high |= word & mask & highBits
                sawNonASCII = sawNonASCII || high != 0
                return index + offset
            }
            high |= word & highBits
            index += 8
        }
        while index < count {
            let byte = base[index]
            if byte == 0x22 || byte == 0x5C || byte < 0x20 { break }
            if byte >= 0x80 { high = 1 }
            index += 1
        }
        sawNonASCII = sawNonASCII || high != 0
        return index
    }

    /// Marks (high bit) each zero byte of `word`; exact for the lowest zero byte, which is all
    /// the scan needs.
    @inline(__always)
    private static func hasZeroByte(_ word: UInt64) -> UInt64 {
        (word &- ones) & ~word & highBits
    }
}
