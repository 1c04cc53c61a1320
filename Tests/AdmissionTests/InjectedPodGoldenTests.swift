import Admission
import Foundation
#if canImport(JSON)
import JSON
#endif
import XCTest
import YAML

/// Beside each review fixture whose answer carries a patch lies `NAME.injected.yaml`: the review's pod with
/// that patch applied, as YAML, as Istio keeps `*.yaml.injected` beside its injector's inputs, so a reviewer
/// reads the pod the API server will store instead of RFC 6902 operations. An answer without a patch
/// (skipped, failed open, error) has no such file, since the pod is unchanged and `NAME.expected.json` says
/// why; a stray one fails the test. The file is read back as typed JSON values (`true` is not `"true"`, order
/// of keys does not matter), so a reviewed file that drifts from the engine fails. `UPDATE_GOLDEN=1` rewrites
/// these files in the source tree (`Fixtures/reviews`, found from this file's path) along with the goldens.
final class InjectedPodGoldenTests: XCTestCase {
    func testEveryPatchedFixtureMatchesItsInjectedPod() throws {
        let controller = AdmissionController(configuration: try FixtureFiles.configuration())
        let update = ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1"
        var patched = 0
        for name in try FixtureFiles.reviewNames() {
            let body = try FixtureFiles.review(name)
            let url = FixtureFiles.reviews.appendingPathComponent("\(name).injected.yaml")
            guard let pod = try Self.injectedPod(review: body, outcome: controller.review(body)) else {
                if update { try? FileManager.default.removeItem(at: url) }
                XCTAssertFalse(FileManager.default.fileExists(atPath: url.path),
                               "\(name): the answer has no patch, so there must be no \(name).injected.yaml")
                continue
            }
            patched += 1
            if update {
                try YAMLEmitter.emit(pod.yamlNode).write(to: url, atomically: true, encoding: .utf8)
                continue
            }
            guard FileManager.default.fileExists(atPath: url.path) else {
                XCTFail("\(name): missing \(name).injected.yaml; run with UPDATE_GOLDEN=1 and review it")
                continue
            }
            let node = try XCTUnwrap(try compose(yaml: String(contentsOf: url, encoding: .utf8)), "\(name).injected.yaml is empty")
            let expected = try JSONValue(yaml: node)
            XCTAssertTrue(pod == expected, "\(name): the patched pod differs from \(name).injected.yaml:\n\(YAMLEmitter.emit(pod.yamlNode))")
        }
        XCTAssertGreaterThanOrEqual(patched, 8, "most fixtures are injected")
    }

    /// The `request.object` of the review with the answer's patch applied; nil when the answer has no patch.
    static func injectedPod(review body: [UInt8], outcome: AdmissionOutcome) throws -> JSONValue? {
        guard outcome.result != .error else { return nil }
        let answer = try JSONParser.parse(outcome.body)
        guard let encoded = answer["response"]?["patch"]?.stringValue else { return nil }
        let bytes = try XCTUnwrap(Data(base64Encoded: encoded), "the patch is not base64")
        let patch = try JSONPatch(json: try JSONParser.parse(Array(bytes)))
        let object = try XCTUnwrap(try JSONParser.parse(body)["request"]?["object"], "the review has no object")
        return try patch.applied(to: object)
    }
}
