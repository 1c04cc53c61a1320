extension YAMLNode {
    /// A YAML sequence (block `- a` or flow `[a]`): its elements in order.
    public struct Sequence: Sendable, RandomAccessCollection {
        public var elements: [YAMLNode]
        public var tag: String?
        public var mark: Mark

        public init(_ elements: [YAMLNode], tag: String? = nil, mark: Mark = Mark(line: 1, column: 1)) {
            self.elements = elements
            self.tag = tag
            self.mark = mark
        }

        public var startIndex: Int { elements.startIndex }
        public var endIndex: Int { elements.endIndex }
        public subscript(position: Int) -> YAMLNode { elements[position] }
    }
}
