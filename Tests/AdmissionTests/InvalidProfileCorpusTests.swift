import Admission
import Foundation
import XCTest

/// The corpus in `Fixtures/invalid-profiles`: one configuration per Kubernetes rule, each
/// opening with `# rule:` (the Kubernetes file and function it is ported from) and ending with
/// `# expect:` lines, the exact messages the loader must give, one per problem, in order.
final class InvalidProfileCorpusTests: XCTestCase {
    static let directory = FixtureFiles.directory.appendingPathComponent("invalid-profiles")

    static func corpus() throws -> [(name: String, text: String)] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".yaml") }
            .sorted()
            .map { ($0, try String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8)) }
    }

    func testEveryInvalidProfileIsRefusedWithItsExactMessages() throws {
        let corpus = try Self.corpus()
        XCTAssertGreaterThanOrEqual(corpus.count, 40)
        for (name, text) in corpus {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            XCTAssertTrue(lines.first?.hasPrefix("# rule: ") == true, "\(name): first line must cite the Kubernetes rule")
            let expected = lines.filter { $0.hasPrefix("# expect: ") }.map { String($0.dropFirst("# expect: ".count)) }
            XCTAssertFalse(expected.isEmpty, "\(name): no # expect: line")
            do {
                _ = try InjectionConfig.load(yaml: text, source: "invalid-profiles/\(name)")
                XCTFail("\(name): accepted")
            } catch let error as InjectionConfigError {
                XCTAssertEqual(error.allErrors.map(\.singleLine), expected, "\(name)")
            }
        }
    }

    /// Each rule's fixture names only that rule: a fixture that broke two rules would not show
    /// that each is checked on its own.
    func testEachSingleRuleFixtureHasOneProblem() throws {
        for (name, text) in try Self.corpus() where name != "every-problem-in-one-run.yaml" {
            XCTAssertEqual(text.components(separatedBy: "\n# expect: ").count - 1, 1, name)
        }
    }
}
