/// Which parts of a document the parser builds into a tree, which it keeps as raw bytes, and
/// which it checks and drops. Everything not built is still checked as strict JSON.
indirect enum ParseShape: Sendable {
    /// Build the whole value.
    case full
    /// Check it and keep its bytes (`JSONValue.raw`).
    case raw
    /// Check it and leave it out of the tree.
    case drop
    /// An object whose listed members follow their own shape and the rest `others`.
    case object([(key: String, shape: ParseShape)], others: ParseShape)
    /// An array whose elements all follow one shape.
    case array(ParseShape)

    func shape(forMember key: String) -> ParseShape? {
        guard case .object(let members, let others) = self else { return nil }
        let length = key.utf8.count
        for member in members where member.key.utf8.count == length && member.key == key { return member.shape }
        return others
    }

    /// An AdmissionReview as the admission core reads it: the request's own fields, and of the
    /// pod what injection looks at (metadata, and per container its name, env and volume
    /// mounts, init containers, volume names). Probes, resources, tolerations, status,
    /// managedFields and the like pass through as raw bytes; userInfo, oldObject and options
    /// are dropped.
    static let admissionReview: ParseShape = {
        let container: ParseShape = .object([("name", .full), ("env", .full), ("volumeMounts", .full)], others: .raw)
        let volume: ParseShape = .object([("name", .full)], others: .raw)
        let pod: ParseShape = .object([
            ("metadata", .object([("managedFields", .raw)], others: .full)),
            ("spec", .object([("containers", .array(container)), ("initContainers", .full), ("volumes", .array(volume))], others: .raw)),
        ], others: .raw)
        let request: ParseShape = .object([
            ("uid", .full), ("kind", .full), ("subResource", .full), ("operation", .full), ("namespace", .full),
            ("name", .full), ("dryRun", .full), ("object", pod),
        ], others: .drop)
        return .object([("request", request)], others: .full)
    }()
}
