@testable import Admission
@testable import JSON
import XCTest

/// `ParseShape.admissionReview` must keep as trees every member that the common path of a
/// review reads (Injector, the self-check, admissibility): a member it keeps raw is parsed
/// again when read, which costs more than the whole review otherwise. The source of a parsed
/// document counts the raw values built into trees, so a shape that drifts from what is read
/// fails here instead of in a benchmark.
final class ParseShapeDriftTests: XCTestCase {
    /// Reviews `body` parsed with `shape`, and how many raw values the review built into trees.
    /// nil when the shape kept nothing raw (a review without a pod).
    private func review(_ body: [UInt8], shape: ParseShape, configuration: InjectionConfig) throws -> (AdmissionOutcome, built: Int)? {
        let root = try JSONParser.parse(body, shape: shape)
        guard let raw = Self.firstRaw(in: root) else { return nil }
        XCTAssertEqual(raw.treesBuiltInDocument, 0, "nothing is built by the parse itself")
        let controller = AdmissionController(configuration: configuration)
        let outcome = controller.evaluate(review: root, body: body, cluster: nil, returningObject: false).outcome
        return (outcome, raw.treesBuiltInDocument)
    }

    /// Any raw value of the document: they all share one source, and so one count.
    private static func firstRaw(in value: JSONValue) -> RawJSON? {
        switch value {
        case .raw(let raw): return raw
        case .object(let object): return object.members.lazy.compactMap { firstRaw(in: $0.value) }.first
        case .array(let array): return array.lazy.compactMap { firstRaw(in: $0) }.first
        default: return nil
        }
    }

    /// `shape` with the member at `path` kept raw (`*` steps into an array's elements); nil when
    /// the shape has no such member.
    private static func keepingRaw(_ path: ArraySlice<String>, in shape: ParseShape) -> ParseShape? {
        guard let step = path.first else { return .raw }
        switch shape {
        case .object(let object):
            guard let index = object.keys.firstIndex(of: step),
                  let changed = keepingRaw(path.dropFirst(), in: object.shapes[index]) else { return nil }
            var members = Array(zip(object.keys, object.shapes)).map { (key: $0.0, shape: $0.1) }
            members[index].shape = changed
            return .object(members, others: object.others)
        case .array(let element) where step == "*":
            return keepingRaw(path.dropFirst(), in: element).map { .array($0) }
        default:
            return nil
        }
    }

    /// Reviews that read raw members on purpose, on a rarer path than the common one: the pod
    /// already carries what would be injected, so what it carries is compared whole.
    private static let rarerPaths: Set<String> = [
        "config.yaml already-carries-everything",  // injected parts already present: compared to the configured ones
        "config.yaml existing-env-var",  // a variable of an injected name exists: its value is compared
    ]

    func testTheCommonPathBuildsNoRawValue() throws {
        var checked = 0
        for file in ["config.yaml", "bench-profile.yaml"] {
            let configuration = try FixtureFiles.configuration(file)
            for name in try FixtureFiles.reviewNames() where !name.hasPrefix("error-") {
                guard let (outcome, built) = try review(try FixtureFiles.review(name), shape: .admissionReview, configuration: configuration),
                      outcome.result != .failedOpen else { continue }  // a failure record reads the pod's identity, raw
                if Self.rarerPaths.contains("\(file) \(name)") {
                    XCTAssertGreaterThan(built, 0, "\(file) \(name) no longer takes a rarer path: drop it from the list")
                    continue
                }
                XCTAssertEqual(built, 0, "\(file) \(name) (\(outcome.result.rawValue)) read \(built) raw values: the review shape does not keep what is read")
                checked += 1
            }
        }
        XCTAssertGreaterThanOrEqual(checked, 25)
    }

    func testAShapeThatKeepsAMemberTheInjectorReadsRawIsCaught() throws {
        // The control: the same shape with one member the injector reads (a container's name)
        // kept raw. The answer is the same; the count shows the cost.
        let configuration = try FixtureFiles.configuration("bench-profile.yaml")
        let body = try FixtureFiles.review("deployment-pod-generate-name")
        let drifted = try XCTUnwrap(Self.keepingRaw(["request", "object", "spec", "containers", "*", "name"], in: .admissionReview))
        let (kept, keptBuilt) = try XCTUnwrap(try review(body, shape: .admissionReview, configuration: configuration))
        let (raw, rawBuilt) = try XCTUnwrap(try review(body, shape: drifted, configuration: configuration))
        XCTAssertEqual(keptBuilt, 0)
        XCTAssertGreaterThan(rawBuilt, 0)
        XCTAssertEqual(raw.result, .injected)
        XCTAssertEqual(raw.body, kept.body)
        XCTAssertNil(Self.keepingRaw(["request", "object", "spec", "nothing"], in: .admissionReview), "a path the shape lacks")
    }
}
