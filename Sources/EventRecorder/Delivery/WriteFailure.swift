/// Why a write of an Event failed, as the delivery state machine needs to know it: the sink
/// sorts Kubernetes errors into these.
enum WriteFailure: Sendable, Equatable {
    /// The Event to PATCH is gone (expired by the API server's TTL): create it again.
    case notFound
    /// Worth another try: transport errors, 429 (with its Retry-After), 5xx, 401 (a rotated token).
    case retryable(retryAfter: Duration?, detail: String)
    /// A definite refusal (422, 403, 409, namespace terminating...): retrying would not help.
    case refused(detail: String)
}
