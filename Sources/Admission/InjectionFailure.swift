/// Why the core admits a pod unchanged instead of injecting it: a sentence for the pod's
/// owner, which becomes the failure record's message.
struct InjectionFailure: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
