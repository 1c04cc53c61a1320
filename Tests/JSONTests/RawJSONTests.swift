import Foundation
@testable import JSON
import XCTest

final class RawJSONTests: XCTestCase {
    private func rawMember(_ text: String) throws -> RawJSON {
        let root = try JSONParser.parse(Array(text.utf8), shape: .object([], others: .raw))
        guard case .raw(let raw)? = root["a"] else { throw XCTSkip("member a was not kept raw") }
        return raw
    }

    func testARawValueIsParsedOnceHoweverOftenItIsRead() throws {
        let raw = try rawMember(#"{"a": {"b": [1, "two"]}, "c": "d"}"#)
        XCTAssertEqual(raw.treesBuiltInDocument, 0, "the parse builds nothing it keeps raw")
        XCTAssertEqual(JSONValue.raw(raw)["b"], [1, "two"])
        XCTAssertEqual(JSONValue.raw(raw)["b"]?.arrayValue?.count, 2)
        XCTAssertEqual(raw.parsed, ["b": [1, "two"]])
        XCTAssertEqual(raw.treesBuiltInDocument, 1)
    }

    func testEachRawValueOfADocumentHasItsOwnTree() throws {
        let root = try JSONParser.parse(Array(#"{"a": ["x"], "c": {"d": "e"}}"#.utf8), shape: .object([], others: .raw))
        XCTAssertEqual(root["a"]?.arrayValue, ["x"])
        XCTAssertEqual(root["c"]?["d"], "e")
        XCTAssertEqual(root["a"]?.arrayValue, ["x"])
        guard case .raw(let raw)? = root["a"] else { return XCTFail("member a was not kept raw") }
        XCTAssertEqual(raw.treesBuiltInDocument, 2)
    }

    func testReadsFromManyThreadsAgreeAndBuildOnce() throws {
        let raw = try rawMember(#"{"a": {"list": [1, 2, 3, {"deep": true}]}}"#)
        let expected: JSONValue = ["list": [1, 2, 3, ["deep": true]]]
        nonisolated(unsafe) let agreed = UnsafeMutableBufferPointer<Bool>.allocate(capacity: 64)  // one slot per thread
        defer { agreed.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 64) { agreed[$0] = raw.parsed == expected }
        XCTAssertTrue(agreed.allSatisfy { $0 })
        XCTAssertEqual(raw.treesBuiltInDocument, 1, "one tree kept, whichever thread built it first")
    }
}
