import JSON

/// What the JSON parser says about some bytes: the value, or its error as text. Tests compare the
/// answers of the full parse and of a shaped one (whose skipped parts go through `JSONSkipper`):
/// they must agree on every input, errors included.
public enum ParseAnswer: Equatable {
    case value(JSONValue)
    case error(String)

    /// The full parse of `bytes`, or with `shape`, its kept raw parts built for the comparison
    /// (raw bytes keep escapes such as `\/` as sent).
    public init(_ bytes: [UInt8], shape: ParseShape? = nil) {
        do {
            self = .value(try shape.map { try JSONParser.parse(bytes, shape: $0).materialized } ?? JSONParser.parse(bytes))
        } catch {
            self = .error("\(error)")
        }
    }

    public var isError: Bool {
        if case .error = self { return true }
        return false
    }
}
