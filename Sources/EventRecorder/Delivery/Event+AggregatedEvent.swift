import KubeClient
import KubernetesAPI

extension Event {
    /// The core/v1 Event the API server should hold for `aggregated`, with the fields
    /// `kubectl describe` shows and the reporting fields the events/v1 API expects.
    init(_ aggregated: AggregatedEvent, options: EventRecorderOptions) {
        self.init(
            metadata: ObjectMeta(name: aggregated.name, namespace: aggregated.namespace),
            involvedObject: ObjectReference(aggregated.key.involvedObject),
            reason: aggregated.key.reason,
            message: aggregated.key.message,
            type: aggregated.key.type.rawValue,
            source: EventSource(component: options.component, host: options.host.nonEmpty),
            firstTimestamp: KubernetesTimestamp.time(aggregated.firstTimestamp),
            lastTimestamp: KubernetesTimestamp.time(aggregated.lastTimestamp),
            count: aggregated.count,
            reportingComponent: options.component,
            reportingInstance: options.reportingInstance.nonEmpty)
    }
}

extension String {
    /// nil for "", so optional API fields are left out rather than sent empty.
    var nonEmpty: String? { isEmpty ? nil : self }
}
