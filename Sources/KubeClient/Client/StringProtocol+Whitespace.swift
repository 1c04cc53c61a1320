/// Trimming as Foundation's `trimmingCharacters(in:)` does it, for the two character sets the package uses,
/// since FoundationEssentials has no `CharacterSet`. Works on Unicode scalars, as Foundation does.
extension StringProtocol {
    /// `trimmingCharacters(in: .whitespacesAndNewlines)`: Unicode White_Space (spaces, tabs, CR, LF, NEL, ...),
    /// plus the zero width space that Foundation's set also holds.
    package func trimmingWhitespaceAndNewlines() -> String {
        trimmingScalars { $0.properties.isWhitespace || $0 == "\u{200B}" }
    }

    /// `trimmingCharacters(in: .whitespaces)`: space separators, the horizontal tab and the zero width space,
    /// not line breaks.
    package func trimmingWhitespace() -> String {
        trimmingScalars { $0 == "\t" || $0 == "\u{200B}" || $0.properties.generalCategory == .spaceSeparator }
    }

    private func trimmingScalars(where isTrimmed: (Unicode.Scalar) -> Bool) -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !isTrimmed($0) }),
              let last = scalars.lastIndex(where: { !isTrimmed($0) }) else { return "" }
        var trimmed = String.UnicodeScalarView()
        trimmed.append(contentsOf: scalars[first...last])
        return String(trimmed)
    }
}
