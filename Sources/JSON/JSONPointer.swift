/// An RFC 6901 JSON Pointer, kept as its unescaped reference tokens.
public struct JSONPointer: Sendable, Equatable, CustomStringConvertible {
    public var tokens: [String]

    public init(tokens: [String]) {
        self.tokens = tokens
    }

    /// Parses the textual form (`/metadata/annotations/kube-injector.io~1status`).
    public init(parsing text: String) throws {
        if text.isEmpty {
            tokens = []
            return
        }
        guard text.utf8.first == UInt8(ascii: "/") else {
            throw JSONPatchError(operationIndex: nil, path: text, problem: "a JSON Pointer must be empty or start with '/'")
        }
        var tokens: [String] = []
        for raw in text.utf8.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            let token = String(decoding: raw, as: UTF8.self)
            tokens.append(try Self.unescape(token, in: text))
        }
        self.tokens = tokens
    }

    /// The textual form, with `~` written as `~0` and `/` as `~1`.
    public var description: String {
        var text = ""
        for token in tokens {
            text += "/"
            text += Self.escape(token)
        }
        return text
    }

    /// Writes the textual form as a quoted JSON string straight into `output`: the patch is
    /// serialised on every review, and building each path as a String first costs more than
    /// the rest of the serialisation.
    func writeJSONString(into output: inout ByteWriter) {
        output.append(UInt8(ascii: "\""))
        for token in tokens {
            output.append(UInt8(ascii: "/"))
            var token = token
            let plain = token.withUTF8 { utf8 -> Bool in
                for byte in utf8 where byte < 0x20 || byte == UInt8(ascii: "~") || byte == UInt8(ascii: "/")
                    || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                    return false
                }
                output.append(utf8)
                return true
            }
            if plain { continue }
            for byte in token.utf8 {
                switch byte {
                case UInt8(ascii: "~"): output.append("~0")
                case UInt8(ascii: "/"): output.append("~1")
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), 0..<0x20:
                    // Escaped as JSON escapes it, without the quotes around it.
                    var escaped = ByteWriter(capacity: 8)
                    JSONSerializer.writeString(String(decoding: [byte], as: UTF8.self), into: &escaped)
                    escaped.withBytes { output.append(UnsafeBufferPointer(rebasing: $0.dropFirst().dropLast())) }
                default: output.append(byte)
                }
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    /// Escapes one reference token: `~` first, so the `~` of `~1` is not escaped again.
    public static func escape(_ token: String) -> String {
        guard token.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) else { return token }
        var escaped = ""
        for character in token.unicodeScalars {
            switch character {
            case "~": escaped += "~0"
            case "/": escaped += "~1"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    static func unescape(_ token: String, in pointer: String) throws -> String {
        guard token.utf8.contains(UInt8(ascii: "~")) else { return token }
        var result = ""
        var iterator = token.unicodeScalars.makeIterator()
        while let character = iterator.next() {
            guard character == "~" else {
                result.unicodeScalars.append(character)
                continue
            }
            switch iterator.next() {
            case "0": result += "~"
            case "1": result += "/"
            default:
                throw JSONPatchError(operationIndex: nil, path: pointer, problem: "'~' must be followed by 0 or 1 in a JSON Pointer")
            }
        }
        return result
    }
}
