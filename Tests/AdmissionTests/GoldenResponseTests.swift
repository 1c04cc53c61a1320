import Admission
import JSON
import Foundation
import XCTest

/// Each fixture's answer must equal its checked-in golden file. The patch is decoded and stored
/// as JSON so the golden files read as data. Run with UPDATE_GOLDEN=1 to rewrite them, then
/// review the diff.
final class GoldenResponseTests: XCTestCase {
    func testEveryFixtureMatchesItsGoldenResponse() throws {
        let controller = AdmissionController(configuration: try FixtureFiles.configuration())
        let names = try FixtureFiles.reviewNames()
        XCTAssertGreaterThanOrEqual(names.count, 20)
        let update = ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1"
        for name in names {
            let outcome = controller.review(try FixtureFiles.review(name))
            let actual = try Self.goldenDocument(outcome)
            let url = FixtureFiles.reviews.appendingPathComponent("\(name).expected.json")
            if update {
                var data = try JSONSerialization.data(withJSONObject: actual, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
                data.append(0x0A)
                try data.write(to: url)
                continue
            }
            // Compared as canonical JSON text (sorted keys), not as NSDictionary, which would
            // equate `true` with `1` and `1.0` with `1`.
            let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
            XCTAssertEqual(try Self.canonicalText(actual), try Self.canonicalText(expected),
                           "\(name): answer differs from \(name).expected.json")
        }
    }

    func testGoldenFilesCoverEveryResult() throws {
        let controller = AdmissionController(configuration: try FixtureFiles.configuration())
        var results: Set<String> = []
        for name in try FixtureFiles.reviewNames() {
            results.insert(controller.review(try FixtureFiles.review(name)).result.rawValue)
        }
        XCTAssertEqual(results, ["injected", "skipped", "failed-open", "error"])
    }

    static func canonicalText(_ document: Any) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    /// The outcome as the golden file stores it: the response without its base64 patch, the
    /// decoded patch operations, and the failure record.
    static func goldenDocument(_ outcome: AdmissionOutcome) throws -> [String: Any] {
        var document: [String: Any] = ["result": outcome.result.rawValue, "httpStatus": outcome.httpStatus]
        if outcome.result == .error {
            document["message"] = String(decoding: outcome.body, as: UTF8.self)
            return document
        }
        var review = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(outcome.body)) as? [String: Any])
        var response = try XCTUnwrap(review["response"] as? [String: Any])
        if let patch = response.removeValue(forKey: "patch") as? String {
            let bytes = try XCTUnwrap(Data(base64Encoded: patch), "patch is not base64")
            let operations = try XCTUnwrap(JSONSerialization.jsonObject(with: bytes) as? [Any])
            XCTAssertEqual(operations.count, outcome.patchOperations)
            document["patch"] = operations
        }
        review["response"] = response
        document["review"] = review
        if let failure = outcome.failure {
            document["failure"] = [
                "reason": failure.reason, "message": failure.message, "namespace": failure.namespace,
                "name": failure.name, "generateName": failure.generateName, "dryRun": failure.dryRun,
                "requestUID": failure.requestUID,
                "ownerReferences": failure.ownerReferences.map {
                    ["apiVersion": $0.apiVersion, "kind": $0.kind, "name": $0.name, "uid": $0.uid, "controller": $0.controller ?? false] as [String: Any]
                },
            ] as [String: Any]
        }
        return document
    }
}
