import JSON
import YAML

/// Reads a file of Kubernetes manifests into JSON objects, in order: YAML with one or more
/// `---`-separated documents, or JSON (one object, or an array of them). A List stays one
/// document (`objects` opens it); empty documents are left out. Anything else is refused with the
/// place and the problem. Both offline inputs read through it: `inject`'s manifests and `--objects`.
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
            } catch let error as JSONParseError {
                let (line, column) = error.lineAndColumn(in: bytes)
                throw InputFileError(source: source, line: line, column: column, problem: "not valid JSON: \(error.problem)")
            } catch {
                throw InputFileError(source: source, problem: "not valid JSON: \(error)")
            }
            documents = root.arrayValue ?? [root]
        } else {
            let nodes: [YAMLNode]
            do {
                nodes = try YAML.composeDocuments(utf8: bytes)
            } catch {
                throw InputFileError(source: source, line: error.mark?.line, column: error.mark?.column, problem: "not valid YAML: \(error.explanation)")
            }
            for node in nodes {
                do {
                    documents.append(try JSONValue(yaml: node))
                } catch {
                    throw InputFileError(source: source, line: error.mark.line, column: error.mark.column, problem: error.problem)
                }
            }
        }
        documents.removeAll { $0.isNull }
        for (index, document) in documents.enumerated() where document.objectValue == nil {
            throw InputFileError(source: source, problem: "document \(index + 1) is \(Self.summary(document)), not a Kubernetes object")
        }
        return documents.map(\.materialized)
    }

    /// The objects of the file with every List (`kind: ...List`, e.g. what `kubectl get -o yaml`
    /// writes) opened into its items, in order.
    public func objects(_ bytes: [UInt8]) throws(InputFileError) -> [JSONValue] {
        var objects: [JSONValue] = []
        for document in try documents(bytes) {
            if let kind = document["kind"]?.stringValue, kind.hasSuffix("List"), let items = document["items"]?.arrayValue {
                objects += items
            } else {
                objects.append(document)
            }
        }
        return objects
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
