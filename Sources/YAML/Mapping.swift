extension YAMLNode {
    /// A YAML mapping in document order. `compose` refuses a key that repeats, so each scalar key
    /// names one value.
    public struct Mapping: Sendable, RandomAccessCollection {
        public typealias Element = (key: YAMLNode, value: YAMLNode)

        public var pairs: [Element]
        public var tag: String?
        public var mark: Mark

        public init(_ pairs: [Element], tag: String? = nil, mark: Mark = Mark(line: 1, column: 1)) {
            self.pairs = pairs
            self.tag = tag
            self.mark = mark
        }

        public var startIndex: Int { pairs.startIndex }
        public var endIndex: Int { pairs.endIndex }
        public subscript(position: Int) -> Element { pairs[position] }

        /// The value whose key is the scalar `key`.
        public subscript(key: String) -> YAMLNode? {
            for pair in pairs {
                if case .scalar(let scalar) = pair.key, scalar.value == key { return pair.value }
            }
            return nil
        }
    }
}
