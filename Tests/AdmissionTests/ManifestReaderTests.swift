import Admission
import JSON
import XCTest

/// `ManifestReader` is the one reader of offline input files: `inject`'s manifests and the
/// `--objects` of `replay` (through `ClusterObjectsLoader`). Its errors name the place as
/// `FILE:LINE:COLUMN`.
final class ManifestReaderTests: XCTestCase {
    private func error(_ text: String, objects: Bool = false) -> String? {
        do {
            let reader = ManifestReader(source: "in.yaml")
            _ = objects ? try reader.objects(Array(text.utf8)) : try reader.documents(Array(text.utf8))
            return nil
        } catch {
            return error.description
        }
    }

    func testJSONErrorsNameLineAndColumn() {
        XCTAssertEqual(error("{\n  \"kind\": \"Pod\",\n}"), "in.yaml:3:1: not valid JSON: unexpected character '}', expected a member name in quotes")
    }

    func testYAMLErrorsNameLineAndColumn() {
        XCTAssertEqual(error("kind: Pod\n\tmetadata: {}\n"),
                       "in.yaml:2:1: not valid YAML: a tab indents this line; YAML allows only spaces for indentation (replace the tab with spaces)")
        XCTAssertEqual(error("kind: Pod\n? [a]\n: b\n"), "in.yaml:2:3: a key is a list; JSON keys are strings")
    }

    func testDocumentsThatAreNotObjectsAreRefusedByNumber() {
        XCTAssertEqual(error("kind: Pod\n---\n42\n"), "in.yaml: document 2 is a number (42), not a Kubernetes object")
    }

    func testObjectsOpensListsAndKeepsOrder() throws {
        let text = """
        kind: Namespace
        metadata: {name: a}
        ---
        kind: List
        items:
        - {kind: ResourceQuota, metadata: {name: q}}
        - {kind: LimitRange, metadata: {name: l}}
        """
        let reader = ManifestReader(source: "in.yaml")
        XCTAssertEqual(try reader.documents(Array(text.utf8)).count, 2, "a List stays one document")
        XCTAssertEqual(try reader.objects(Array(text.utf8)).compactMap { $0["kind"]?.stringValue }, ["Namespace", "ResourceQuota", "LimitRange"])
        let json = #"[{"kind":"Namespace","metadata":{"name":"a"}},{"kind":"NamespaceList","items":[{"kind":"Namespace"}]}]"#
        XCTAssertEqual(try reader.objects(Array(json.utf8)).count, 2)
    }

    func testTheClusterObjectsLoaderReportsThroughTheSameReader() {
        XCTAssertThrowsError(try ClusterObjectsLoader(source: "objects.yaml").load(Array("kind: Namespace\nmetadata: {name: [\n".utf8))) {
            XCTAssertEqual(($0 as? InputFileError)?.line, 2)
            XCTAssertEqual("\($0)", "objects.yaml:2:19: not valid YAML: did not find expected node content (while parsing a flow node started at line 3, column 1)")
        }
    }
}
