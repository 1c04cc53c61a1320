/// The bytes of an answer being written: a growing buffer whose appends are a capacity check and
/// a copy. A review's answer is written in about a hundred small pieces (keys, paths, literals);
/// `Array.append(contentsOf:)` costs about a hundred instructions a piece, this a fifth of that.
/// Noncopyable, so the buffer has one owner and is freed once. The appends are inlinable: the
/// admission core writes its answer with them from another module, a few bytes at a time.
public struct ByteWriter: ~Copyable {
    @usableFromInline var start: UnsafeMutablePointer<UInt8>
    @usableFromInline var capacity: Int
    @usableFromInline var written = 0

    /// How many bytes have been written.
    public var count: Int { written }

    public init(capacity: Int) {
        self.capacity = max(capacity, 16)
        start = .allocate(capacity: self.capacity)
    }

    deinit {
        start.deallocate()
    }

    /// The bytes written so far, for reading while nothing is appended.
    public func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: start, count: written))
    }

    /// The bytes as an array (one allocation and one copy).
    public consuming func finish() -> [UInt8] {
        Array(UnsafeBufferPointer(start: start, count: written))
    }

    @inlinable @inline(__always)
    public mutating func append(_ byte: UInt8) {
        if written == capacity { grow(toAtLeast: written + 1) }
        start[written] = byte
        written += 1
    }

    @inlinable @inline(__always)
    public mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        if written + bytes.count > capacity { grow(toAtLeast: written + bytes.count) }
        (start + written).update(from: source, count: bytes.count)
        written += bytes.count
    }

    @inlinable @inline(__always)
    public mutating func append(_ literal: StaticString) {
        append(UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    public mutating func append(_ bytes: ArraySlice<UInt8>) {
        bytes.withUnsafeBufferPointer { append($0) }
    }

    public mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append($0) }
    }

    /// Appends a copy of bytes already written.
    public mutating func appendCopy(of range: Range<Int>) {
        precondition(range.upperBound <= written, "a range of the bytes written")
        if written + range.count > capacity { grow(toAtLeast: written + range.count) }
        (start + written).update(from: start + range.lowerBound, count: range.count)
        written += range.count
    }

    /// Room for `extra` more bytes, handed to `body` to fill completely.
    public mutating func appendUninitialized(_ extra: Int, _ body: (UnsafeMutableBufferPointer<UInt8>) -> Void) {
        if written + extra > capacity { grow(toAtLeast: written + extra) }
        body(UnsafeMutableBufferPointer(start: start + written, count: extra))
        written += extra
    }

    @usableFromInline
    mutating func grow(toAtLeast needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        grown.moveInitialize(from: start, count: written)
        start.deallocate()
        start = grown
        capacity = newCapacity
    }
}
