/// Why a text could not be composed into a document: what is wrong and where, in libyaml's words
/// where it found the problem, and in ours for what it leaves to its caller (aliases, repeated
/// keys, a second document).
public struct YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Problem: Sendable, Equatable {
        /// libyaml refused the text: bytes that are not UTF-8 or control characters (reader),
        /// a bad token such as a tab in indentation (scanner), or a bad structure (parser).
        case syntax(String)
        /// A line is indented with a tab; YAML indents with spaces only.
        case tabIndentation
        /// The text names `*alias` with no `&anchor` before it, or inside the node it anchors.
        case undefinedAlias(String)
        /// Aliases would expand the document past the limit: the "billion laughs" attack.
        case aliasExpansionTooLarge(limit: Int)
        /// Collections nest deeper than the limit; each level costs stack to compose and to read.
        case nestingTooDeep(limit: Int)
        /// A mapping repeats a key. `path` is where the mapping sits, e.g. `profiles.a.env[0]`
        /// (empty at the top level), and `first` is where the key was first given.
        case duplicateKey(String, path: String, first: Mark)
        /// A second document (`---`) follows the first; callers read one.
        case multipleDocuments
        /// libyaml could not allocate memory.
        case outOfMemory
    }

    /// What libyaml was in the middle of, e.g. "while parsing a flow sequence", and where that began.
    public struct Context: Sendable, Equatable {
        public var text: String
        public var mark: Mark

        public init(text: String, mark: Mark) {
            self.text = text
            self.mark = mark
        }
    }

    public var problem: Problem
    /// Where the problem is; nil only when libyaml ran out of memory.
    public var mark: Mark?
    public var context: Context?

    public init(_ problem: Problem, at mark: Mark?, context: Context? = nil) {
        self.problem = problem
        self.mark = mark
        self.context = context
    }

    /// The problem in one line, without the place.
    public var explanation: String {
        var text: String
        switch problem {
        case .syntax(let detail):
            text = detail
        case .tabIndentation:
            text = "a tab indents this line; YAML allows only spaces for indentation (replace the tab with spaces)"
        case .undefinedAlias(let name):
            text = "alias *\(name) names no anchor defined before it (and outside it)"
        case .aliasExpansionTooLarge(let limit):
            text = "aliases expand the document past \(limit) nodes; write the repeated parts out or use fewer aliases"
        case .nestingTooDeep(let limit):
            text = "collections nest more than \(limit) levels deep"
        case .duplicateKey(let key, let path, let first):
            text = "key \"\(key)\" appears more than once\(path.isEmpty ? "" : " in \(path)") (first at line \(first.line))"
        case .multipleDocuments:
            text = "expected a single document, found another one"
        case .outOfMemory:
            text = "out of memory"
        }
        if let context {
            text += " (\(context.text) started at line \(context.mark.line), column \(context.mark.column))"
        }
        return text
    }

    public var description: String {
        guard let mark else { return explanation }
        return "\(mark): \(explanation)"
    }
}
