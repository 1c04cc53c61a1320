extension YAMLNode {
    /// A scalar as written: its text, explicit tag and style. Only plain scalars without a tag are
    /// resolved to null, booleans and numbers; anything quoted or block-styled is a string.
    public struct Scalar: Sendable, Hashable {
        public enum Style: Sendable, Hashable {
            case plain
            case singleQuoted
            case doubleQuoted
            /// `|`
            case literal
            /// `>`
            case folded
        }

        public var value: String
        public var tag: String?
        public var style: Style
        public var mark: Mark

        public init(value: String, tag: String? = nil, style: Style = .plain, mark: Mark = Mark(line: 1, column: 1)) {
            self.value = value
            self.tag = tag
            self.style = style
            self.mark = mark
        }

        public var resolved: Resolved { Resolved(self) }
    }
}
