/// What the curl engine reports about one transfer, in order: one `head` (unless it failed before any
/// response), any number of `body` chunks as they arrive, then exactly one `finished`.
enum TransferEvent: Sendable {
    case head(status: Int, headers: [String: String])
    case body([UInt8])
    /// nil: the response was received completely.
    case finished(KubernetesError?)
}
