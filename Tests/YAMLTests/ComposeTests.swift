import XCTest
import YAML

final class ComposeTests: XCTestCase {
    private func error(_ yaml: String, file: StaticString = #filePath, line: UInt = #line) -> YAMLError? {
        do {
            let node = try compose(yaml: yaml)
            XCTFail("composed \(String(describing: node))", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    func testNestedMappingsAndSequencesKeepTheirOrderAndLines() throws {
        let root = try XCTUnwrap(try compose(yaml: """
            # a comment first
            zeta:
              - one
              - {inner: [1, 2]}
            alpha: value
            """))
        guard case .mapping(let mapping) = root else { return XCTFail("\(root)") }
        XCTAssertEqual(mapping.map { $0.key.resolved }, [.string("zeta"), .string("alpha")])
        XCTAssertEqual(root.mark, Mark(line: 2, column: 1))
        XCTAssertEqual(root["zeta"]?.mark, Mark(line: 3, column: 3))
        XCTAssertEqual(root["zeta"]?[0]?.resolved, .string("one"))
        XCTAssertEqual(root["zeta"]?[1]?.mark, Mark(line: 4, column: 5))
        XCTAssertEqual(root["zeta"]?[1]?["inner"]?[1]?.resolved, .int(2))
        XCTAssertEqual(root["zeta"]?[1]?["inner"]?[1]?.mark, Mark(line: 4, column: 17))
        XCTAssertEqual(mapping[1].key.mark, Mark(line: 5, column: 1))
        XCTAssertEqual(root["alpha"]?.mark, Mark(line: 5, column: 8))
        XCTAssertNil(root["missing"])
        XCTAssertNil(root["zeta"]?[2])
    }

    func testQuotedAndBlockScalarsAreAlwaysStrings() throws {
        let root = try XCTUnwrap(try compose(yaml: """
            plain: true
            double: "true"
            single: '0x10'
            empty: ""
            tagged: !!str 42
            """))
        XCTAssertEqual(root["plain"]?.resolved, .bool(true))
        XCTAssertEqual(root["double"]?.resolved, .string("true"))
        XCTAssertEqual(root["single"]?.resolved, .string("0x10"))
        XCTAssertEqual(root["empty"]?.resolved, .string(""))
        XCTAssertEqual(root["tagged"]?.resolved, .string("42"))
        XCTAssertEqual(root["tagged"]?.tag, "tag:yaml.org,2002:str")
        guard case .scalar(let double)? = root["double"], case .scalar(let single)? = root["single"] else { return XCTFail() }
        XCTAssertEqual(double.style, .doubleQuoted)
        XCTAssertEqual(single.style, .singleQuoted)
    }

    func testPlainScalarsResolveAsKubernetesReadsThem() throws {
        let expected: [(String, YAMLNode.Scalar.Resolved)] = [
            ("~", .null), ("null", .null), ("NULL", .null), ("", .null),
            ("true", .bool(true)), ("False", .bool(false)), ("yes", .bool(true)), ("off", .bool(false)),
            ("y", .string("y")), ("yes please", .string("yes please")),
            ("42", .int(42)), ("-17", .int(-17)), ("+3", .int(3)), ("0", .int(0)), ("1_000", .int(1000)),
            ("0x10", .int(16)), ("0o17", .int(15)), ("0755", .int(493)), ("0b101", .int(5)),
            ("1.5", .float(1.5)), ("-2e3", .float(-2000)), (".5", .float(0.5)), ("1.", .float(1)),
            (".inf", .float(.infinity)), ("-.Inf", .float(-.infinity)),
            ("0x", .string("0x")), ("0xZZ", .string("0xZZ")), ("12:30", .string("12:30")),
            ("2026-11-25", .string("2026-11-25")), ("1.2.3", .string("1.2.3")), ("e5", .string("e5")),
            ("99999999999999999999", .float(1e20)), ("0x1FFFFFFFFFFFFFFFF", .string("0x1FFFFFFFFFFFFFFFF")),
        ]
        for (text, resolved) in expected {
            XCTAssertEqual(YAMLNode.Scalar(value: text).resolved, resolved, text)
        }
        guard case .float(let nan) = YAMLNode.Scalar(value: ".nan").resolved else { return XCTFail() }
        XCTAssertTrue(nan.isNaN)
        XCTAssertEqual(try compose(yaml: "key:\n")?["key"]?.resolved, .null)
    }

    func testExplicitTagsAreHonoured() throws {
        let root = try XCTUnwrap(try compose(yaml: #"{a: !!int "12", b: !!float "1", c: !!bool "yes", d: !!null "", e: !custom 7}"#))
        XCTAssertEqual(root["a"]?.resolved, .int(12))
        XCTAssertEqual(root["b"]?.resolved, .float(1))
        XCTAssertEqual(root["c"]?.resolved, .bool(true))
        XCTAssertEqual(root["d"]?.resolved, .null)
        XCTAssertEqual(root["e"]?.resolved, .string("7"))
        XCTAssertEqual(root["e"]?.tag, "!custom")
    }

    func testLiteralAndFoldedBlocks() throws {
        let root = try XCTUnwrap(try compose(yaml: """
            literal: |
              {"a": 1,
               "b": true}
            folded: >
              one
              two

              three
            stripped: |-
              no newline
            """))
        XCTAssertEqual(root["literal"]?.resolved, .string("{\"a\": 1,\n \"b\": true}\n"))
        XCTAssertEqual(root["folded"]?.resolved, .string("one two\nthree\n"))
        XCTAssertEqual(root["stripped"]?.resolved, .string("no newline"))
        guard case .scalar(let literal)? = root["literal"], case .scalar(let folded)? = root["folded"] else { return XCTFail() }
        XCTAssertEqual(literal.style, .literal)
        XCTAssertEqual(folded.style, .folded)
    }

    func testAliasesStandForTheAnchoredNode() throws {
        let root = try XCTUnwrap(try compose(yaml: """
            base: &base {image: busybox, args: [a, b]}
            copy: *base
            name: &name agent
            names: [*name, *name]
            """))
        XCTAssertEqual(root["copy"]?["image"]?.resolved, .string("busybox"))
        XCTAssertEqual(root["copy"]?["args"]?[1]?.resolved, .string("b"))
        XCTAssertEqual(root["copy"]?.mark, Mark(line: 1, column: 7), "an alias keeps the anchored node's place (its anchor)")
        XCTAssertEqual(root["names"]?[1]?.resolved, .string("agent"))
    }

    func testAnAliasWithoutItsAnchorIsRefused() {
        let undefined = error("a: 1\nb: *nowhere\n")
        XCTAssertEqual(undefined?.problem, .undefinedAlias("nowhere"))
        XCTAssertEqual(undefined?.mark?.line, 2)
        XCTAssertEqual(error("a: &loop [1, *loop]\n")?.problem, .undefinedAlias("loop"), "a node cannot contain itself")
    }

    func testTheBillionLaughsAreRefused() {
        var yaml = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...9 {
            let previous = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
            yaml += "a\(level): &a\(level) [\(previous)]\n"
        }
        let refused = error(yaml)
        XCTAssertEqual(refused?.problem, .aliasExpansionTooLarge(limit: 100_000))
        XCTAssertEqual(refused?.mark?.line, 5, "refused at the level that passes the limit, not after expanding it")
    }

    func testModestAliasUseIsAccepted() throws {
        var yaml = "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nb:\n"
        for _ in 0..<1000 { yaml += "  - *a\n" }
        guard case .sequence(let b)? = try compose(yaml: yaml)?["b"] else { return XCTFail() }
        XCTAssertEqual(b.count, 1000)
    }

    func testARepeatedKeyIsRefusedWithBothLinesAndWhereTheMappingIs() {
        let refused = error("profiles:\n  a:\n    env: []\n  a:\n    env: []\n")
        XCTAssertEqual(refused?.problem, .duplicateKey("a", path: "profiles", first: Mark(line: 2, column: 3)))
        XCTAssertEqual(refused?.mark, Mark(line: 4, column: 3))
        XCTAssertEqual(refused?.description, #"line 4, column 3: key "a" appears more than once in profiles (first at line 2)"#)
        XCTAssertEqual(error("list:\n  - {name: x, name: y}\n")?.problem,
                       .duplicateKey("name", path: "list[0]", first: Mark(line: 2, column: 6)))
        XCTAssertEqual(error("a: 1\na: 2\n")?.problem, .duplicateKey("a", path: "", first: Mark(line: 1, column: 1)))
    }

    func testMalformedYAMLNamesTheLineAndWhatWasOpen() {
        let refused = error("profiles:\n  p: [unclosed\n  q: 1\n")
        guard case .syntax(let problem)? = refused?.problem else { return XCTFail("\(String(describing: refused))") }
        XCTAssertEqual(problem, "did not find expected ',' or ']'")
        XCTAssertEqual(refused?.mark?.line, 3)
        XCTAssertEqual(refused?.context, YAMLError.Context(text: "while parsing a flow sequence", mark: Mark(line: 2, column: 6)))
        XCTAssertEqual(refused?.description,
                       "line 3, column 4: did not find expected ',' or ']' (while parsing a flow sequence started at line 2, column 6)")

        let atTheEnd = error("profiles:\n  p: [unclosed\n\n")
        XCTAssertEqual(atTheEnd?.mark, Mark(line: 2, column: 15), "the end of the last line with text, not the empty one after it")

        let badIndent = error("a:\n  b: 1\n c: 2\n")
        XCTAssertEqual(badIndent?.mark?.line, 3)
    }

    func testATabThatStartsALineIsNamedAsSuch() {
        // libyaml says "found a tab character that violates indentation" or "found character that
        // cannot start any token", depending on what it was scanning; both are the tab.
        for text in ["a:\n  b: 1\n\tc: 2\n", "a:\n\tb: 1\n", "a:\n  \tb: 1\n", "- a\n\t- b\n"] {
            let refused = error(text)
            XCTAssertEqual(refused?.problem, .tabIndentation, "\(text.debugDescription): \(String(describing: refused))")
            XCTAssertEqual(refused?.explanation, "a tab indents this line; YAML allows only spaces for indentation (replace the tab with spaces)")
        }
        XCTAssertEqual(error("a:\n  b: 1\n\tc: 2\n")?.description,
                       "line 3, column 1: a tab indents this line; YAML allows only spaces for indentation (replace the tab with spaces)")
        // A tab inside a value is text, not indentation.
        XCTAssertEqual(try compose(yaml: "a: \"x\ty\"\n")?["a"]?.resolved, .string("x\ty"))
    }

    func testBytesThatAreNotUTF8AreRefusedWithTheirLine() {
        let bytes = Array("a: 1\nb: caf".utf8) + [0xE9] + Array("\n".utf8)
        XCTAssertThrowsError(try compose(utf8: bytes)) { error in
            let yamlError = error as? YAMLError
            XCTAssertEqual(yamlError?.mark?.line, 2)
            guard case .syntax(let problem)? = yamlError?.problem else { return XCTFail("\(error)") }
            XCTAssertTrue(problem.contains("UTF-8"), problem)
        }
    }

    func testControlCharactersAreRefused() {
        let refused = error("a: 1\nb: x\u{07}y\n")
        XCTAssertEqual(refused?.problem, .syntax("control characters are not allowed (0x7)"))
        XCTAssertEqual(refused?.mark, Mark(line: 2, column: 5))
    }

    func testOneDocumentIsReadAndASecondIsRefused() throws {
        XCTAssertEqual(try compose(yaml: "---\na: 1\n...\n")?["a"]?.resolved, .int(1))
        let refused = error("a: 1\n---\nb: 2\n")
        XCTAssertEqual(refused?.problem, .multipleDocuments)
        XCTAssertEqual(refused?.mark?.line, 2)
    }

    func testTextWithoutADocumentComposesToNil() throws {
        XCTAssertNil(try compose(yaml: ""))
        XCTAssertNil(try compose(yaml: "# only a comment\n\n"))
        XCTAssertEqual(try compose(yaml: "---\n")?.resolved, .null, "an explicit empty document is a null scalar")
    }

    func testDeepNestingIsRefusedBeforeItCanExhaustTheStack() throws {
        let refused = error(String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000))
        XCTAssertEqual(refused?.problem, .nestingTooDeep(limit: 256))
        XCTAssertNotNil(try compose(yaml: String(repeating: "[", count: 200) + String(repeating: "]", count: 200)))
    }
}
