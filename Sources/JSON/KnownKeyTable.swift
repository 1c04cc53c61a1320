/// Keys laid out in raw memory, so that a lookup reads and compares words and touches no
/// reference count. The array of arrays it replaces cost a retain and a release per candidate
/// it looked at, more than the comparisons (perf: `lookup` was 5% of the server's CPU per review).
/// Holds `KnownKeys` and each `ObjectShape`'s member names. Noncopyable, so the memory has one
/// owner and is freed once, when the table ends; it is never written after `init`, which is
/// why sharing it between threads is safe (raw pointers are not Sendable by themselves).
struct KnownKeyTable: ~Copyable, @unchecked Sendable {
    static let maximumLength = 32

    private struct Entry {
        /// The key's first eight bytes, as `prefix(_:count:)` reads them.
        var prefix: UInt64
        /// Where the key's bytes start in `bytes`.
        var offset: Int
        /// The key's position in the keys the table was made from.
        var position: Int
    }

    /// Entries grouped by length: those of length n are `groupStarts[n]..<groupStarts[n + 1]`.
    private let groupStarts: UnsafeMutablePointer<Int>
    private let entries: UnsafeMutablePointer<Entry>
    private let strings: UnsafeMutablePointer<String>
    private let bytes: UnsafeMutablePointer<UInt8>
    private let count: Int

    init(_ keys: [String]) {
        let byLength = keys.enumerated().filter { (1...Self.maximumLength).contains($0.element.utf8.count) }
            .sorted { ($0.element.utf8.count, $0.offset) < ($1.element.utf8.count, $1.offset) }
        count = byLength.count
        groupStarts = .allocate(capacity: Self.maximumLength + 2)
        entries = .allocate(capacity: max(byLength.count, 1))
        strings = .allocate(capacity: max(byLength.count, 1))
        bytes = .allocate(capacity: max(byLength.reduce(0) { $0 + $1.element.utf8.count }, 1))
        var offset = 0
        var length = 0
        for (index, (position, key)) in byLength.enumerated() {
            let utf8 = Array(key.utf8)
            while length < utf8.count {
                length += 1
                groupStarts[length] = index
            }
            (bytes + offset).initialize(from: utf8, count: utf8.count)
            (entries + index).initialize(
                to: Entry(prefix: Self.prefix(bytes + offset, count: utf8.count), offset: offset, position: position))
            (strings + index).initialize(to: key)
            offset += utf8.count
        }
        groupStarts[0] = 0
        while length <= Self.maximumLength {
            length += 1
            groupStarts[length] = byLength.count
        }
    }

    deinit {
        groupStarts.deallocate()
        entries.deallocate()
        strings.deinitialize(count: count)
        strings.deallocate()
        bytes.deallocate()
    }

    /// The prebuilt String equal to `input`, if `input` is one of the keys.
    @inline(__always)
    func lookup(_ input: UnsafeBufferPointer<UInt8>) -> String? {
        find(input).map { strings[$0] }
    }

    /// The position, in the keys the table was made from, of the key equal to `input`.
    @inline(__always)
    func position(of input: UnsafeBufferPointer<UInt8>) -> Int? {
        find(input).map { entries[$0].position }
    }

    @inline(__always)
    private func find(_ input: UnsafeBufferPointer<UInt8>) -> Int? {
        let count = input.count
        guard count >= 1, count <= Self.maximumLength, let base = input.baseAddress else { return nil }
        let prefix = Self.prefix(base, count: count)
        var index = groupStarts[count]
        let end = groupStarts[count + 1]
        while index < end {
            let entry = entries[index]
            if entry.prefix == prefix, count <= 8 || Self.equal(bytes + entry.offset + 8, base + 8, count: count - 8) {
                return index
            }
            index += 1
        }
        return nil
    }

    /// Compares short byte runs a word at a time: memcmp's call costs more than the comparison
    /// for a key of a dozen bytes.
    @inline(__always)
    private static func equal(_ left: UnsafePointer<UInt8>, _ right: UnsafePointer<UInt8>, count: Int) -> Bool {
        var index = 0
        while index + 8 <= count {
            if UnsafeRawPointer(left + index).loadUnaligned(as: UInt64.self)
                != UnsafeRawPointer(right + index).loadUnaligned(as: UInt64.self) { return false }
            index += 8
        }
        while index < count {
            if left[index] != right[index] { return false }
            index += 1
        }
        return true
    }

    /// The first eight bytes (fewer for a shorter key, the rest zero) as one word. Never reads
    /// past `count`: the input is a slice of a larger request.
    @inline(__always)
    private static func prefix(_ base: UnsafePointer<UInt8>, count: Int) -> UInt64 {
        if count >= 8 { return UnsafeRawPointer(base).loadUnaligned(as: UInt64.self) }
        var value: UInt64 = 0
        for index in 0..<count { value |= UInt64(base[index]) << UInt64(8 * index) }
        return value
    }
}
