extension YAMLNode.Scalar {
    /// What a scalar means under the YAML 1.1 rules Kubernetes' own YAML reader (go-yaml v2) and
    /// Yams applied: `yes`/`on` are booleans and `0755` is octal, so a file means here what it means
    /// to kubectl. Sexagesimal (`1:30`) and timestamps stay strings, as Kubernetes reads them.
    public enum Resolved: Sendable, Hashable {
        case null
        case bool(Bool)
        case int(Int)
        case float(Double)
        case string(String)

        static let tagPrefix = "tag:yaml.org,2002:"

        init(_ scalar: YAMLNode.Scalar) {
            let text = scalar.value
            switch scalar.tag {
            case nil where scalar.style == .plain:
                self = Self.resolvePlain(text)
            case Self.tagPrefix + "null":
                self = .null
            case Self.tagPrefix + "bool":
                self = Self.bool(text).map(Resolved.bool) ?? .string(text)
            case Self.tagPrefix + "int":
                self = Self.int(text).map(Resolved.int) ?? .string(text)
            case Self.tagPrefix + "float":
                self = (Self.float(text) ?? Self.int(text).map(Double.init)).map(Resolved.float) ?? .string(text)
            default:
                // Quoted and block scalars, `!!str`, and tags this reader does not know: the text itself.
                self = .string(text)
            }
        }

        static func resolvePlain(_ text: String) -> Resolved {
            if text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL" { return .null }
            if let bool = bool(text) { return .bool(bool) }
            if let int = int(text) { return .int(int) }
            // A decimal too large for Int becomes a float here, as in go-yaml.
            if let float = float(text) { return .float(float) }
            return .string(text)
        }

        static func bool(_ text: String) -> Bool? {
            switch text {
            case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON": return true
            case "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF": return false
            default: return nil
            }
        }

        /// Decimal, `0x` hexadecimal, `0o` or leading-zero octal, `0b` binary; `_` separates digits.
        static func int(_ text: String) -> Int? {
            var rest = Substring(text)
            var sign = ""
            if let first = rest.first, first == "-" || first == "+" {
                if first == "-" { sign = "-" }
                rest = rest.dropFirst()
            }
            let radix: Int
            let allowed: (Character) -> Bool
            if rest.hasPrefix("0x") {
                radix = 16
                rest = rest.dropFirst(2)
                allowed = { $0.isHexDigit || $0 == "_" }
            } else if rest.hasPrefix("0b") {
                radix = 2
                rest = rest.dropFirst(2)
                allowed = { $0 == "0" || $0 == "1" || $0 == "_" }
            } else if rest.hasPrefix("0o") {
                radix = 8
                rest = rest.dropFirst(2)
                allowed = { ("0"..."7").contains($0) || $0 == "_" }
            } else if rest.hasPrefix("0"), rest.count > 1 {
                radix = 8
                allowed = { ("0"..."7").contains($0) || $0 == "_" }
            } else {
                radix = 10
                guard let first = rest.first, first.isASCII, first.isNumber else { return nil }
                allowed = { ($0.isASCII && $0.isNumber) || $0 == "_" }
            }
            guard !rest.isEmpty, rest.allSatisfy(allowed) else { return nil }
            let digits = rest.filter { $0 != "_" }
            guard !digits.isEmpty else { return nil }
            return Int(sign + digits, radix: radix)
        }

        /// `1.5`, `1e3`, `.5`, `.inf`, `-.inf`, `.nan`; `_` separates digits.
        static func float(_ text: String) -> Double? {
            switch text {
            case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
            case "-.inf", "-.Inf", "-.INF": return -.infinity
            case ".nan", ".NaN", ".NAN": return .nan
            default: break
            }
            guard isDecimalFloat(Substring(text)) else { return nil }
            return Double(text.filter { $0 != "_" })
        }

        /// `[-+]?[0-9][0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?` or `\.[0-9_]+([eE][-+][0-9]+)?`.
        private static func isDecimalFloat(_ text: Substring) -> Bool {
            func isDigit(_ character: Character) -> Bool { character.isASCII && character.isNumber }
            var rest = text
            let startsWithPoint = rest.first == "."
            if !startsWithPoint {
                if let first = rest.first, first == "-" || first == "+" { rest = rest.dropFirst() }
                guard let first = rest.first, isDigit(first) else { return false }
                rest = rest.drop { isDigit($0) || $0 == "_" }
            }
            if rest.first == "." {
                let afterPoint = rest.dropFirst()
                rest = afterPoint.drop { isDigit($0) || $0 == "_" }
                if startsWithPoint, rest.count == afterPoint.count { return false }
            }
            if let first = rest.first, first == "e" || first == "E" {
                rest = rest.dropFirst()
                if let sign = rest.first, sign == "-" || sign == "+" {
                    rest = rest.dropFirst()
                } else if startsWithPoint {
                    return false
                }
                guard let first = rest.first, isDigit(first) else { return false }
                rest = rest.drop(while: isDigit)
            }
            return rest.isEmpty
        }
    }
}
