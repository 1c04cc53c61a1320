@testable import Admission
import Foundation
@testable import JSON
import TestSupport
import XCTest

/// The JSON module parsing what the admission core reads: the review fixtures through the
/// AdmissionReview shape (`ParseShape.admissionReview`), the skipper over whole reviews, and the
/// request identity read without the tree.
final class AdmissionReviewParsingTests: XCTestCase {
    func testRoundTripOfTheBenchmarkPodKeepsItsMeaning() throws {
        let bytes = try FixtureFiles.review("deployment-pod-generate-name")
        let value = try JSONParser.parse(bytes)
        let again = JSONSerializer.serialize(value)
        let original = try JSONSerialization.jsonObject(with: Data(bytes)) as? NSDictionary
        let reserialized = try JSONSerialization.jsonObject(with: Data(again)) as? NSDictionary
        XCTAssertEqual(original, reserialized)
        XCTAssertEqual(try JSONParser.parse(again), value)
    }

    func testTheReviewShapeFindsMembersWhateverTheirNamesLookLike() throws {
        // Names are matched as the bytes they were sent as; escaped ones are decoded first.
        let body = Array(#"{"apiVersion":"admission.k8s.io/v1","req\u0075est":{"uid":"u-1","userInf\u006f":{"username":"x"},"userInfo":{"a":1},"o\u0062ject":{"metadata":{"name":"p","annotations":{"a/b":"c"}}},"extra":[1,2]},"kind":"AdmissionReview"}"#.utf8)
        let review = try JSONParser.parse(body, shape: .admissionReview)
        let request = try XCTUnwrap(review["request"]?.objectValue)
        XCTAssertEqual(request["uid"]?.stringValue, "u-1")
        XCTAssertEqual(request.keys, ["uid", "object"], "userInfo and members the shape does not name are dropped")
        XCTAssertEqual(request["object"]?["metadata"]?["annotations"]?["a/b"]?.stringValue, "c")
        XCTAssertEqual(request["object"]?["metadata"]?["name"]?.materialized, .string("p"), "kept raw, read when asked")
        XCTAssertEqual(review["kind"]?.stringValue, "AdmissionReview")
    }

    func testRequestIdentityIsFoundWithoutTheObject() throws {
        let body = Array(#"{"kind":"AdmissionReview","request":{"object":{"deep":[{"x":"\u00e9"}]},"uid":"u-1\"x"},"apiVersion":"admission.k8s.io/v1beta1"}"#.utf8)
        let identity = AdmissionController.requestIdentity(body)
        XCTAssertEqual(identity?.uid, "u-1\"x")
        XCTAssertEqual(identity?.apiVersion, "admission.k8s.io/v1beta1")
        XCTAssertNil(AdmissionController.requestIdentity(Array(#"{"apiVersion":"admission.k8s.io/v1","request":{"uid":"#.utf8)))
        XCTAssertNil(AdmissionController.requestIdentity(Array(#"{"apiVersion":"admission.k8s.io/v1"}"#.utf8)))
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
            let full = ParseAnswer(bytes)
            XCTAssertEqual(ParseAnswer(bytes, shape: .raw), full, "round \(round)")
            if full.isError { refused += 1 }
            let shaped = ParseAnswer(bytes, shape: .admissionReview)
            if case .error = full {
                XCTAssertEqual(shaped, full, "round \(round)")
            } else {
                XCTAssertFalse(shaped.isError, "round \(round): \(shaped)")
            }
        }
        XCTAssertGreaterThan(refused, 1000, "the damage should break most of the rounds")
    }
}
