/// The name formats of apimachinery's `pkg/util/validation/validation.go`, each returning the
/// problem in a sentence, or nil when the value is valid.
enum KubernetesNames {
    /// `IsDNS1123Label`: at most 63 lowercase alphanumerics or '-', starting and ending with an alphanumeric.
    static func dns1123LabelProblem(_ value: String) -> String? {
        let bytes = Array(value.utf8)
        if bytes.count > 63 { return "\"\(value)\" is longer than 63 characters (a DNS-1123 label)" }
        if isDNS1123Label(bytes[...]) { return nil }
        return "\"\(value)\" is not a DNS-1123 label: use lowercase letters, digits and '-', starting and ending with a letter or digit (e.g. my-name)"
    }

    /// `IsDNS1123Subdomain`: at most 253 characters, DNS-1123 labels joined by '.'.
    static func dns1123SubdomainProblem(_ value: String) -> String? {
        let bytes = Array(value.utf8)
        if bytes.count > 253 { return "\"\(value)\" is longer than 253 characters (a DNS-1123 subdomain)" }
        if isDNS1123Subdomain(bytes[...]) { return nil }
        return "\"\(value)\" is not a DNS-1123 subdomain: use lowercase letters, digits, '-' and '.', starting and ending with a letter or digit (e.g. example.com)"
    }

    /// `IsQualifiedName`: an optional DNS-1123 subdomain prefix and '/', then a name of at most 63
    /// alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric.
    static func qualifiedNameProblem(_ value: String) -> String? {
        let parts = value.split(separator: "/", omittingEmptySubsequences: false)
        let name: Substring
        switch parts.count {
        case 1:
            name = parts[0]
        case 2:
            let prefix = Array(parts[0].utf8)
            if prefix.isEmpty { return "\"\(value)\" has an empty prefix before '/' (a qualified name)" }
            if prefix.count > 253 || !isDNS1123Subdomain(prefix[...]) {
                return "the prefix of \"\(value)\" must be a DNS-1123 subdomain (a qualified name such as example.com/my-name)"
            }
            name = parts[1]
        default:
            return "\"\(value)\" is not a qualified name: at most one '/' (e.g. example.com/my-name)"
        }
        let bytes = Array(name.utf8)
        if bytes.isEmpty { return "\"\(value)\" has an empty name part (a qualified name)" }
        if bytes.count > 63 { return "the name part of \"\(value)\" is longer than 63 characters (a qualified name)" }
        guard let first = bytes.first, let last = bytes.last, isAlphanumeric(first), isAlphanumeric(last),
            bytes.allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") })
        else {
            return "\"\(value)\" is not a qualified name: use letters, digits, '-', '_' and '.', starting and ending with a letter or digit, with an optional DNS subdomain prefix and '/'"
        }
        return nil
    }

    /// `IsRelaxedEnvVarName` (the rule since Kubernetes 1.32, RelaxedEnvironmentVariableValidation):
    /// non-empty, printable ASCII, no '='.
    static func envVarNameProblem(_ value: String) -> String? {
        if value.isEmpty { return "an env var name must not be empty" }
        for byte in value.utf8 where byte < 0x20 || byte > 0x7E || byte == UInt8(ascii: "=") {
            return "env var name \(value.debugDescription) may hold only printable ASCII characters other than '='"
        }
        return nil
    }

    /// `IsConfigMapKey`: at most 253 alphanumerics, '-', '_' or '.', and not "." or "..".
    static func configMapKeyProblem(_ value: String) -> String? {
        let bytes = Array(value.utf8)
        if bytes.isEmpty { return "a key must not be empty" }
        if bytes.count > 253 { return "key \"\(value)\" is longer than 253 characters" }
        if value == "." || value == ".." { return "key \"\(value)\" must not be '.' or '..'" }
        if value.hasPrefix("..") { return "key \"\(value)\" must not start with '..'" }
        guard bytes.allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }) else {
            return "key \"\(value)\" may hold only letters, digits, '-', '_' and '.'"
        }
        return nil
    }

    // MARK: - Character classes

    private static func isDNS1123Label(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard let first = bytes.first, let last = bytes.last, isLowerAlphanumeric(first), isLowerAlphanumeric(last) else { return false }
        return bytes.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    private static func isDNS1123Subdomain(_ bytes: ArraySlice<UInt8>) -> Bool {
        let labels = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return !labels.isEmpty && labels.allSatisfy { isDNS1123Label($0) }
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isLowerAlphanumeric(byte) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }
}
