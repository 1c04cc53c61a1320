@testable import JSON
import XCTest

final class KnownKeysTests: XCTestCase {
    private func lookup(_ text: String) -> String? {
        Array(text.utf8).withUnsafeBufferPointer { KnownKeys.lookup($0) }
    }

    func testEveryKnownKeyIsFoundAsItself() {
        for key in KnownKeys.all {
            XCTAssertEqual(lookup(key), key, key)
        }
    }

    func testNearMissesAreNotFound() {
        // Same length and first eight bytes as a known key, differing after them; one byte short or
        // long; a key's prefix; case; and the empty string.
        for text in ["terminationMessagePatH", "terminationMessagePat", "terminationMessagePathX", "nam", "names",
                     "Name", "", "initContainer", "initContainersX", "apiVersioN", "controllers"] {
            XCTAssertNil(lookup(text), text)
        }
    }

    func testKeysOfEveryLengthUpToTheLimitAreFoundAndLongerOnesAreNot() {
        let keys = (1...KnownKeyTable.maximumLength + 1).map { String(repeating: "k", count: $0 - 1) + "z" }
        let table = KnownKeyTable(keys)
        for key in keys.dropLast() {
            let found = Array(key.utf8).withUnsafeBufferPointer { table.lookup($0) }
            XCTAssertEqual(found, key)
            let other = String(key.dropLast()) + "y"
            XCTAssertNil(Array(other.utf8).withUnsafeBufferPointer { table.lookup($0) }, other)
        }
        XCTAssertNil(Array(keys.last!.utf8).withUnsafeBufferPointer { table.lookup($0) })
    }

    func testAFoundStringIsThePrebuiltOne() {
        // Parsing hands out the table's String, so two parses share one storage.
        let long = "terminationMessagePolicy"
        let first = lookup(long)
        let second = lookup(long)
        XCTAssertEqual(first, long)
        XCTAssertEqual(first.map { $0.utf8.withContiguousStorageIfAvailable { $0.baseAddress } },
                       second.map { $0.utf8.withContiguousStorageIfAvailable { $0.baseAddress } })
    }
}
