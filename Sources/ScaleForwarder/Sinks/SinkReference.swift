
/// Where an HPA's `hpa-event` annotation points: a Secret in the HPA's namespace
/// (`hpa-event: <secret>`) or in another one (`hpa-event: <namespace>/<secret>`).
public struct SinkReference: Sendable, Hashable, CustomStringConvertible {
    /// The annotation an HPA opts in with.
    public static let annotation = "hpa-event"

    public var namespace: String
    public var secretName: String

    public init(namespace: String, secretName: String) {
        self.namespace = namespace
        self.secretName = secretName
    }

    /// Reads the annotation value of an HPA in `hpaNamespace`.
    public init(annotationValue: String, hpaNamespace: String) throws(SinkReferenceError) {
        let value = annotationValue.trimmingWhitespaceAndNewlines()
        let parts = value.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        switch parts.count {
        case 1:
            namespace = hpaNamespace
            secretName = parts[0]
        case 2:
            namespace = parts[0]
            secretName = parts[1]
            guard Self.isLabel(namespace) else {
                throw .invalidNamespace(annotationValue)
            }
        default:
            throw .malformed(annotationValue)
        }
        guard Self.isSubdomain(secretName) else {
            throw .invalidSecretName(annotationValue)
        }
    }

    /// Whether an HPA in `hpaNamespace` may use this Secret: its own namespace always, another
    /// only when that namespace is allowed (`"*"` allows all).
    public func check(hpaNamespace: String, allowedNamespaces: Set<String>) throws(SinkReferenceError) {
        if namespace == hpaNamespace || allowedNamespaces.contains(namespace) || allowedNamespaces.contains("*") {
            return
        }
        throw .crossNamespaceNotAllowed(secretNamespace: namespace, hpaNamespace: hpaNamespace)
    }

    public var description: String { "\(namespace)/\(secretName)" }

    /// DNS-1123 label: a namespace name.
    static func isLabel(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 63 && name.utf8.allSatisfy(isLabelCharacter)
            && name.utf8.first != UInt8(ascii: "-") && name.utf8.last != UInt8(ascii: "-")
    }

    /// DNS-1123 subdomain: a Secret name.
    static func isSubdomain(_ name: String) -> Bool {
        name.utf8.count <= 253 && name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy {
            let label = String($0)
            return !label.isEmpty && label.utf8.allSatisfy(isLabelCharacter)
                && label.utf8.first != UInt8(ascii: "-") && label.utf8.last != UInt8(ascii: "-")
        }
    }

    private static func isLabelCharacter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            || byte == UInt8(ascii: "-")
    }
}

/// Why an `hpa-event` annotation cannot be used; the text tells the HPA's owner what to change.
public enum SinkReferenceError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed(String)
    case invalidNamespace(String)
    case invalidSecretName(String)
    case crossNamespaceNotAllowed(secretNamespace: String, hpaNamespace: String)

    public var description: String {
        switch self {
        case .malformed(let value):
            return "annotation hpa-event=\"\(value)\" is neither <secret> nor <namespace>/<secret>"
        case .invalidNamespace(let value):
            return "annotation hpa-event=\"\(value)\" names an invalid namespace (a DNS-1123 label is expected)"
        case .invalidSecretName(let value):
            return "annotation hpa-event=\"\(value)\" names an invalid Secret (a DNS-1123 subdomain is expected)"
        case .crossNamespaceNotAllowed(let secretNamespace, let hpaNamespace):
            return "the Secret is in namespace \(secretNamespace) but the HPA is in \(hpaNamespace); "
                + "add \(secretNamespace) to the forwarder's allowedSecretNamespaces to permit it"
        }
    }
}
