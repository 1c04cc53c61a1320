import Admission
import Foundation
import XCTest

/// The checked-in fixtures beside these tests: AdmissionReviews under `Fixtures/reviews`, each
/// with its golden answer `NAME.expected.json` and, when the answer patches the pod, the pod after
/// injection `NAME.injected.yaml`; and the configurations they are answered with.
enum FixtureFiles {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let reviews = directory.appendingPathComponent("reviews")

    /// Review fixture names (without `.json`), sorted.
    static func reviewNames() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: reviews.path)
            .filter { $0.hasSuffix(".json") && !$0.hasSuffix(".expected.json") }
            .map { String($0.dropLast(".json".count)) }
            .sorted()
    }

    static func review(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: reviews.appendingPathComponent("\(name).json")))
    }

    static func configuration(_ file: String = "config.yaml") throws -> InjectionConfig {
        let url = directory.appendingPathComponent(file)
        return try InjectionConfig.load(yaml: String(contentsOf: url, encoding: .utf8), source: url.path)
    }

    /// The request object of a review fixture, parsed with Foundation (independent of the engine).
    static func requestObject(_ body: [UInt8]) throws -> Any {
        let review = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) as? [String: Any])
        let request = try XCTUnwrap(review["request"] as? [String: Any])
        return request["object"] ?? NSNull()
    }
}
