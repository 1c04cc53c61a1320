import Admission
import Logging

/// The default `FailureReporter`: writes each failure record as a warning log line. The executable
/// swaps in the Event recorder when it has a cluster to talk to.
public struct LoggingFailureReporter: FailureReporter {
    private let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func report(_ record: FailureRecord) {
        logger.warning("\(record.reason): \(record.message)", metadata: [
            "namespace": "\(record.namespace)",
            "pod": "\(record.name.isEmpty ? record.generateName : record.name)",
            "owner": "\(record.ownerReferences.first { $0.controller == true }.map { "\($0.kind)/\($0.name)" } ?? "none")",
            "uid": "\(record.requestUID)",
            "dryRun": "\(record.dryRun)",
        ])
    }
}
