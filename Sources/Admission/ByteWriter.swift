/// The bytes of an answer being written: a growing buffer whose appends are a capacity check and
/// a copy. A review's answer is written in about a hundred small pieces (keys, paths, literals);
/// `Array.append(contentsOf:)` costs about a hundred instructions a piece, this a fifth of that.
/// Noncopyable, so the buffer has one owner and is freed once.
struct ByteWriter: ~Copyable {
    private var start: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        start = .allocate(capacity: self.capacity)
    }

    deinit {
        start.deallocate()
    }

    /// The bytes written so far, for reading while nothing is appended.
    func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: start, count: count))
    }

    /// The bytes as an array (one allocation and one copy).
    consuming func finish() -> [UInt8] {
        Array(UnsafeBufferPointer(start: start, count: count))
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        if count == capacity { grow(toAtLeast: count + 1) }
        start[count] = byte
        count += 1
    }

    @inline(__always)
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        if count + bytes.count > capacity { grow(toAtLeast: count + bytes.count) }
        (start + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    @inline(__always)
    mutating func append(_ literal: StaticString) {
        append(UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    mutating func append(_ bytes: ArraySlice<UInt8>) {
        bytes.withUnsafeBufferPointer { append($0) }
    }

    mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append($0) }
    }

    /// Appends a copy of bytes already written.
    mutating func appendCopy(of range: Range<Int>) {
        precondition(range.upperBound <= count, "a range of the bytes written")
        if count + range.count > capacity { grow(toAtLeast: count + range.count) }
        (start + count).update(from: start + range.lowerBound, count: range.count)
        count += range.count
    }

    /// Room for `extra` more bytes, handed to `body` to fill completely.
    mutating func appendUninitialized(_ extra: Int, _ body: (UnsafeMutableBufferPointer<UInt8>) -> Void) {
        if count + extra > capacity { grow(toAtLeast: count + extra) }
        body(UnsafeMutableBufferPointer(start: start + count, count: extra))
        count += extra
    }

    private mutating func grow(toAtLeast needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        grown.moveInitialize(from: start, count: count)
        start.deallocate()
        start = grown
        capacity = newCapacity
    }
}
