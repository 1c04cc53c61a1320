import Foundation
import KubeClient

/// One call of `record`, as it waits in the queue for the worker.
struct Occurrence: Sendable {
    enum Subject: Sendable {
        /// A pod failure: the worker finds the owning controller.
        case pod(FailureReport)
        /// An Event about this object directly (the forwarder's HPA).
        case object(InvolvedObjectIdentity)
    }

    var subject: Subject
    var type: EventType
    var reason: String
    /// Already cut to the message limit.
    var message: String
    var timestamp: Date
}
