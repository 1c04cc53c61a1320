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
    case object(ObjectShape)
    /// An array whose elements all follow one shape.
    case array(ParseShape)

    var isDrop: Bool {
        if case .drop = self { return true }
        return false
    }

    static func object(_ members: [(key: String, shape: ParseShape)], others: ParseShape) -> ParseShape {
        .object(ObjectShape(members, others: others))
    }

    /// An AdmissionReview as the admission core reads it: the request's own fields, and of the
    /// pod what every review looks at (annotations; the names of containers, env vars, init
    /// containers and volumes; volume mount paths). Everything else passes through as checked
    /// raw bytes and is built only if a rarer path reads it (a collision check, a failure
    /// record); userInfo, oldObject and options are checked and dropped.
    static let admissionReview: ParseShape = {
        let named: ParseShape = .object([("name", .full)], others: .raw)
        let mount: ParseShape = .object([("name", .full), ("mountPath", .full)], others: .raw)
        let container: ParseShape = .object([("name", .full), ("env", .array(named)), ("volumeMounts", .array(mount))], others: .raw)
        let pod: ParseShape = .object([
            ("metadata", .object([("annotations", .full)], others: .raw)),
            ("spec", .object([
                ("containers", .array(container)), ("initContainers", .array(named)), ("volumes", .array(named)),
            ], others: .raw)),
        ], others: .raw)
        let request: ParseShape = .object([
            ("uid", .full), ("kind", .full), ("subResource", .full), ("operation", .full), ("namespace", .full),
            ("name", .raw), ("dryRun", .full), ("object", pod),
        ], others: .drop)
        return .object([("request", request)], others: .full)
    }()
}
