/// The parser's scratch stack of finished members or elements. A finished container moves its
/// entries out into an array of the exact size, so each value is built once and never copied
/// or released on the way (a Swift Array stack would retain on copy and release on removal).
final class ParserStack<Element> {
    private var storage: UnsafeMutablePointer<Element>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 64) {
        self.capacity = capacity
        storage = UnsafeMutablePointer<Element>.allocate(capacity: capacity)
    }

    deinit {
        storage.deinitialize(count: count)
        storage.deallocate()
    }

    func push(_ element: Element) {
        if count == capacity { grow() }
        (storage + count).initialize(to: element)
        count += 1
    }

    /// Moves the entries from `base` to the top into a new array and pops them.
    func popArray(from base: Int) -> [Element] {
        let length = count - base
        count = base
        // Through `Array.init(_:)` over a sequence that moves its elements out, rather than
        // `Array(unsafeUninitializedCapacity:)`: that initialiser reaches an unspecialised
        // allocation path in the standard library that looks up the array's generic metadata
        // on every call (about 600 instructions per container).
        return Array(MovingElements(position: storage + base, end: storage + base + length))
    }

    /// The stack's top entries as a sequence read once, by moving each element out. Its exact
    /// `underestimatedCount` lets `Array.init(_:)` allocate once; the array reads the sequence to
    /// its end, so every entry is moved exactly once.
    private struct MovingElements: Sequence, IteratorProtocol {
        var position: UnsafeMutablePointer<Element>
        let end: UnsafeMutablePointer<Element>

        var underestimatedCount: Int { end - position }

        mutating func next() -> Element? {
            guard position < end else { return nil }
            defer { position += 1 }
            return position.move()
        }
    }

    private func grow() {
        let newCapacity = capacity * 2
        let newStorage = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        newStorage.moveInitialize(from: storage, count: count)
        storage.deallocate()
        storage = newStorage
        capacity = newCapacity
    }
}
