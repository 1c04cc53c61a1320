@testable import Admission
import XCTest

/// `JSONSkipper` checks the raw and dropped parts of a review in one loop and hands anything it
/// does not take to the parser's full path. These tests hold it to that contract: it must never
/// accept what the full path refuses, it must take the plain JSON Kubernetes sends, and the
/// parser's answers, errors included, must not change with it.
final class JSONSkipperTests: XCTestCase {
    private func skip(_ text: String, depthAllowance: Int = JSONParser.maximumDepth) -> JSONSkipper.Skipped? {
        Array(text.utf8).withUnsafeBufferPointer { JSONSkipper.skip($0, from: 0, depthAllowance: depthAllowance) }
    }

    /// What the full parser says about `bytes`: the value, or its error.
    private func fullParse(_ bytes: [UInt8]) -> Answer {
        do {
            return .value(try JSONParser.parse(bytes))
        } catch {
            return .error("\(error)")
        }
    }

    /// The same through the shaped parse that sends the whole document through `JSONSkipper`;
    /// the raw value is built for the comparison (raw bytes keep escapes such as `\/` as sent).
    private func rawParse(_ bytes: [UInt8]) -> Answer {
        do {
            return .value(try JSONParser.parse(bytes, shape: .raw).materialized)
        } catch {
            return .error("\(error)")
        }
    }

    private enum Answer: Equatable {
        case value(JSONValue)
        case error(String)

        var isError: Bool {
            if case .error = self { return true }
            return false
        }
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

    func testEveryFixtureReviewIsTakenWhole() throws {
        for name in try FixtureFiles.reviewNames() where !name.hasPrefix("error-") {
            let bytes = try FixtureFiles.review(name)
            let start = bytes.firstIndex { $0 > 0x20 } ?? 0
            let skipped = bytes.withUnsafeBufferPointer { JSONSkipper.skip($0, from: start, depthAllowance: 128) }
            let end = bytes.lastIndex { $0 > 0x20 }.map { $0 + 1 }
            // A review with non-ASCII strings or escapes is left to the full path, as it should be.
            if bytes.contains(where: { $0 >= 0x80 || $0 == UInt8(ascii: "\\") }) { continue }
            XCTAssertEqual(skipped?.end, end, name)
        }
    }

    func testWhatItDoesNotTakeIsLeftToTheFullPath() {
        for text in [
            #""esc\"aped""#, #""tab\tescape""#, "\"grüße\"", #"{"k\u00e9y":1}"#, #"["\/"]"#,
        ] {
            XCTAssertNil(skip(text), text)
            XCTAssertEqual(rawParse(Array(text.utf8)), fullParse(Array(text.utf8)), text)
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
            XCTAssertTrue(rawParse(Array(text.utf8)).isError, text)
        }
    }

    func testMutatedReviewsGetTheSameAnswerAsTheFullParser() throws {
        // Damage the benchmark review at random places in random ways: the shaped parse, which
        // runs the skipper over nearly all of it, must agree with the full parser every time,
        // on the value or on the error's offset and message.
        let original = try FixtureFiles.review("deployment-pod-generate-name")
        let damage: [UInt8] = Array("{}[],:\"\\ \n\t0-.e+Eatfnu".utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xC3, 0xFF]
        var generator = SeededGenerator(seed: 20261125)
        var refused = 0
        for round in 0..<3000 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let at = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<4, using: &generator) {
                case 0: bytes[at] = damage.randomElement(using: &generator)!
                case 1: bytes.remove(at: at)
                case 2: bytes.insert(damage.randomElement(using: &generator)!, at: at)
                default: bytes.removeSubrange(at...)
                }
                if bytes.isEmpty { bytes = [0x20] }
            }
            let full = fullParse(bytes)
            XCTAssertEqual(rawParse(bytes), full, "round \(round)")
            if full.isError { refused += 1 }
            let shaped: Answer
            do {
                shaped = .value(try JSONParser.parse(bytes, shape: .admissionReview))
            } catch {
                shaped = .error("\(error)")
            }
            if case .error = full {
                XCTAssertEqual(shaped, full, "round \(round)")
            } else {
                XCTAssertFalse(shaped.isError, "round \(round): \(shaped)")
            }
        }
        XCTAssertGreaterThan(refused, 1000, "the damage should break most of the rounds")
    }
}
