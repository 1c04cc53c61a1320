import JSON

/// Reads Kubernetes objects that stand in for a cluster (Namespaces, ResourceQuotas and
/// LimitRanges) into the `ClusterSnapshot` the admission core decides with, so an offline
/// command decides as `serve` would with that cluster. Takes YAML (one or more `---`-separated
/// documents) or JSON, each document an object or a List of objects (`kubectl get ns,quota,limits
/// -A -o yaml` writes one). A quota or LimitRange whose Namespace is not in the file implies a
/// namespace without labels.
public struct ClusterObjectsLoader: Sendable {
    public static let kinds = ["Namespace", "ResourceQuota", "LimitRange"]

    /// Names the input in errors, e.g. the file's path.
    public var source: String

    public init(source: String) {
        self.source = source
    }

    public func load(_ bytes: [UInt8]) throws(InputFileError) -> ClusterSnapshot {
        var namespaceLabels: [String: [String: String]] = [:]
        var quotas: [String: [ResourceQuotaSummary]] = [:]
        var limitRanges: [String: [LimitRangeDefaults]] = [:]
        for (position, object) in try ManifestReader(source: source).objects(bytes).enumerated() {
            let place = "object \(position + 1)"
            guard let kind = object["kind"]?.stringValue else {
                throw InputFileError(source: source, problem: "\(place) has no kind; expected one of \(Self.kinds.joined(separator: ", "))")
            }
            let metadata = object["metadata"]
            guard let name = metadata?["name"]?.stringValue, !name.isEmpty else {
                throw InputFileError(source: source, problem: "\(place) (\(kind)) has no metadata.name")
            }
            let namespace = metadata?["namespace"]?.stringValue ?? "default"
            switch kind {
            case "Namespace":
                var labels: [String: String] = [:]
                for member in metadata?["labels"]?.objectValue?.members ?? [] {
                    guard let value = member.value.stringValue else {
                        throw InputFileError(source: source, problem: "Namespace \(name): label \(member.key) is not a string")
                    }
                    labels[member.key] = value
                }
                namespaceLabels[name] = labels
            case "ResourceQuota":
                let spec = object["spec"]
                let hard = spec?["hard"]?.objectValue?.keys ?? []
                var scopes = (spec?["scopes"]?.arrayValue ?? []).compactMap(\.stringValue).map { ResourceQuotaScope(scopeName: $0) }
                for expression in spec?["scopeSelector"]?["matchExpressions"]?.arrayValue ?? [] {
                    scopes.append(ResourceQuotaScope(
                        scopeName: expression["scopeName"]?.stringValue ?? "", operator: expression["operator"]?.stringValue ?? "",
                        values: (expression["values"]?.arrayValue ?? []).compactMap(\.stringValue)))
                }
                quotas[namespace, default: []].append(ResourceQuotaSummary(name: name, hardKeys: hard, scopes: scopes))
            case "LimitRange":
                let items = (object["spec"]?["limits"]?.arrayValue ?? []).map { item in
                    (type: item["type"]?.stringValue ?? "", max: Self.keys(item["max"]), min: Self.keys(item["min"]),
                     defaultLimits: Self.keys(item["default"]), defaultRequests: Self.keys(item["defaultRequest"]))
                }
                limitRanges[namespace, default: []].append(LimitRangeDefaults(name: name, items: items))
            default:
                throw InputFileError(
                    source: source, problem: "\(place) is a \(kind) (\(name)); --objects reads \(Self.kinds.joined(separator: ", ")) and Lists of them")
            }
        }
        let names = Set(namespaceLabels.keys).union(quotas.keys).union(limitRanges.keys)
        return ClusterSnapshot(namespaces: names.map { name in
            NamespacePolicy(name: name, labels: namespaceLabels[name] ?? [:], resourceQuotas: quotas[name] ?? [], limitRanges: limitRanges[name] ?? [])
        })
    }

    private static func keys(_ value: JSONValue?) -> Set<String> {
        Set(value?.objectValue?.keys ?? [])
    }
}
