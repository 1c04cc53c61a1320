/// Why the core admits a pod unchanged instead of injecting it: a sentence for the pod's
/// owner, which becomes the failure record's message, and the bounded reason it is counted by.
struct InjectionFailure: Error {
    var reason: FailOpenReason
    var message: String
    init(_ reason: FailOpenReason, _ message: String) {
        self.reason = reason
        self.message = message
    }
}
