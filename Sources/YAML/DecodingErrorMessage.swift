/// One line for a person reading a log: where in the document, then what is wrong, e.g.
/// `clusters[0].cluster.server: expected a string, found a mapping at line 5, column 7`.
/// Swift's own description of a `DecodingError` dumps its coding keys' internals instead.
public enum DecodingErrorMessage {
    public static func describe(_ error: any Error) -> String {
        guard let decodingError = error as? DecodingError else { return String(describing: error) }
        let context: DecodingError.Context
        switch decodingError {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .keyNotFound(_, let c), .dataCorrupted(let c):
            context = c
        @unknown default:
            return String(describing: error)
        }
        let path = Self.path(context.codingPath)
        return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
    }

    /// `clusters[0].cluster`: keys joined by dots, indices in brackets.
    static func path(_ codingPath: [any CodingKey]) -> String {
        var text = ""
        for key in codingPath {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                if !text.isEmpty { text += "." }
                text += key.stringValue
            }
        }
        return text
    }
}
