import JSON

extension ParseShape {
    /// An AdmissionReview as the admission core reads it: the request's own fields, and of the
    /// pod what every review looks at (annotations; the names of containers, env vars, init
    /// containers and volumes; volume mount paths). Everything else passes through as checked
    /// raw bytes and is built only if a rarer path reads it (a collision check, a failure
    /// record); userInfo, oldObject and options are checked and dropped.
    public static let admissionReview: ParseShape = {
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
