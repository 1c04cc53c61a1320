/// Builds the node tree from parse events: resolves aliases to the nodes their anchors name,
/// refuses repeated keys, a second document, and documents that nest or expand past the limits.
struct Composer {
    /// Nodes that aliases may add beyond those written out. Anything reading the tree walks every
    /// alias again, so a few lines of nested aliases (the "billion laughs") would otherwise cost
    /// billions of steps.
    static let aliasExpansionLimit = 100_000
    /// Composing, and everything that walks the tree after, recurses once per level.
    static let nestingLimit = 256

    private let next: () throws(YAMLError) -> ParserEvent
    private var anchors: [String: (node: YAMLNode, size: Int)] = [:]
    private var aliasExpansion = 0
    /// Keys and indices down to the node being composed, for naming where a repeated key is.
    private var path: [String] = []

    init(next: @escaping () throws(YAMLError) -> ParserEvent) {
        self.next = next
    }

    /// The stream's only document; nil when the stream has none (empty text or only comments).
    mutating func composeSingleDocument() throws(YAMLError) -> YAMLNode? {
        guard case .streamStart = try next() else { return nil }
        guard case .documentStart = try next() else { return nil }
        let root = try compose(try next()).node
        _ = try next()  // documentEnd: libyaml emits it, implicit or not, before anything else.
        if case .documentStart(let mark) = try next() {
            throw YAMLError(.multipleDocuments, at: mark)
        }
        return root
    }

    /// Every document of the stream, in order (`---`-separated Kubernetes manifests); empty
    /// documents are left out. Anchors do not carry from one document to the next.
    mutating func composeAllDocuments() throws(YAMLError) -> [YAMLNode] {
        guard case .streamStart = try next() else { return [] }
        var documents: [YAMLNode] = []
        while case .documentStart = try next() {
            anchors = [:]
            let event = try next()
            if case .documentEnd = event { continue }
            documents.append(try compose(event).node)
            _ = try next()  // documentEnd
        }
        return documents
    }

    /// The node that starts with `event`, and how many nodes it stands for with aliases expanded.
    private mutating func compose(_ event: ParserEvent) throws(YAMLError) -> (node: YAMLNode, size: Int) {
        switch event {
        case .alias(let name, let mark):
            guard let anchored = anchors[name] else { throw YAMLError(.undefinedAlias(name), at: mark) }
            aliasExpansion += anchored.size
            guard aliasExpansion <= Self.aliasExpansionLimit else {
                throw YAMLError(.aliasExpansionTooLarge(limit: Self.aliasExpansionLimit), at: mark)
            }
            return anchored
        case .scalar(let scalar, let anchor):
            return remember((.scalar(scalar), 1), as: anchor)
        case .sequenceStart(let anchor, let tag, let mark):
            try checkNesting(at: mark)
            var elements: [YAMLNode] = []
            var size = 1
            while true {
                let event = try next()
                if case .sequenceEnd = event { break }
                path.append("[\(elements.count)]")
                let element = try compose(event)
                path.removeLast()
                elements.append(element.node)
                size += element.size
            }
            return remember((.sequence(YAMLNode.Sequence(elements, tag: tag, mark: mark)), size), as: anchor)
        case .mappingStart(let anchor, let tag, let mark):
            try checkNesting(at: mark)
            var pairs: [YAMLNode.Mapping.Element] = []
            var firstMarks: [String: Mark] = [:]
            var size = 1
            while true {
                let event = try next()
                if case .mappingEnd = event { break }
                let key = try compose(event)
                if case .scalar(let scalar) = key.node {
                    if let first = firstMarks[scalar.value] {
                        throw YAMLError(.duplicateKey(scalar.value, path: pathText, first: first), at: scalar.mark)
                    }
                    firstMarks[scalar.value] = scalar.mark
                    path.append(scalar.value)
                } else {
                    path.append("?")
                }
                let value = try compose(try next())
                path.removeLast()
                pairs.append((key.node, value.node))
                size += key.size + value.size
            }
            return remember((.mapping(YAMLNode.Mapping(pairs, tag: tag, mark: mark)), size), as: anchor)
        case .streamStart, .streamEnd, .documentStart, .documentEnd, .sequenceEnd, .mappingEnd:
            // libyaml checks the event grammar; reaching this would be a libyaml bug.
            throw YAMLError(.syntax("unexpected parser event \(event)"), at: nil)
        }
    }

    private mutating func remember(_ composed: (node: YAMLNode, size: Int), as anchor: String?) -> (node: YAMLNode, size: Int) {
        if let anchor { anchors[anchor] = composed }
        return composed
    }

    private func checkNesting(at mark: Mark) throws(YAMLError) {
        let depth = path.count + 1
        guard depth <= Self.nestingLimit else { throw YAMLError(.nestingTooDeep(limit: Self.nestingLimit), at: mark) }
    }

    /// `profiles.a.env[0]`: keys joined by dots, indices in brackets.
    private var pathText: String {
        var text = ""
        for component in path {
            if !text.isEmpty, !component.hasPrefix("[") { text += "." }
            text += component
        }
        return text
    }
}
