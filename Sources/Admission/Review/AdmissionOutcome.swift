import JSON

/// What one review produced: the HTTP answer to send, how it is counted, and, when the core
/// admitted the pod unchanged because of its own failure, the record to report.
public struct AdmissionOutcome: Sendable {
    public enum Result: String, Sendable {
        /// A patch was returned.
        case injected
        /// Allowed untouched on purpose: not a pod, opted out, already injected, nothing to do.
        case skipped
        /// Our own logic failed: allowed with no patch, and `failure` is set.
        case failedOpen = "failed-open"
        /// The request was not an AdmissionReview at all: HTTP 400 with the reason.
        case error
    }

    public var result: Result
    /// HTTP status for the answer: 200 for every review, 400 for a body that is not one.
    public var httpStatus: Int
    /// The response body (an AdmissionReview, or a plain-text error for `.error`).
    public var body: [UInt8]
    /// Number of JSON Patch operations in the patch, for metrics.
    public var patchOperations: Int
    public var failure: FailureRecord?
    /// Why the pod was admitted unchanged, for the `reason` label of the failed-open metric;
    /// set exactly when `result` is `.failedOpen`.
    public var failOpenReason: FailOpenReason?
    /// Set when the server knows a cluster but not yet the pod's namespace, so the Pod Security
    /// and quota checks could not run; the pod was injected as before. For a metric.
    public var unknownNamespace: String?
    /// Why a `.skipped` pod was left alone ("no profile selected"), for `inject` and `replay` to tell
    /// a person; nil for the other results.
    public var skipReason: String?

    public init(result: Result, httpStatus: Int, body: [UInt8], patchOperations: Int, failure: FailureRecord?, skipReason: String? = nil) {
        self.result = result
        self.httpStatus = httpStatus
        self.body = body
        self.patchOperations = patchOperations
        self.failure = failure
        self.skipReason = skipReason
    }
}
