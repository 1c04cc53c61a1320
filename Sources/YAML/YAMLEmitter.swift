/// Writes node trees as block-style YAML, as kubectl prints objects: two-space indentation,
/// list items at their key's indentation. The promise is that reading the text back gives the
/// same tree: every scalar resolves (`Scalar.resolved`) to what it resolved to before. A string is
/// written plain only when no YAML reader could take it for anything else; otherwise it is quoted
/// (`'yes'`, `'1.0'`, `'~'`, `'*ref'`), or written as a literal block when it spans lines.
/// Anchors, tags, comments and the original styles are not kept.
public enum YAMLEmitter {
    /// The documents as one stream, separated by `---`.
    public static func emit(documents: [YAMLNode]) -> String {
        var output = ""
        for (index, document) in documents.enumerated() {
            if index > 0 { output += "---\n" }
            output += emit(document)
        }
        return output
    }

    /// One document, ending with a newline.
    public static func emit(_ node: YAMLNode) -> String {
        var output = ""
        switch node {
        case .scalar(let scalar):
            writeScalar(scalar, indent: 2, into: &output)
            output += "\n"
        case .sequence(let sequence) where !sequence.isEmpty:
            writeSequence(sequence, indent: 0, into: &output)
        case .mapping(let mapping) where !mapping.isEmpty:
            writeMapping(mapping, indent: 0, firstLineIndented: true, into: &output)
        default:
            output += node.isSequence ? "[]\n" : "{}\n"
        }
        return output
    }

    // MARK: - Collections

    /// Each pair on its own line at `indent`; the first line's indentation is already written when
    /// the mapping is a list item (`- name: x`).
    private static func writeMapping(_ mapping: YAMLNode.Mapping, indent: Int, firstLineIndented: Bool, into output: inout String) {
        for (index, pair) in mapping.pairs.enumerated() {
            if index > 0 || firstLineIndented { output += String(repeating: " ", count: indent) }
            writeKey(pair.key, into: &output)
            output += ":"
            writeValue(pair.value, indent: indent, into: &output)
        }
    }

    /// A value after `key:`. A nested mapping goes two deeper; a nested list stays at the key's
    /// indentation, as kubectl writes it.
    private static func writeValue(_ value: YAMLNode, indent: Int, into output: inout String) {
        switch value {
        case .scalar(let scalar):
            writeScalarLine(scalar, indent: indent, into: &output)
        case .mapping(let mapping) where !mapping.isEmpty:
            output += "\n"
            writeMapping(mapping, indent: indent + 2, firstLineIndented: true, into: &output)
        case .sequence(let sequence) where !sequence.isEmpty:
            output += "\n"
            writeSequence(sequence, indent: indent, into: &output)
        default:
            output += value.isSequence ? " []\n" : " {}\n"
        }
    }

    private static func writeSequence(_ sequence: YAMLNode.Sequence, indent: Int, into output: inout String) {
        let padding = String(repeating: " ", count: indent)
        for element in sequence.elements {
            output += padding + "-"
            switch element {
            case .scalar(let scalar):
                writeScalarLine(scalar, indent: indent, into: &output)
            case .mapping(let mapping) where !mapping.isEmpty:
                output += " "
                writeMapping(mapping, indent: indent + 2, firstLineIndented: false, into: &output)
            case .sequence(let nested) where !nested.isEmpty:
                output += "\n"
                writeSequence(nested, indent: indent + 2, into: &output)
            default:
                output += element.isSequence ? " []\n" : " {}\n"
            }
        }
    }

    /// A scalar after `key:` or `-`, on that line; a literal block's lines go two deeper.
    private static func writeScalarLine(_ scalar: YAMLNode.Scalar, indent: Int, into output: inout String) {
        output += " "
        writeScalar(scalar, indent: indent + 2, into: &output)
        output += "\n"
    }

    /// Keys are scalars in Kubernetes objects. A collection as a key (which JSON cannot hold) is
    /// written as its quoted summary rather than dropped.
    private static func writeKey(_ key: YAMLNode, into output: inout String) {
        guard case .scalar(let scalar) = key else {
            output += doubleQuoted(key.summary)
            return
        }
        if case .string(let text) = scalar.resolved, text.contains("\n") {
            output += doubleQuoted(text)  // never a block scalar as a key
        } else {
            writeScalar(scalar, indent: 0, into: &output)
        }
    }

    // MARK: - Scalars

    /// `indent` is where a literal block's lines go.
    private static func writeScalar(_ scalar: YAMLNode.Scalar, indent: Int, into output: inout String) {
        let resolved = scalar.resolved
        guard case .string(let text) = resolved else {
            // null, booleans and numbers: as written when that reads back the same, else canonical.
            if isPlainSafe(scalar.value), YAMLNode.Scalar.Resolved.resolvePlain(scalar.value).isSameValue(as: resolved) {
                output += scalar.value
            } else {
                output += canonical(resolved)
            }
            return
        }
        if isPlainString(text) {
            output += text
        } else if let block = literalBlock(text, indent: indent) {
            output += block
        } else if isSingleQuotable(text) {
            output += "'" + text.replacingAll("'", with: "''") + "'"
        } else {
            output += doubleQuoted(text)
        }
    }

    private static func canonical(_ resolved: YAMLNode.Scalar.Resolved) -> String {
        switch resolved {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .int(let value): return String(value)
        case .float(let value):
            if value.isNaN { return ".nan" }
            if value.isInfinite { return value < 0 ? "-.inf" : ".inf" }
            return String(value)  // "1.0", "1e+20": both read back as floats
        case .string(let text): return doubleQuoted(text)
        }
    }

    /// True when `text` can be written bare and every YAML reader in use (libyaml and go-yaml under
    /// YAML 1.1, PyYAML, YAML 1.2 readers) reads it back as this string. Conservative on purpose:
    /// anything number-like, boolean-like, null-like, or starting with an indicator is quoted.
    static func isPlainString(_ text: String) -> Bool {
        guard isPlainSafe(text) else { return false }
        guard case .string = YAMLNode.Scalar.Resolved.resolvePlain(text) else { return false }
        // YAML 1.1 readers other than this one also take these as booleans, merge keys or values.
        if ["y", "Y", "n", "N", "=", "<<"].contains(text) { return false }
        // Number-like text that some reader might take for a number or a time: timestamps
        // (2024-01-02, 2024-01-02T10:00:00Z), sexagesimal (1:30), 1.0, 0x1F, 1e3, 1_000. Quantities
        // such as 250m or 256Mi have a letter no number has, and stay bare.
        let scalars = Array(text.unicodeScalars)
        func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }
        let startsLikeANumber = isDigit(scalars[0])
            || (scalars.count > 1 && ["+", "-", "."].contains(scalars[0]) && (isDigit(scalars[1]) || scalars[1] == "."))
        guard startsLikeANumber else { return true }
        if scalars.count >= 10, scalars[0..<4].allSatisfy(isDigit), scalars[4] == "-" { return false }  // a date
        let numberCharacters = "0123456789._:+-eEoxXbBabcdefABCDEF".unicodeScalars
        return !scalars.allSatisfy { numberCharacters.contains($0) }
    }

    /// The text has no character that ends or changes a plain scalar in block context.
    static func isPlainSafe(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else { return false }
        // Indicators that cannot start a plain scalar. `-` may, when a non-space follows (`-Xmx512m`),
        // but not as `---`, which starts a document.
        if "?:,[]{}#&*!|>'\"%@`".unicodeScalars.contains(first) { return false }
        if first == "-" && (text.unicodeScalars.count == 1 || text.hasPrefix("- ") || text.hasPrefix("---")) { return false }
        if text.hasPrefix("...") { return false }
        if first == " " || last == " " || last == ":" { return false }
        if text.contains(": ") || text.contains(" #") { return false }
        return text.unicodeScalars.allSatisfy { isPrintable($0) && $0 != "\t" }
    }

    /// Printable in every YAML reader's view: no C0 or C1 controls, no DEL, no characters libyaml
    /// counts as line breaks (U+0085, U+2028, U+2029), no byte-order mark.
    private static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x20...0x7E: return true
        case 0xA0...0xD7FF: return scalar.value != 0x2028 && scalar.value != 0x2029
        case 0xE000...0xFFFD: return scalar.value != 0xFEFF
        case 0x10000...0x10FFFF: return true
        default: return false
        }
    }

    private static func isSingleQuotable(_ text: String) -> Bool {
        !text.contains("'") && text.unicodeScalars.allSatisfy { isPrintable($0) || $0 == "\t" }
    }

    /// `|`, `|-` or `|+` with the lines at `indent`, for text that spans lines and reads back
    /// exactly: printable, no line that is only blanks, and a first line that does not start with a
    /// blank (the reader takes the block's indentation from it). nil when any of that fails.
    private static func literalBlock(_ text: String, indent: Int) -> String? {
        guard text.contains("\n"), text.unicodeScalars.allSatisfy({ isPrintable($0) || $0 == "\n" || $0 == "\t" }) else {
            return nil
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        // Text ending in "\n" splits into a last empty line; count the trailing newlines for chomping.
        var trailingNewlines = 0
        while lines.count > 1, lines.last?.isEmpty == true {
            lines.removeLast()
            trailingNewlines += 1
        }
        guard let firstLine = lines.first(where: { !$0.isEmpty }),
              firstLine.first != " ", firstLine.first != "\t"
        else { return nil }
        for line in lines where !line.isEmpty && line.allSatisfy({ $0 == " " || $0 == "\t" }) { return nil }
        let indicator = trailingNewlines == 0 ? "|-" : trailingNewlines == 1 ? "|" : "|+"
        let padding = String(repeating: " ", count: indent)
        var block = indicator
        for line in lines {
            block += "\n"
            if !line.isEmpty { block += padding + line }
        }
        // With keep chomping the extra trailing newlines are written as empty lines.
        block += String(repeating: "\n", count: max(0, trailingNewlines - 1))
        return block
    }

    /// `text` as a double-quoted YAML scalar, with escapes for what cannot be written as is.
    public static func doubleQuoted(_ text: String) -> String {
        var output = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\t": output += "\\t"
            case "\r": output += "\\r"
            default:
                if isPrintable(scalar) {
                    output.unicodeScalars.append(scalar)
                } else {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    if scalar.value <= 0xFF {
                        output += "\\x" + String(repeating: "0", count: 2 - hex.count) + hex
                    } else if scalar.value <= 0xFFFF {
                        output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    } else {
                        output += "\\U" + String(repeating: "0", count: 8 - hex.count) + hex
                    }
                }
            }
        }
        return output + "\""
    }
}

extension YAMLNode {
    fileprivate var isSequence: Bool {
        if case .sequence = self { return true }
        return false
    }
}

extension YAMLNode.Scalar.Resolved {
    /// Equality with NaN equal to itself: `.nan` written out reads back as `.nan`.
    fileprivate func isSameValue(as other: Self) -> Bool {
        if case .float(let mine) = self, case .float(let theirs) = other, mine.isNaN, theirs.isNaN { return true }
        return self == other
    }
}

extension String {
    fileprivate func replacingAll(_ target: Character, with replacement: String) -> String {
        var result = ""
        for character in self {
            if character == target { result += replacement } else { result.append(character) }
        }
        return result
    }
}
