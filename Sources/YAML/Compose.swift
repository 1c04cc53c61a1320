/// The single document in `yaml`, composed into nodes; nil when the text holds no document
/// (empty, or only comments). Throws when the text is not YAML, holds more than one document,
/// repeats a key in a mapping, or uses an alias without its anchor or past the expansion limit.
public func compose(yaml: String) throws(YAMLError) -> YAMLNode? {
    try compose(utf8: yaml.utf8)
}

/// As `compose(yaml:)`, for bytes read from a file: bytes that are not UTF-8 are refused with the
/// line they are on.
public func compose(utf8: some Collection<UInt8>) throws(YAMLError) -> YAMLNode? {
    let parser = try EventParser(utf8: utf8)
    var composer = Composer(next: parser.next)
    return try composer.composeSingleDocument()
}

/// Every document in a multi-document stream (`---` between them), for files of Kubernetes
/// objects; the same checks as `compose(utf8:)` apart from the second document.
public func composeDocuments(utf8: some Collection<UInt8>) throws(YAMLError) -> [YAMLNode] {
    let parser = try EventParser(utf8: utf8)
    var composer = Composer(next: parser.next)
    return try composer.composeAllDocuments()
}
