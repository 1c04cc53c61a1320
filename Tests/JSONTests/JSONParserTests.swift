@testable import JSON
import Foundation
import XCTest

final class JSONParserTests: XCTestCase {
    private func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(text) }

    private func parseError(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> JSONParseError? {
        do {
            _ = try JSONParser.parse(Array(text.utf8))
            XCTFail("parsed invalid JSON: \(text)", file: file, line: line)
            return nil
        } catch let error as JSONParseError {
            return error
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
            return nil
        }
    }

    func testObjectMembersKeepTheirOrder() throws {
        let value = try parse(#"{"zeta":1,"alpha":2,"mid":{"b":true,"a":null}}"#)
        XCTAssertEqual(value.objectValue?.keys, ["zeta", "alpha", "mid"])
        XCTAssertEqual(value["mid"]?.objectValue?.keys, ["b", "a"])
        XCTAssertEqual(JSONSerializer.serialize(value), Array(#"{"zeta":1,"alpha":2,"mid":{"b":true,"a":null}}"#.utf8))
    }

    func testNumbersKeepTheirLexeme() throws {
        let text = #"[0,-0,1.50,1e400,-2.5E-3,12345678901234567890123]"#
        let value = try parse(text)
        XCTAssertEqual(value.arrayValue?.first, .number("0"))
        XCTAssertEqual(String(decoding: JSONSerializer.serialize(value), as: UTF8.self), text)
    }

    func testEscapesAndSurrogatePairsDecode() throws {
        let value = try parse(#""a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00""#)
        XCTAssertEqual(value, .string("a\"b\\c/d\u{08}\u{0C}\n\r\té😀"))
    }

    func testStringsOfEveryLengthAroundTheEightByteScanDecode() throws {
        // The scanner reads eight bytes at a time: put each kind of special byte at every offset.
        for length in 0...20 {
            for offset in 0...length {
                let plain = String(repeating: "a", count: length)
                let cut = plain.index(plain.startIndex, offsetBy: offset)
                for (inserted, expected) in [("\\n", "\n"), ("é", "é"), ("\\\"", "\""), ("\\u00e9", "é")] {
                    let text = "\"" + plain[..<cut] + inserted + plain[cut...] + "\""
                    XCTAssertEqual(try parse(text), .string(String(plain[..<cut]) + expected + String(plain[cut...])), text)
                }
                let raw = Array(("\"" + plain[..<cut]).utf8) + [0x01] + Array((plain[cut...] + "\"").utf8)
                XCTAssertThrowsError(try JSONParser.parse(raw), "control byte at \(offset) of \(length)")
                XCTAssertEqual(try parse("[\"" + plain + "\",1]").arrayValue?.count, 2)
            }
        }
    }

    func testRawUTF8StringsDecode() throws {
        XCTAssertEqual(try parse("\"grüße 日本\""), .string("grüße 日本"))
    }

    func testSerializerEscapesWhatJSONRequires() throws {
        let original: JSONValue = .string("quote\" backslash\\ newline\n tab\t bell\u{07} é 😀 </script>")
        let bytes = JSONSerializer.serialize(original)
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self), #""quote\" backslash\\ newline\n tab\t bell\u0007 é 😀 </script>""#)
        XCTAssertEqual(try JSONParser.parse(bytes), original)
        // Foundation agrees on what the bytes mean.
        let foundation = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) as? String
        XCTAssertEqual(foundation, original.stringValue)
    }

    func testTruncatedInputReportsWhereItEnds() {
        let error = parseError(#"{"a": [1, 2"#)
        XCTAssertEqual(error?.offset, 11)
        XCTAssertEqual(error?.problem, "unexpected end of input inside an array")
    }

    func testTrailingCommaIsRejectedAtItsOffset() {
        let error = parseError(#"{"a": 1,}"#)
        XCTAssertEqual(error?.offset, 8)
        XCTAssertTrue(error?.description.hasPrefix("invalid JSON at byte 8:") ?? false)
    }

    func testStrictGrammarRejectsWhatRFC8259Forbids() {
        for text in [
            "01", "1.", ".5", "-", "1e", "+1", "NaN", "tru", "nul", "'a'", "[1 2]", "{\"a\" 1}", "{a:1}",
            "\"tab\there\"", "\"\\x\"", "\"\\u12\"", "[1]x", "", "   ", "//c\n1",
        ] {
            XCTAssertNotNil(parseError(text), text)
        }
    }

    func testLoneSurrogatesAreRejected() {
        XCTAssertEqual(parseError(#""\ud800""#)?.problem, "high surrogate \\uD800 is not followed by a low surrogate")
        XCTAssertEqual(parseError(#""\ud800\u0041""#)?.problem, "high surrogate \\uD800 is followed by \\u0041, not a low surrogate")
        XCTAssertEqual(parseError(#""\udc00""#)?.problem, "lone low surrogate \\uDC00")
    }

    func testInvalidUTF8IsRejected() {
        XCTAssertThrowsError(try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]))
        XCTAssertThrowsError(try JSONParser.parse([0x22, 0xFF, 0x22]))
    }

    func testNestingDeeperThanTheLimitIsRejected() throws {
        let limit = JSONParser.maximumDepth
        XCTAssertNoThrow(try parse(String(repeating: "[", count: limit) + String(repeating: "]", count: limit)))
        let error = parseError(String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1))
        XCTAssertEqual(error?.offset, limit)
        XCTAssertEqual(error?.problem, "nesting deeper than \(limit) levels")
    }
}
