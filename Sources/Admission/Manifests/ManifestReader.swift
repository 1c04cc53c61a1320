import JSON
import YAML

/// Reads a file of Kubernetes manifests into JSON objects, in order: YAML with one or more
/// `---`-separated documents, or JSON (one object, or an array of them). A List stays one
/// document; empty documents are left out. Anything else is refused with the place and the problem.
public struct ManifestReader: Sendable {
    /// Names the input in errors, e.g. the file's path.
    public var source: String

    public init(source: String) {
        self.source = source
    }

    public func documents(_ bytes: [UInt8]) throws(InputFileError) -> [JSONValue] {
        var documents: [JSONValue] = []
        let first = bytes.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
            let root: JSONValue
            do {
                root = try JSONParser.parse(bytes)
            } catch {
                throw InputFileError(source: source, problem: "not valid JSON: \(error)")
            }
            documents = root.arrayValue ?? [root]
        } else {
            let nodes: [YAMLNode]
            do {
                nodes = try YAML.composeDocuments(utf8: bytes)
            } catch {
                throw InputFileError(source: source, problem: "\(error)")
            }
            for node in nodes {
                do {
                    documents.append(try JSONValue(yaml: node))
                } catch {
                    throw InputFileError(source: source, problem: "\(error)")
                }
            }
        }
        documents.removeAll { $0.isNull }
        for (index, document) in documents.enumerated() where document.objectValue == nil {
            throw InputFileError(source: source, problem: "document \(index + 1) is \(Self.summary(document)), not a Kubernetes object")
        }
        return documents.map(\.materialized)
    }

    private static func summary(_ value: JSONValue) -> String {
        switch value.materialized {
        case .array: return "a list"
        case .string(let text): return "the string \"\(text)\""
        case .number(let text): return "a number (\(text))"
        case .bool(let bool): return "a boolean (\(bool))"
        default: return "not an object"
        }
    }
}
