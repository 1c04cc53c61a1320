/// A core/v1 Secret; `data` values are base64 as the API sends them, KubeClient's `value(forKey:)` decodes one.
public struct Secret: Codable, Sendable, Equatable, KubernetesObject {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var data: [String: String]?
    public var stringData: [String: String]?
    public var type: String?

    public init(metadata: ObjectMeta, data: [String: String]? = nil, stringData: [String: String]? = nil,
                type: String? = nil) {
        self.apiVersion = "v1"
        self.kind = "Secret"
        self.metadata = metadata
        self.data = data
        self.stringData = stringData
        self.type = type
    }
}
