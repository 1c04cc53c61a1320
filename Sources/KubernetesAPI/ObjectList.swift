/// One page of a list response: the items and the resourceVersion to watch from.
public struct ObjectList<T: Decodable>: Decodable {
    public var items: [T]
    public var metadata: ListMeta

    public init(items: [T], metadata: ListMeta) {
        self.items = items
        self.metadata = metadata
    }

    private enum CodingKeys: String, CodingKey { case items, metadata }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        // The API server sends `"items": null` for an empty list of some resources.
        items = try container.decodeIfPresent([T].self, forKey: .items) ?? []
        metadata = try container.decodeIfPresent(ListMeta.self, forKey: .metadata) ?? ListMeta()
    }
}

extension ObjectList: Sendable where T: Sendable {}
