@testable import JSON
import XCTest

/// `JSONParser.strings(at:in:)` and the error's line and column: the reads that do not build a tree.
final class JSONScanTests: XCTestCase {
    private func strings(_ paths: [[String]], _ text: String) -> [String?]? {
        JSONParser.strings(at: paths, in: Array(text.utf8))
    }

    func testStringsAreFoundAtTheirPathsInOnePass() {
        let text = #"{"a":{"skip":[1,{"x":"\u00e9"}],"b":"one","c":{"d":"two"}},"e":"three","f":4}"#
        XCTAssertEqual(strings([["a", "c", "d"], ["e"], ["a", "b"]], text), ["two", "three", "one"])
    }

    func testAMissingMemberOrOneThatIsNotAStringIsNil() {
        let text = #"{"a":{"b":"one"},"f":4,"o":{"k":"v"}}"#
        XCTAssertEqual(strings([["a", "z"], ["f"], ["o"], ["f", "g"], []], text), [nil, nil, nil, nil, nil])
    }

    func testInputThatStopsBeingJSONBeforeTheEndIsNil() {
        XCTAssertNil(strings([["a"]], #"{"a":"one","b":[1,}"#), "a later member is still checked as far as skipping it needs")
        XCTAssertNil(strings([["a"]], #"["a"]"#), "the root must be an object")
        XCTAssertNil(strings([["a", "b"]], #"{"a":"not an object"}"#))
    }

    func testErrorsGiveLineAndColumnInCharacters() throws {
        let input = Array("{\n  \"é\": [1,\n  2,]\n}".utf8)
        do {
            _ = try JSONParser.parse(input)
            XCTFail("parsed a trailing comma")
        } catch let error as JSONParseError {
            XCTAssertEqual(error.lineAndColumn(in: input).line, 3)
            XCTAssertEqual(error.lineAndColumn(in: input).column, 5, "the ']' after '2,', counted in characters")
        }
        XCTAssertEqual(JSONParseError(offset: 0, problem: "").lineAndColumn(in: input).line, 1)
        XCTAssertEqual(JSONParseError(offset: 0, problem: "").lineAndColumn(in: input).column, 1)
        XCTAssertEqual(JSONParseError(offset: 7, problem: "").lineAndColumn(in: input).column, 5, "the quote after the two-byte 'é'")
    }
}
