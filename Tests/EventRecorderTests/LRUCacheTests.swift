import XCTest
@testable import EventRecorder

final class LRUCacheTests: XCTestCase {
    func testFullCacheEvictsTheLeastRecentlyUsedEntry() {
        var cache = LRUCache<String, Int>(capacity: 2)
        cache.set(1, forKey: "a")
        cache.set(2, forKey: "b")
        XCTAssertEqual(cache.value(forKey: "a"), 1)  // "a" is now the most recent
        let evicted = cache.set(3, forKey: "c")
        XCTAssertEqual(evicted?.key, "b")
        XCTAssertNil(cache.peek("b"))
        XCTAssertEqual(cache.keysByRecency, ["c", "a"])
        XCTAssertEqual(cache.count, 2)
    }

    func testPeekDoesNotChangeRecency() {
        var cache = LRUCache<String, Int>(capacity: 2)
        cache.set(1, forKey: "a")
        cache.set(2, forKey: "b")
        XCTAssertEqual(cache.peek("a"), 1)
        cache.set(3, forKey: "c")
        XCTAssertNil(cache.peek("a"))
    }

    func testUpdatingAKeyKeepsOneEntry() {
        var cache = LRUCache<String, Int>(capacity: 2)
        cache.set(1, forKey: "a")
        XCTAssertNil(cache.set(5, forKey: "a"))
        XCTAssertEqual(cache.count, 1)
        XCTAssertEqual(cache.peek("a"), 5)
    }

    func testRemovedSlotsAreReusedAndCountStaysBounded() {
        var cache = LRUCache<Int, Int>(capacity: 100)
        for i in 0..<10_000 {
            cache.set(i, forKey: i)
            if i % 3 == 0 { cache.removeValue(forKey: i) }
        }
        XCTAssertLessThanOrEqual(cache.count, 100)
        XCTAssertEqual(cache.keysByRecency.count, cache.count)
        XCTAssertEqual(cache.keysByRecency.first, 9_998)
    }

    func testCapacityBelowOneHoldsOneEntry() {
        var cache = LRUCache<String, Int>(capacity: 0)
        cache.set(1, forKey: "a")
        cache.set(2, forKey: "b")
        XCTAssertEqual(cache.keysByRecency, ["b"])
    }
}
