/// A dictionary with a fixed capacity that forgets the least recently used entry when full.
/// The correlator and the spam filter keep one each, so memory stays bounded however many
/// distinct objects fail. Not thread-safe: its owner serialises access.
struct LRUCache<Key: Hashable, Value> {
    /// A slot in the recency list; slots are reused through `freeSlots` so the cache allocates
    /// at most `capacity` of them.
    fileprivate struct Node {
        var key: Key
        var value: Value
        var newer: Int?
        var older: Int?
    }

    let capacity: Int
    private var slots: [Int: Node] = [:]
    private var indexByKey: [Key: Int] = [:]
    private var freeSlots: [Int] = []
    private var nextSlot = 0
    private var newest: Int?
    private var oldest: Int?

    /// A capacity below one is taken as one: a cache that can hold nothing would turn every
    /// repeat into a new Event.
    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    var count: Int { indexByKey.count }

    /// The value for `key`, marking it as the most recently used.
    mutating func value(forKey key: Key) -> Value? {
        guard let slot = indexByKey[key] else { return nil }
        moveToNewest(slot)
        return slots[slot]?.value
    }

    /// The value for `key` without touching its recency.
    func peek(_ key: Key) -> Value? {
        indexByKey[key].flatMap { slots[$0]?.value }
    }

    /// Stores `value` as the most recently used entry; returns the entry evicted to make room, if any.
    @discardableResult
    mutating func set(_ value: Value, forKey key: Key) -> (key: Key, value: Value)? {
        if let slot = indexByKey[key] {
            slots[slot]?.value = value
            moveToNewest(slot)
            return nil
        }
        var evicted: (key: Key, value: Value)?
        if indexByKey.count >= capacity, let victim = oldest, let node = slots[victim] {
            evicted = (node.key, node.value)
            unlink(victim)
            slots[victim] = nil
            indexByKey[node.key] = nil
            freeSlots.append(victim)
        }
        let slot: Int
        if let reused = freeSlots.popLast() {
            slot = reused
        } else {
            slot = nextSlot
            nextSlot += 1
        }
        slots[slot] = Node(key: key, value: value, newer: nil, older: nil)
        indexByKey[key] = slot
        linkAsNewest(slot)
        return evicted
    }

    @discardableResult
    mutating func removeValue(forKey key: Key) -> Value? {
        guard let slot = indexByKey[key], let node = slots[slot] else { return nil }
        unlink(slot)
        slots[slot] = nil
        indexByKey[key] = nil
        freeSlots.append(slot)
        return node.value
    }

    /// Keys from most to least recently used; for tests and diagnostics.
    var keysByRecency: [Key] {
        var keys: [Key] = []
        var cursor = newest
        while let slot = cursor, let node = slots[slot] {
            keys.append(node.key)
            cursor = node.older
        }
        return keys
    }

    private mutating func moveToNewest(_ slot: Int) {
        guard newest != slot else { return }
        unlink(slot)
        linkAsNewest(slot)
    }

    private mutating func linkAsNewest(_ slot: Int) {
        slots[slot]?.older = newest
        slots[slot]?.newer = nil
        if let previous = newest { slots[previous]?.newer = slot }
        newest = slot
        if oldest == nil { oldest = slot }
    }

    private mutating func unlink(_ slot: Int) {
        guard let node = slots[slot] else { return }
        if let newer = node.newer { slots[newer]?.older = node.older } else { newest = node.older }
        if let older = node.older { slots[older]?.newer = node.newer } else { oldest = node.newer }
        slots[slot]?.newer = nil
        slots[slot]?.older = nil
    }
}

extension LRUCache: Sendable where Key: Sendable, Value: Sendable {}
extension LRUCache.Node: Sendable where Key: Sendable, Value: Sendable {}
