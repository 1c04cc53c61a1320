@testable import JSON
import TestSupport
import XCTest

/// `JSONSkipper` checks the raw and dropped parts of a review in one loop and hands anything it
/// does not take to the parser's full path. These tests hold it to that contract: it must never
/// accept what the full path refuses, it must take the plain JSON Kubernetes sends, and the
/// parser's answers, errors included, must not change with it.
final class JSONSkipperTests: XCTestCase {
    private func skip(_ text: String, depthAllowance: Int = JSONParser.maximumDepth) -> JSONSkipper.Skipped? {
        Array(text.utf8).withUnsafeBufferPointer { JSONSkipper.skip($0, from: 0, depthAllowance: depthAllowance) }
    }

    func testPlainValuesAreSkippedToTheirEnd() {
        for text in [
            #"{}"#, #"[]"#, #""""#, "0", "-0", "12.5e-3", "1E+9", "true", "false", "null",
            #"{"a":[1,{"b":null,"c":"d"},[]],"e":{}}"#, #"[[["deep"]]]"#,
        ] {
            let skipped = skip(text + " ,")  // what follows the value is not read
            XCTAssertEqual(skipped?.end, text.utf8.count, text)
            XCTAssertEqual(skipped?.sawWhitespace, false, text)
        }
        XCTAssertEqual(skip("{ \"a\" :\n[ 1 ,\t2 ] }")?.sawWhitespace, true)
        XCTAssertEqual(skip(#"{"a b":"c d"}"#)?.sawWhitespace, false, "spaces inside strings are not whitespace")
    }

    func testWhatItDoesNotTakeIsLeftToTheFullPath() {
        for text in [
            #""esc\"aped""#, #""tab\tescape""#, "\"grüße\"", #"{"k\u00e9y":1}"#, #"["\/"]"#,
        ] {
            XCTAssertNil(skip(text), text)
            XCTAssertEqual(ParseAnswer(Array(text.utf8), shape: .raw), ParseAnswer(Array(text.utf8)), text)
        }
        XCTAssertNil(skip(String(repeating: "[", count: 65) + String(repeating: "]", count: 65)), "deeper than the loop tracks")
        XCTAssertNotNil(skip(String(repeating: "[", count: 64) + String(repeating: "]", count: 64)))
        XCTAssertNil(skip("[[[]]]", depthAllowance: 2), "the parser's own limit counts")
        XCTAssertNotNil(skip("[[[]]]", depthAllowance: 3))
    }

    func testInvalidJSONIsNeverAccepted() {
        for text in [
            "01", "-01", "1.", ".5", "-", "1e", "1e+", "+1", "NaN", "tru", "nul", "fals", "'a'", "[1 2]", "[1,]",
            "[,1]", "{\"a\" 1}", "{a:1}", "{\"a\":1,}", "{\"a\":}", "{,}", "{\"a\":1 \"b\":2}", "[1}", "{\"a\":1]",
            "\"unterminated", "\"tab\there\"", "\"nl\nhere\"", "[", "{", "{\"a\"", "{\"a\":", "[1", "[1,", "",
            "\u{0B}1", "[\u{0C}]",
        ] {
            XCTAssertNil(skip(text), text)
            XCTAssertTrue(ParseAnswer(Array(text.utf8), shape: .raw).isError, text)
        }
    }
}
