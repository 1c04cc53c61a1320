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
        let result = [Element](unsafeUninitializedCapacity: length) { buffer, initialized in
            if let target = buffer.baseAddress, length > 0 {
                target.moveInitialize(from: storage + base, count: length)
            }
            initialized = length
        }
        count = base
        return result
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
