import XCTest
import YAML

/// `composeDocuments`: a stream of `---`-separated documents, as `kubectl get -o yaml` and
/// manifest files hold them.
final class ComposeDocumentsTests: XCTestCase {
    private func names(_ yaml: String) throws -> [String] {
        try composeDocuments(utf8: Array(yaml.utf8)).map { document in
            guard case .mapping(let mapping) = document, case .scalar(let kind)? = mapping["kind"] else { return "?" }
            return kind.value
        }
    }

    func testEveryDocumentIsComposedInOrderAndEmptyOnesAreSkipped() throws {
        XCTAssertEqual(try names("kind: Namespace\n---\nkind: ResourceQuota\n---\n---\nkind: LimitRange\n"),
                       ["Namespace", "ResourceQuota", "LimitRange"])
        XCTAssertEqual(try names("---\nkind: Namespace\n...\n"), ["Namespace"])
        XCTAssertEqual(try names(""), [])
    }

    func testAnAnchorDoesNotReachIntoTheNextDocument() {
        XCTAssertThrowsError(try composeDocuments(utf8: Array("a: &x 1\n---\nb: *x\n".utf8))) { error in
            XCTAssertEqual((error as? YAMLError)?.problem, .undefinedAlias("x"))
        }
    }

    func testARepeatedKeyInALaterDocumentIsStillRefused() {
        XCTAssertThrowsError(try composeDocuments(utf8: Array("a: 1\n---\nb: 1\nb: 2\n".utf8)))
    }
}
