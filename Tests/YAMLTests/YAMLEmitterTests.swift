import XCTest
@testable import YAML

/// The emitter's promise: what it writes reads back (through this module's libyaml reader) as the
/// same tree, every scalar resolving to the same value; strings that any YAML 1.1 reader could take
/// for something else are quoted, and the rest stay bare as kubectl writes them.
final class YAMLEmitterTests: XCTestCase {
    private func string(_ text: String) -> YAMLNode { .scalar(YAMLNode.Scalar(value: text, style: .doubleQuoted)) }
    private func plain(_ text: String) -> YAMLNode { .scalar(YAMLNode.Scalar(value: text)) }
    private func mapping(_ pairs: [(String, YAMLNode)]) -> YAMLNode {
        .mapping(YAMLNode.Mapping(pairs.map { (key: string($0.0), value: $0.1) }))
    }

    /// Same structure and, scalar by scalar, the same resolved value.
    private func assertSameTree(_ written: YAMLNode, _ read: YAMLNode?, file: StaticString = #filePath, line: UInt = #line) {
        guard let read else { return XCTFail("nothing read back", file: file, line: line) }
        switch (written, read) {
        case (.scalar(let a), .scalar(let b)):
            if case .float(let x) = a.resolved, case .float(let y) = b.resolved, x.isNaN, y.isNaN { return }
            XCTAssertEqual(a.resolved, b.resolved, "\(a.value) came back as \(b.value)", file: file, line: line)
        case (.sequence(let a), .sequence(let b)):
            XCTAssertEqual(a.count, b.count, file: file, line: line)
            for (x, y) in zip(a, b) { assertSameTree(x, y, file: file, line: line) }
        case (.mapping(let a), .mapping(let b)):
            XCTAssertEqual(a.count, b.count, file: file, line: line)
            for (x, y) in zip(a, b) {
                assertSameTree(x.key, y.key, file: file, line: line)
                assertSameTree(x.value, y.value, file: file, line: line)
            }
        default:
            XCTFail("\(written.summary) came back as \(read.summary)", file: file, line: line)
        }
    }

    private func roundTrip(_ node: YAMLNode, file: StaticString = #filePath, line: UInt = #line) {
        let text = YAMLEmitter.emit(node)
        do {
            assertSameTree(node, try compose(yaml: text), file: file, line: line)
        } catch {
            XCTFail("\(error) reading back:\n\(text)", file: file, line: line)
        }
    }

    static let ambiguous = [
        "yes", "no", "on", "off", "true", "False", "y", "N", "~", "null", "NULL", "", "1.0", "1.27", "42", "-7", "0755",
        "0x1F", "0o17", "0b101", "1e3", "1_000", ".5", "+1", ".inf", "-.inf", ".nan", "1:30", "12:30:45", "2024-01-02",
        "2024-01-02T10:00:00Z", "*alias", "&anchor", "!tag", "!!str", "%directive", "@at", "`tick", "|pipe", ">fold",
        "'single'", "\"double\"", "#comment", "a #comment", "key: value", "trailing:", ": lead", "? question", "- item",
        "-", "--", "---", "...", "---x", "[flow]", "{flow}", ",comma", " leading", "trailing ", " ", "=", "<<",
        "tab\there", "\ttab", "line\nbreak", "ends with newline\n", "\n", "\n\nleading newlines", "carriage\rreturn",
        "next\u{85}line", "line\u{2028}separator", "\u{FEFF}bom", "bell\u{07}", "del\u{7F}", "c1\u{9B}",
        "it's", "both ' and \"", "back\\slash", "emoji 🚀", "  indented\nblock", "a\n  \nb", "a\n\t\nb",
    ]

    func testAmbiguousStringsReadBackAsTheSameStrings() throws {
        for text in Self.ambiguous {
            let node = mapping([("value", string(text)), (text, string("as a key"))])
            let written = YAMLEmitter.emit(node)
            let read = try XCTUnwrap(try compose(yaml: written), written)
            XCTAssertEqual(read["value"]?.resolved, .string(text), "\(text.debugDescription) written as:\n\(written)")
            guard case .mapping(let pairs) = read, pairs.count == 2, case .scalar(let key) = pairs[1].key else {
                return XCTFail("no key read back for \(text.debugDescription):\n\(written)")
            }
            XCTAssertEqual(key.resolved, .string(text), "key \(text.debugDescription) written as:\n\(written)")
            // As a list item too: `- ` changes what a plain scalar may start with.
            roundTrip(.sequence(YAMLNode.Sequence([string(text)])))
        }
    }

    func testWordsThatReadAsSomethingElseAreQuoted() {
        XCTAssertEqual(YAMLEmitter.emit(mapping([("a", string("yes"))])), "a: 'yes'\n")
        XCTAssertEqual(YAMLEmitter.emit(mapping([("a", string("1.0"))])), "a: '1.0'\n")
        XCTAssertEqual(YAMLEmitter.emit(mapping([("a", string("~"))])), "a: '~'\n")
        XCTAssertEqual(YAMLEmitter.emit(mapping([("a", string("*ref"))])), "a: '*ref'\n")
        XCTAssertEqual(YAMLEmitter.emit(mapping([("a", string("key: value"))])), "a: 'key: value'\n")
        XCTAssertEqual(YAMLEmitter.emit(mapping([("a", string("it's: x"))])), "a: \"it's: x\"\n")
        XCTAssertEqual(YAMLEmitter.emit(mapping([("a", string("tab\t\u{7}"))])), "a: \"tab\\t\\x07\"\n")
    }

    func testTextThatIsOnlyTextStaysBare() {
        for text in ["250m", "256Mi", "nginx:1.27", "registry.example.com/agent:1.2", "https://x.example/y?z=1#f",
                     "-Xmx512m", "--port=8080", "it's", "grüße ☃", "app.kubernetes.io/name", "3rd-party", "a,b", "a[0]"] {
            XCTAssertEqual(YAMLEmitter.emit(mapping([("a", string(text))])), "a: \(text)\n")
        }
    }

    func testNumbersBooleansAndNullKeepTheirValue() {
        XCTAssertEqual(YAMLEmitter.emit(mapping([("port", plain("8080")), ("f", plain("0.5")), ("b", plain("true")), ("z", plain("null"))])),
                       "port: 8080\nf: 0.5\nb: true\nz: null\n")
        // `n` and `y` are booleans to go-yaml v2 even as keys.
        XCTAssertEqual(YAMLEmitter.emit(mapping([("n", plain("1"))])), "'n': 1\n")
        // A quoted or tagged scalar that resolves to a number is written as the number it is.
        let tagged = YAMLNode.scalar(YAMLNode.Scalar(value: "12", tag: "tag:yaml.org,2002:int", style: .doubleQuoted))
        XCTAssertEqual(YAMLEmitter.emit(mapping([("count", tagged)])), "count: 12\n")
        for text in ["0x1F", "1e3", ".inf", "-.inf", ".nan", "yes", "~", "-0", "1.5e+3"] { roundTrip(mapping([("v", plain(text))])) }
    }

    func testTextOverSeveralLinesIsALiteralBlockWithTheRightChomping() throws {
        XCTAssertEqual(YAMLEmitter.emit(mapping([("s", string("a\nb\n"))])), "s: |\n  a\n  b\n")
        XCTAssertEqual(YAMLEmitter.emit(mapping([("s", string("a\nb"))])), "s: |-\n  a\n  b\n")
        XCTAssertEqual(YAMLEmitter.emit(mapping([("s", string("a\n\n"))])), "s: |+\n  a\n\n")
        XCTAssertEqual(YAMLEmitter.emit(mapping([("s", string("a\n\nb\n"))])), "s: |\n  a\n\n  b\n")
        // A first line that starts with a blank would set the block's indentation: quoted instead.
        XCTAssertEqual(YAMLEmitter.emit(mapping([("s", string(" a\nb"))])), "s: \" a\\nb\"\n")
        for text in ["a\nb\n", "a\nb", "a\n\n", "a\n\n\n", "\na", "x\n  y\n", "#!/bin/sh\necho \"hi\"\n", "a  \nb\t\n"] {
            roundTrip(mapping([("s", string(text)), ("after", string("x"))]))
            roundTrip(.sequence(YAMLNode.Sequence([string(text), mapping([("s", string(text))]), string("last")])))
        }
    }

    func testCollectionsAreWrittenAsKubectlWritesThem() throws {
        let node = mapping([
            ("spec", mapping([
                ("containers", .sequence(YAMLNode.Sequence([
                    mapping([("name", string("app")), ("args", .sequence(YAMLNode.Sequence([string("-c"), string("run")])))]),
                ]))),
                ("volumes", .sequence(YAMLNode.Sequence([mapping([("name", string("v")), ("emptyDir", mapping([]))])]))),
                ("tolerations", .sequence(YAMLNode.Sequence([]))),
                ("matrix", .sequence(YAMLNode.Sequence([.sequence(YAMLNode.Sequence([plain("1"), plain("2")])), .sequence(YAMLNode.Sequence([]))]))),
            ])),
        ])
        let text = YAMLEmitter.emit(node)
        XCTAssertEqual(text, """
            spec:
              containers:
              - name: app
                args:
                - -c
                - run
              volumes:
              - name: v
                emptyDir: {}
              tolerations: []
              matrix:
              -
                - 1
                - 2
              - []

            """)
        roundTrip(node)
    }

    func testDocumentsAreSeparatedAndReadBackInOrder() throws {
        let documents = [mapping([("kind", string("A"))]), mapping([("kind", string("B")), ("data", mapping([("x", string("---"))]))])]
        let text = YAMLEmitter.emit(documents: documents)
        XCTAssertEqual(text, "kind: A\n---\nkind: B\ndata:\n  x: '---'\n")
        let read = try composeDocuments(utf8: Array(text.utf8))
        XCTAssertEqual(read.count, 2)
        for (written, back) in zip(documents, read) { assertSameTree(written, back) }
    }

    /// Random strings from characters that matter to YAML, as keys and values at several depths.
    func testRandomStringsRoundTrip() {
        var generator = SplitMix64(seed: 15)
        let alphabet: [String] = ["a", "b", "Z", "0", "1", "9", " ", "\t", "\n", ":", "#", "-", "?", "'", "\"", "\\", "*", "&",
                                  "!", "|", ">", "%", "@", "`", ",", "[", "]", "{", "}", ".", "~", "e", "x", "_", "+",
                                  "\r", "\u{85}", "\u{2028}", "\u{FEFF}", "é", "🚀", "\u{1}", "y", "n", "o"]
        for _ in 0..<1500 {
            let length = Int(generator.next() % 9)
            var text = ""
            for _ in 0..<length { text += alphabet[Int(generator.next() % UInt64(alphabet.count))] }
            roundTrip(mapping([("k", string(text)), (text.isEmpty ? "empty" : text, .sequence(YAMLNode.Sequence([string(text), mapping([("in", string(text))])])))]))
        }
    }
}

/// A small seeded generator, so a failing case can be run again.
private struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
