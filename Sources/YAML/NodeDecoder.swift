/// The `Decoder` for one node; also its single-value container. Scalars decode as their resolved
/// value, except that a String takes any non-null scalar's text, as Yams did (a kubeconfig token
/// of digits is still a token).
struct NodeDecoder: Decoder, SingleValueDecodingContainer {
    let node: YAMLNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .mapping(let mapping) = node else { throw mismatch([String: String].self, expected: "a mapping") }
        return KeyedDecodingContainer(KeyedNodeContainer<Key>(mapping: mapping, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .sequence(let sequence) = node else { throw mismatch([String].self, expected: "a list") }
        return UnkeyedNodeContainer(sequence: sequence, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    // MARK: - Single value

    func decodeNil() -> Bool { node.resolved == .null }

    func decode(_ type: String.Type) throws -> String {
        guard case .scalar(let scalar) = node, scalar.resolved != .null else { throw mismatch(type, expected: "a string") }
        return scalar.value
    }

    func decode(_ type: Bool.Type) throws -> Bool {
        guard case .bool(let bool)? = node.resolved else { throw mismatch(type, expected: "true or false") }
        return bool
    }

    func decode(_ type: Double.Type) throws -> Double { try floatingPoint(type) }
    func decode(_ type: Float.Type) throws -> Float { try floatingPoint(type) }
    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: self) }

    private func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        guard case .int(let int)? = node.resolved else { throw mismatch(type, expected: "an integer") }
        guard let value = T(exactly: int) else {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: codingPath, debugDescription: "\(int) at \(node.mark) does not fit in \(T.self)"))
        }
        return value
    }

    private func floatingPoint<T: BinaryFloatingPoint>(_ type: T.Type) throws -> T {
        switch node.resolved {
        case .float(let double)?: return T(double)
        case .int(let int)?: return T(int)
        default: throw mismatch(type, expected: "a number")
        }
    }

    /// valueNotFound for null, typeMismatch for anything else, both saying where.
    func mismatch(_ type: Any.Type, expected: String) -> DecodingError {
        if node.resolved == .null {
            return .valueNotFound(type, DecodingError.Context(
                codingPath: codingPath, debugDescription: "expected \(expected), found null at \(node.mark)"))
        }
        return .typeMismatch(type, DecodingError.Context(
            codingPath: codingPath, debugDescription: "expected \(expected), found \(node.summary) at \(node.mark)"))
    }
}
