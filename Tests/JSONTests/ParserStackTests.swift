@testable import JSON
import XCTest

/// `ParserStack` moves its elements into the arrays it pops, through raw memory: these tests
/// count live instances so that a leak (an element never released) or a copy left behind (an
/// element retained twice) fails.
final class ParserStackTests: XCTestCase {
    /// Counts its live instances in `Counter`.
    private final class Tracked {
        let id: Int
        let counter: Counter
        init(_ id: Int, _ counter: Counter) {
            self.id = id
            self.counter = counter
            counter.live += 1
        }
        deinit { counter.live -= 1 }
    }

    private final class Counter {
        var live = 0
    }

    func testPoppedElementsAreMovedOutInOrderAndReleasedWithTheArray() {
        let counter = Counter()
        do {
            let stack = ParserStack<Tracked>(capacity: 2)  // grows several times below
            for id in 0..<100 { stack.push(Tracked(id, counter)) }
            XCTAssertEqual(stack.count, 100)
            var popped = stack.popArray(from: 40)
            XCTAssertEqual(stack.count, 40)
            XCTAssertEqual(popped.map(\.id), Array(40..<100))
            XCTAssertEqual(counter.live, 100)
            // Moved, not copied: the array holds the only reference to each element.
            for index in popped.indices {
                XCTAssertTrue(isKnownUniquelyReferenced(&popped[index]), "element \(popped[index].id) is still held elsewhere")
            }
            popped = []
            XCTAssertEqual(counter.live, 40, "the popped elements are released with their array")
            let rest = stack.popArray(from: 0)
            XCTAssertEqual(rest.map(\.id), Array(0..<40))
            XCTAssertEqual(stack.count, 0)
        }
        XCTAssertEqual(counter.live, 0)
    }

    func testNestedContainersPopTheirOwnEntries() {
        let counter = Counter()
        let stack = ParserStack<Tracked>()
        stack.push(Tracked(1, counter))
        let inner = stack.count
        stack.push(Tracked(2, counter))
        stack.push(Tracked(3, counter))
        XCTAssertEqual(stack.popArray(from: inner).map(\.id), [2, 3])
        XCTAssertTrue(stack.popArray(from: stack.count).isEmpty, "an empty container pops nothing")
        XCTAssertEqual(stack.popArray(from: 0).map(\.id), [1])
        XCTAssertEqual(counter.live, 0)
    }

    func testElementsLeftOnTheStackAreReleasedWithIt() {
        // A parse that throws half-way leaves entries behind: the stack's end releases them.
        let counter = Counter()
        do {
            let stack = ParserStack<Tracked>(capacity: 4)
            for id in 0..<10 { stack.push(Tracked(id, counter)) }
            _ = stack.popArray(from: 7)
            XCTAssertEqual(counter.live, 7)
        }
        XCTAssertEqual(counter.live, 0)
    }
}
