/// Finds the end of a JSON string's plain run eight bytes at a time (SWAR): the first byte that
/// is a quote, a backslash, a control character or not ASCII. Strings are most of the bytes of a
/// Kubernetes object, and nearly all of them are plain ASCII, so this loop is where parsing spends
/// its time; the rarer strings take the callers' full path from where the run stops.
enum StringScanner {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// Index of the first byte at or after `start` that ends a plain run, or `count`.
    @inline(__always)
    static func plainRunEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard let base = bytes.baseAddress else { return start }
        let count = bytes.count
        var index = start
        while index + 8 <= count {
            let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            let quote = hasZeroByte(word ^ (ones &* 0x22))
            let backslash = hasZeroByte(word ^ (ones &* 0x5C))
            // High bit of a byte set when it is 0x80 or above, or (through the borrow of the
            // subtraction) below 0x20; exact for the lowest such byte, which is all that counts.
            let controlOrHigh = (word | (word &- ones &* 0x20)) & highBits
            let special = quote | backslash | controlOrHigh
            if special != 0 {
                // Little-endian: the lowest set marker bit is the first special byte.
                return index + special.trailingZeroBitCount / 8
            }
            index += 8
        }
        while index < count {
            let byte = base[index]
            if byte == 0x22 || byte == 0x5C || byte < 0x20 || byte >= 0x80 { break }
            index += 1
        }
        return index
    }

    /// Marks (high bit) each zero byte of `word`; exact for the lowest zero byte, which is all
    /// the scan needs.
    @inline(__always)
    private static func hasZeroByte(_ word: UInt64) -> UInt64 {
        (word &- ones) & ~word & highBits
    }
}
