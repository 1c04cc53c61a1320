/// The three PATCH flavours the API server understands, each with its own content type.
public enum PatchType: Sendable {
    /// RFC 6902 JSON Patch: `application/json-patch+json`.
    case json
    /// RFC 7386 JSON Merge Patch: `application/merge-patch+json`.
    case merge
    /// Kubernetes strategic merge patch (lists merged by key): `application/strategic-merge-patch+json`.
    case strategicMerge

    public var contentType: String {
        switch self {
        case .json: return "application/json-patch+json"
        case .merge: return "application/merge-patch+json"
        case .strategicMerge: return "application/strategic-merge-patch+json"
        }
    }
}
