/// A mapping seen through `Key`: scalar keys whose text makes a `Key`.
struct KeyedNodeContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let mapping: YAMLNode.Mapping
    let codingPath: [any CodingKey]
    /// Looked up once per field (and per entry of a Dictionary), so indexed once, not searched.
    private let values: [String: YAMLNode]

    init(mapping: YAMLNode.Mapping, codingPath: [any CodingKey]) {
        self.mapping = mapping
        self.codingPath = codingPath
        var values: [String: YAMLNode] = [:]
        for (key, value) in mapping {
            // compose refuses repeated keys, so nothing is overwritten here.
            if case .scalar(let scalar) = key { values[scalar.value] = value }
        }
        self.values = values
    }

    var allKeys: [Key] {
        mapping.compactMap { pair in
            guard case .scalar(let scalar) = pair.key else { return nil }
            return Key(stringValue: scalar.value)
        }
    }

    func contains(_ key: Key) -> Bool { values[key.stringValue] != nil }

    func decodeNil(forKey key: Key) throws -> Bool { try value(for: key).decodeNil() }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try value(for: key).decode(type) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try value(for: key).decode(type) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try value(for: key).decode(type) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try value(for: key).decode(type) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try value(for: key).decode(type) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try value(for: key).decode(type) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try value(for: key).decode(type) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try value(for: key).decode(type) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try value(for: key).decode(type) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try value(for: key).decode(type) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try value(for: key).decode(type) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try value(for: key).decode(type) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try value(for: key).decode(type) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try value(for: key).decode(type) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try value(for: key).decode(type) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try value(for: key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try value(for: key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        try value(for: PathCodingKey(stringValue: "super"))
    }

    func superDecoder(forKey key: Key) throws -> any Decoder { try value(for: key) }

    private func value(for key: some CodingKey) throws -> NodeDecoder {
        guard let node = values[key.stringValue] else {
            throw DecodingError.keyNotFound(key, DecodingError.Context(
                codingPath: codingPath, debugDescription: "no key \"\(key.stringValue)\" in the mapping at \(mapping.mark)"))
        }
        return NodeDecoder(node: node, codingPath: codingPath + [key])
    }
}
