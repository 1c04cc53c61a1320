import KubernetesAPI
import Logging

/// Records Events to the log instead of the API server, for when there is no cluster
/// (`serve --dev`). Same inputs and rules as `EventRecorder` (dry runs emit nothing, messages
/// cut to the limit); no owner lookup, so a pod failure names the pod's direct owner.
public struct LoggingEventRecorder: EventRecording {
    private let logger: Logger
    private let messageLimit: Int

    public init(logger: Logger = Logger(label: "kube-injector.events"), messageLimit: Int = EventRecorderOptions().messageLimit) {
        self.logger = logger
        self.messageLimit = messageLimit
    }

    public func record(_ failure: FailureReport) {
        guard !failure.dryRun else { return }
        log(failure.type, reason: failure.reason, message: failure.message, about: failure.fallbackInvolvedObject,
            extra: ["requestUID": "\(failure.requestUID)"])
    }

    public func record(involvedObject: ObjectIdentity, type: EventType, reason: String, message: String) {
        log(type, reason: reason, message: message, about: involvedObject, extra: [:])
    }

    private func log(_ type: EventType, reason: String, message: String, about object: ObjectIdentity,
                     extra: Logger.Metadata) {
        var metadata = extra
        metadata["involvedObject"] = "\(object)"
        metadata["reason"] = "\(reason)"
        metadata["type"] = "\(type.rawValue)"
        let text = EventMessage.truncated(message, limit: messageLimit)
        switch type {
        case .warning: logger.warning("Event: \(text)", metadata: metadata)
        case .normal: logger.info("Event: \(text)", metadata: metadata)
        }
    }
}
