/// The policy version a namespace pins with `pod-security.kubernetes.io/enforce-version`:
/// `latest` or `v1.N` (pod-security-admission/api `Version`). `latest` is newer than any number.
public enum PodSecurityVersion: Sendable, Equatable, CustomStringConvertible {
    case latest
    case minor(Int)

    /// `ParseVersion`: "latest" or `v1.` followed by a number without leading zeros; anything
    /// else is nil (the caller then uses latest, as the API server does).
    public init?(label: String) {
        if label == "latest" {
            self = .latest
            return
        }
        guard label.hasPrefix("v1."), let number = Int(label.dropFirst(3)), number >= 0 else { return nil }
        let digits = label.dropFirst(3)
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }), digits == "0" || !digits.hasPrefix("0") else { return nil }
        self = .minor(number)
    }

    /// Whether a check introduced in 1.`minimum` applies at this version.
    func includes(minimum: Int) -> Bool {
        switch self {
        case .latest: return true
        case .minor(let minor): return minor >= minimum
        }
    }

    public var description: String {
        switch self {
        case .latest: return "latest"
        case .minor(let minor): return "v1.\(minor)"
        }
    }
}
