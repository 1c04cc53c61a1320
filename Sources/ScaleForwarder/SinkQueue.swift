import DequeModule

/// The scales waiting for one sink: bounded, so a slow or dead sink holds at most `capacity`
/// scales and never stalls the others. A scale that does not fit is refused and counted as dropped.
public struct SinkQueue<Element: Sendable>: Sendable {
    public let capacity: Int
    private var elements: Deque<Element> = []

    public init(capacity: Int) {
        self.capacity = max(capacity, 1)
    }

    public var count: Int { elements.count }
    public var isEmpty: Bool { elements.isEmpty }

    /// False when the queue is full and the element was not taken.
    public mutating func enqueue(_ element: Element) -> Bool {
        guard elements.count < capacity else { return false }
        elements.append(element)
        return true
    }

    public mutating func dequeue() -> Element? {
        elements.popFirst()
    }

    /// Empties the queue (leadership lost), handing back what it held.
    public mutating func removeAll() -> [Element] {
        defer { elements.removeAll() }
        return Array(elements)
    }
}
