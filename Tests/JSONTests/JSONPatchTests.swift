import JSON
import XCTest

/// RFC 6902 behaviour, with the examples of its Appendix A.
final class JSONPatchTests: XCTestCase {
    private func apply(_ patch: String, to document: String) throws -> JSONValue {
        try JSONPatch(json: JSONParser.parse(patch)).applied(to: JSONParser.parse(document))
    }

    private func assertPatch(_ patch: String, _ document: String, gives expected: String, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(try apply(patch, to: document), try JSONParser.parse(expected), file: file, line: line)
    }

    private func assertFails(_ patch: String, _ document: String, _ problem: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try apply(patch, to: document), file: file, line: line) { error in
            XCTAssertTrue("\(error)".contains(problem), "\(error)", file: file, line: line)
        }
    }

    func testAddsObjectMemberAndArrayElement() throws {
        try assertPatch(#"[{"op":"add","path":"/baz","value":"qux"}]"#, #"{"foo":"bar"}"#, gives: #"{"baz":"qux","foo":"bar"}"#)
        try assertPatch(#"[{"op":"add","path":"/foo/1","value":"qux"}]"#, #"{"foo":["bar","baz"]}"#, gives: #"{"foo":["bar","qux","baz"]}"#)
        try assertPatch(#"[{"op":"add","path":"/foo/-","value":["abc","def"]}]"#, #"{"foo":["bar"]}"#, gives: #"{"foo":["bar",["abc","def"]]}"#)
        try assertPatch(#"[{"op":"add","path":"/foo","value":null}]"#, #"{"foo":1}"#, gives: #"{"foo":null}"#)
        try assertPatch(#"[{"op":"add","path":"","value":[1]}]"#, #"{"foo":1}"#, gives: #"[1]"#)
    }

    func testRemovesAndReplaces() throws {
        try assertPatch(#"[{"op":"remove","path":"/baz"}]"#, #"{"baz":"qux","foo":"bar"}"#, gives: #"{"foo":"bar"}"#)
        try assertPatch(#"[{"op":"remove","path":"/foo/1"}]"#, #"{"foo":["bar","qux","baz"]}"#, gives: #"{"foo":["bar","baz"]}"#)
        try assertPatch(#"[{"op":"replace","path":"/baz","value":"boo"}]"#, #"{"baz":"qux","foo":"bar"}"#, gives: #"{"baz":"boo","foo":"bar"}"#)
    }

    func testMovesAndCopies() throws {
        try assertPatch(
            #"[{"op":"move","from":"/foo/waldo","path":"/qux/thud"}]"#,
            #"{"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}}"#,
            gives: #"{"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}}"#)
        try assertPatch(#"[{"op":"move","from":"/foo/1","path":"/foo/3"}]"#, #"{"foo":["all","grass","cows","eat"]}"#, gives: #"{"foo":["all","cows","eat","grass"]}"#)
        try assertPatch(#"[{"op":"copy","from":"/a","path":"/b"}]"#, #"{"a":{"x":[1]}}"#, gives: #"{"a":{"x":[1]},"b":{"x":[1]}}"#)
        assertFails(#"[{"op":"move","from":"/a","path":"/a/b"}]"#, #"{"a":{}}"#, "into one of its own children")
    }

    func testTestOperationComparesJSONValues() throws {
        try assertPatch(
            #"[{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}]"#,
            #"{"baz":"qux","foo":["a",2,"c"]}"#, gives: #"{"baz":"qux","foo":["a",2,"c"]}"#)
        try assertPatch(#"[{"op":"test","path":"/o","value":{"b":1.0,"a":[true]}}]"#, #"{"o":{"a":[true],"b":1}}"#, gives: #"{"o":{"a":[true],"b":1}}"#)
        assertFails(#"[{"op":"test","path":"/baz","value":"bar"}]"#, #"{"baz":"qux"}"#, "test failed")
        assertFails(#"[{"op":"test","path":"/a","value":"1"}]"#, #"{"a":1}"#, "test failed")
    }

    func testPointerEscapesAddressTildeAndSlash() throws {
        try assertPatch(#"[{"op":"test","path":"/~01","value":10}]"#, #"{"/":9,"~1":10}"#, gives: #"{"/":9,"~1":10}"#)
        try assertPatch(
            #"[{"op":"add","path":"/metadata/annotations/kube-injector.io~1status","value":"x"}]"#,
            #"{"metadata":{"annotations":{}}}"#, gives: #"{"metadata":{"annotations":{"kube-injector.io/status":"x"}}}"#)
        XCTAssertEqual(JSONPointer.escape("a/b~c"), "a~1b~0c")
        XCTAssertEqual(try JSONPointer(parsing: "/a~1b~0c/~01").tokens, ["a/b~c", "~1"])
        XCTAssertEqual(JSONPointer(tokens: ["a/b~c", "", "~1"]).description, "/a~1b~0c//~01")
        XCTAssertThrowsError(try JSONPointer(parsing: "/a~2"))
        XCTAssertThrowsError(try JSONPointer(parsing: "a"))
    }

    func testPathsThatDoNotResolveFail() {
        assertFails(#"[{"op":"add","path":"/baz/bat","value":"qux"}]"#, #"{"foo":"bar"}"#, "member \"baz\" does not exist")
        assertFails(#"[{"op":"add","path":"/foo/3","value":1}]"#, #"{"foo":[1,2]}"#, "out of range")
        assertFails(#"[{"op":"add","path":"/foo/01","value":1}]"#, #"{"foo":[1,2]}"#, "not an array index")
        assertFails(#"[{"op":"remove","path":"/foo/-"}]"#, #"{"foo":[1]}"#, "names no existing element")
        assertFails(#"[{"op":"replace","path":"/nope","value":1}]"#, #"{}"#, "does not exist")
        assertFails(#"[{"op":"add","path":"/a/b","value":1}]"#, #"{"a":"scalar"}"#, "neither an object nor an array")
        assertFails(#"[{"op":"frobnicate","path":"/a"}]"#, #"{}"#, "\"op\" must be one of")
        assertFails(#"[{"op":"add","path":"/a"}]"#, #"{}"#, "needs a \"value\"")
    }

    func testAFailingOperationLeavesTheDocumentUnchanged() throws {
        var document = try JSONParser.parse(#"{"a":[1]}"#)
        let patch = try JSONPatch(json: JSONParser.parse(#"[{"op":"add","path":"/a/-","value":2},{"op":"remove","path":"/missing"}]"#))
        XCTAssertThrowsError(try patch.apply(to: &document)) { error in
            XCTAssertEqual((error as? JSONPatchError)?.operationIndex, 1)
        }
        XCTAssertEqual(document, try JSONParser.parse(#"{"a":[1]}"#))
    }

    func testSerializedPatchReadsBackTheSame() throws {
        let patch = JSONPatch([
            .add(["metadata", "annotations", "a/b~c"], "v"),
            JSONPatchOperation(op: .move, path: JSONPointer(tokens: ["x"]), from: JSONPointer(tokens: ["y\"z"])),
            JSONPatchOperation(op: .remove, path: JSONPointer(tokens: ["spec", "containers", "0"])),
        ])
        let bytes = patch.serialized()
        XCTAssertEqual(
            String(decoding: bytes, as: UTF8.self),
            #"[{"op":"add","path":"/metadata/annotations/a~1b~0c","value":"v"},{"op":"move","path":"/x","from":"/y\"z"},{"op":"remove","path":"/spec/containers/0"}]"#)
        XCTAssertEqual(try JSONPatch(json: JSONParser.parse(bytes)), patch)
    }

    func testThousandsOfAppendsToOneArrayAllLandInOrder() throws {
        var document: JSONValue = .object(JSONObject([JSONMember(key: "env", value: .array(Array(repeating: .null, count: 4000)))]))
        let patch = JSONPatch((0..<4000).map { .add(["env", "-"], .number(String($0))) })
        try patch.apply(to: &document)
        XCTAssertEqual(document["env"]?.arrayValue?.count, 8000)
        XCTAssertEqual(document["env"]?.arrayValue?.last, .number("3999"))
    }
}
