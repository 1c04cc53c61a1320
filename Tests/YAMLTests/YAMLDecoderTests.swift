import XCTest
import YAML

/// A document shaped like a kubeconfig (nested keyed containers, optionals, renamed keys), decoded
/// here by the YAML module alone; KubeClient has its own reader of real kubeconfigs.
private struct KubeconfigLikeDocument: Decodable, Equatable {
    struct NamedCluster: Decodable, Equatable {
        var name: String
        var cluster: Cluster?
    }

    struct Cluster: Decodable, Equatable {
        var server: String?
        var insecureSkipTLSVerify: Bool?

        enum CodingKeys: String, CodingKey {
            case server
            case insecureSkipTLSVerify = "insecure-skip-tls-verify"
        }
    }

    var clusters: [NamedCluster]?
    var currentContext: String?
    var preferences: [String: String]?

    enum CodingKeys: String, CodingKey {
        case clusters, preferences
        case currentContext = "current-context"
    }
}

private struct Numbers: Decodable {
    var port: UInt16
    var ratio: Double
    var mode: Int
    var flags: [Bool]
    var nothing: Int?
}

final class YAMLDecoderTests: XCTestCase {
    private let kubeconfig = """
        apiVersion: v1
        kind: Config
        current-context: dev
        clusters:
          - name: dev
            cluster:
              server: https://127.0.0.1:6443
              insecure-skip-tls-verify: true
          - name: "1234"
        preferences: {}
        """

    func testAKubeconfigDecodes() throws {
        let config = try YAMLDecoder().decode(KubeconfigLikeDocument.self, from: kubeconfig)
        XCTAssertEqual(config, KubeconfigLikeDocument(
            clusters: [
                .init(name: "dev", cluster: .init(server: "https://127.0.0.1:6443", insecureSkipTLSVerify: true)),
                .init(name: "1234", cluster: nil),
            ],
            currentContext: "dev", preferences: [:]))
    }

    func testAMissingRequiredKeyNamesItsPathAndLine() {
        let yaml = kubeconfig.replacingOccurrences(of: "  - name: dev\n", with: "  - nam: dev\n")
        XCTAssertThrowsError(try YAMLDecoder().decode(KubeconfigLikeDocument.self, from: yaml)) { error in
            guard case .keyNotFound(let key, let context)? = error as? DecodingError else { return XCTFail("\(error)") }
            XCTAssertEqual(key.stringValue, "name")
            XCTAssertEqual(context.codingPath.map(\.stringValue), ["clusters", "Index 0"])
            XCTAssertEqual(context.codingPath.last?.intValue, 0)
            XCTAssertEqual(context.debugDescription, #"no key "name" in the mapping at line 5, column 5"#)
            XCTAssertEqual(DecodingErrorMessage.describe(error), #"clusters[0]: no key "name" in the mapping at line 5, column 5"#)
        }
    }

    func testAWrongTypeNamesWhatWasFoundAndWhere() {
        let yaml = kubeconfig.replacingOccurrences(of: "insecure-skip-tls-verify: true", with: "insecure-skip-tls-verify: maybe")
        XCTAssertThrowsError(try YAMLDecoder().decode(KubeconfigLikeDocument.self, from: yaml)) { error in
            guard case .typeMismatch(_, let context)? = error as? DecodingError else { return XCTFail("\(error)") }
            XCTAssertEqual(context.codingPath.map(\.stringValue), ["clusters", "Index 0", "cluster", "insecure-skip-tls-verify"])
            XCTAssertEqual(context.debugDescription, #"expected true or false, found the string "maybe" at line 8, column 33"#)
            XCTAssertEqual(DecodingErrorMessage.describe(error),
                           #"clusters[0].cluster.insecure-skip-tls-verify: expected true or false, found the string "maybe" at line 8, column 33"#)
        }
        XCTAssertThrowsError(try YAMLDecoder().decode(KubeconfigLikeDocument.self, from: "clusters: {name: dev}\n")) { error in
            guard case .typeMismatch(_, let context)? = error as? DecodingError else { return XCTFail("\(error)") }
            XCTAssertEqual(context.debugDescription, "expected a list, found a mapping at line 1, column 11")
        }
    }

    func testNullIsNilForOptionalsAndMissingForTheRest() throws {
        let config = try YAMLDecoder().decode(KubeconfigLikeDocument.self, from: "clusters: ~\ncurrent-context:\n")
        XCTAssertNil(config.clusters)
        XCTAssertNil(config.currentContext)
        XCTAssertThrowsError(try YAMLDecoder().decode(KubeconfigLikeDocument.self, from: "clusters: [{name: null}]\n")) { error in
            guard case .valueNotFound(_, let context)? = error as? DecodingError else { return XCTFail("\(error)") }
            XCTAssertEqual(context.codingPath.map(\.stringValue), ["clusters", "Index 0", "name"])
        }
    }

    func testNumbersAndBooleansDecodeFromTheirYAMLForms() throws {
        let numbers = try YAMLDecoder().decode(Numbers.self, from: "port: 0x1F90\nratio: 1\nmode: 0644\nflags: [yes, off, true]\nnothing: ~\n")
        XCTAssertEqual(numbers.port, 8080)
        XCTAssertEqual(numbers.ratio, 1.0)
        XCTAssertEqual(numbers.mode, 420)
        XCTAssertEqual(numbers.flags, [true, false, true])
        XCTAssertNil(numbers.nothing)
        XCTAssertThrowsError(try YAMLDecoder().decode(Numbers.self, from: "port: 70000\nratio: 1\nmode: 1\nflags: []\n")) { error in
            guard case .dataCorrupted(let context)? = error as? DecodingError else { return XCTFail("\(error)") }
            XCTAssertEqual(context.codingPath.map(\.stringValue), ["port"])
        }
        XCTAssertThrowsError(try YAMLDecoder().decode(Numbers.self, from: "port: \"80\"\nratio: 1\nmode: 1\nflags: []\n"),
                             "a quoted number is a string")
    }

    func testTextThatIsNotYAMLThrowsTheYAMLError() {
        XCTAssertThrowsError(try YAMLDecoder().decode(KubeconfigLikeDocument.self, from: "clusters: [unclosed")) { error in
            XCTAssertEqual((error as? YAMLError)?.mark, Mark(line: 1, column: 20), "the end of the last line, not one past it")
        }
        XCTAssertThrowsError(try YAMLDecoder().decode(KubeconfigLikeDocument.self, from: "")) { error in
            guard case .valueNotFound? = error as? DecodingError else { return XCTFail("\(error)") }
        }
    }
}
