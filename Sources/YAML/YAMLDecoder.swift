/// Decodes `Decodable` values from YAML, for files such as kubeconfig. Errors are `YAMLError` for
/// text that is not YAML, and `DecodingError` (with the coding path and the line) for YAML that
/// does not fit the type.
public struct YAMLDecoder: Sendable {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from yaml: String) throws -> T {
        guard let node = try compose(yaml: yaml) else {
            throw DecodingError.valueNotFound(T.self, DecodingError.Context(codingPath: [], debugDescription: "the document is empty"))
        }
        return try decode(type, from: node)
    }

    public func decode<T: Decodable>(_ type: T.Type, from node: YAMLNode) throws -> T {
        try T(from: NodeDecoder(node: node, codingPath: []))
    }
}
