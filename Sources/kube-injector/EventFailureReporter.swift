import Admission
import EventRecorder

/// Hands the admission core's failure records to the Event recorder: the one place that knows
/// both modules, so neither depends on the other. `report` returns at once (the recorder queues).
struct EventFailureReporter: FailureReporter {
    let events: any EventRecording

    func report(_ record: FailureRecord) {
        events.record(FailureReport(
            reason: record.reason, message: record.message, namespace: record.namespace, name: record.name,
            generateName: record.generateName,
            ownerReferences: record.ownerReferences,
            dryRun: record.dryRun, requestUID: record.requestUID))
    }
}
