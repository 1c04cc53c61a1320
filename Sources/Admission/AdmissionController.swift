/// Turns one AdmissionReview request body into its answer. Pure: no I/O, no clock, no
/// globals; safe to call from any thread.
public struct AdmissionController: Sendable {
    public let configuration: InjectionConfig

    public init(configuration: InjectionConfig) {
        self.configuration = configuration
    }

    /// Reviews one request body. Never throws: every failure becomes an outcome.
    public func review(_ body: [UInt8]) -> AdmissionOutcome {
        // Placeholder until the injection engine lands (issue 2).
        AdmissionOutcome(result: .error, httpStatus: 400, body: Array("not implemented".utf8), patchOperations: 0, failure: nil)
    }

    /// The answer when the request must be answered before the engine can finish (the API
    /// server's `?timeout=` is about to run out): allowed, no patch, echoing `uid`.
    public static func allowUnchanged(uid: String, apiVersion: String) -> [UInt8] {
        Array(#"{"apiVersion":"\#(apiVersion)","kind":"AdmissionReview","response":{"uid":"\#(uid)","allowed":true}}"#.utf8)
    }
}
