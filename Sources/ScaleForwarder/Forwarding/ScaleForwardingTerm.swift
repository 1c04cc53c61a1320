import EventRecorder
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KubeClient
import KubernetesAPI
import Logging

/// Everything the forwarder does while it holds the Lease: watch HPA Events, turn new counts into
/// scales, queue them per sink, deliver, and keep the checkpoint. Cancelled when leadership ends;
/// whatever was queued then is left to the next leader through the checkpoint.
actor ScaleForwardingTerm {
    struct Context: Sendable {
        var client: KubernetesClient
        var recorder: any EventRecording
        var elector: LeaderElector
        var options: ScaleForwarderOptions
        var logger: Logger
        var delivery: SinkDelivery
        var metrics: ScaleForwarderMetrics
    }

    private let context: Context
    private let hpas: HorizontalPodAutoscalerCache
    private let secrets: SinkSecretCache
    private var ledger: ScaleLedger
    private var queues: [SinkReference: AsyncStream<PendingScale>.Continuation] = [:]
    private let newQueues: AsyncStream<AsyncStream<PendingScale>>
    private let newQueuesContinuation: AsyncStream<AsyncStream<PendingScale>>.Continuation
    /// Problems already said, per HPA, so each is logged (and reported) once, not per scale.
    private var said: Set<String> = []
    /// The checkpoint changed since it was last written to the Lease.
    private var checkpointDirty = false

    private var logger: Logger { context.logger }

    init(context: Context, leaseAnnotations: [String: String]) {
        self.context = context
        let options = context.options
        hpas = HorizontalPodAutoscalerCache(client: context.client, namespace: options.namespace, logger: context.logger)
        secrets = SinkSecretCache(client: context.client, ttl: options.secretCacheTTL, allowHTTP: options.allowHTTP)
        let checkpoint: ScaleCheckpoint
        if let saved = leaseAnnotations[ScaleCheckpoint.annotation] {
            do {
                checkpoint = try ScaleCheckpoint(serialized: saved)
            } catch {
                context.logger.warning("\(error)")
                checkpoint = ScaleCheckpoint(since: Self.wholeSecond(Date()))
            }
        } else {
            checkpoint = ScaleCheckpoint(since: Self.wholeSecond(Date()))
        }
        ledger = ScaleLedger(checkpoint: checkpoint, retention: options.checkpointRetention,
                             capacity: options.checkpointCapacity)
        (newQueues, newQueuesContinuation) = AsyncStream.makeStream(of: AsyncStream<PendingScale>.self)
    }

    /// Until cancelled.
    func run() async {
        await publishCheckpoint()
        let options = context.options
        let eventsPath = Self.eventsPath(options)
        let events = Reflector<Event>(client: context.client, path: eventsPath,
                                      query: ["fieldSelector": "involvedObject.kind=HorizontalPodAutoscaler"])
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.hpas.run() }
            group.addTask {
                await events.run { delta in await self.handle(delta) }
            }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(60))
                    await self.evict()
                }
            }
            // The checkpoint goes to the Lease right after a delivery's 2xx, batched to at most one write
            // per interval: the window in which a dying leader's deliveries can be resent stays that short.
            group.addTask {
                let interval = self.context.options.checkpointInterval
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    await self.writeCheckpointIfChanged()
                }
            }
            // One worker per sink, started as sinks appear; each delivers its queue in order.
            for await queue in newQueues {
                group.addTask {
                    for await pending in queue {
                        await self.deliver(pending)
                    }
                }
            }
            group.cancelAll()
        }
        for queue in queues.values { queue.finish() }
        ledger.dropClaims()
    }

    private func handle(_ delta: ReflectorDelta<Event>) async {
        switch delta {
        case .listed(let events):
            for event in events { await consider(event) }
        case .added(let event), .modified(let event):
            await consider(event)
        case .deleted:
            break
        }
    }

    private func consider(_ event: Event) async {
        guard event.involvedObject.kind == "HorizontalPodAutoscaler",
              let reason = event.reason, context.options.reasons.contains(reason),
              let uid = event.metadata.uid,
              let name = event.involvedObject.name else { return }
        let namespace = event.involvedObject.namespace ?? event.metadata.namespace ?? ""
        let now = Date()
        let first = event.firstTimestamp.flatMap(KubernetesTimestamp.date(from:))
        let last = event.lastOccurrence.flatMap(KubernetesTimestamp.date(from:)) ?? first ?? now
        // series.count as well as count: an events.k8s.io/v1 writer counts repeats in the series.
        guard let counts = ledger.claim(eventUID: uid, count: event.occurrences, firstTimestamp: first,
                                        lastTimestamp: last, now: now) else { return }
        context.metrics.seen.increment(by: counts.count)

        let hpaKey = "\(namespace)/\(name)"
        // The namespace as found above: an involvedObject may leave it to the Event's own.
        var hpaObject = ObjectIdentity(event.involvedObject)
        hpaObject.namespace = namespace
        guard case .some(let hpa) = await lookUp(namespace: namespace, name: name) else {
            // The API server did not answer: unclaim, so the next sight of the Event (a new count
            // or a relist) tries again instead of losing the scale.
            ledger.unclaim(eventUID: uid, counts: counts)
            return
        }
        guard let hpa else {
            say(hpaKey, "HorizontalPodAutoscaler \(hpaKey) no longer exists; its scales are not sent", level: .info)
            return await drop(uid: uid, count: counts.upperBound, last: last, counts: counts.count, why: "hpa_not_found")
        }
        guard let annotation = hpa.metadata.annotations?[SinkReference.annotation] else {
            say(hpaKey, "HorizontalPodAutoscaler \(hpaKey) has no \(SinkReference.annotation) annotation; its scales are not sent",
                level: .info)
            return await drop(uid: uid, count: counts.upperBound, last: last, counts: counts.count, why: "no_annotation")
        }
        let sink: SinkReference
        do {
            sink = try SinkReference(annotationValue: annotation, hpaNamespace: namespace)
            try sink.check(hpaNamespace: namespace, allowedNamespaces: context.options.allowedSecretNamespaces)
        } catch {
            let problem = SinkConfigurationError.annotation(error)
            say(hpaKey, "HorizontalPodAutoscaler \(hpaKey): \(problem); its scales are not sent", level: .warning,
                report: hpaObject)
            return await drop(uid: uid, count: counts.upperBound, last: last, counts: counts.count, why: "sink_configuration")
        }

        for count in counts {
            let scale = ScaleEvent(eventUID: uid, count: count, namespace: namespace, name: name,
                                   target: hpa.targetDescription, eventReason: reason, message: event.message ?? "",
                                   time: last)
            await enqueue(PendingScale(scale: scale, sink: sink, hpa: hpaObject, lastTimestamp: last))
        }
    }

    /// The HPA (nil inside when it does not exist), or nil when the API server did not answer
    /// after a few tries.
    private func lookUp(namespace: String, name: String) async -> HorizontalPodAutoscaler?? {
        let policy = RetryPolicy.forwarderLookup
        for attempt in 1...policy.maxTries {
            do {
                return .some(try await hpas.get(namespace: namespace, name: name))
            } catch {
                logger.warning("could not read HorizontalPodAutoscaler", metadata: [
                    "hpa": "\(namespace)/\(name)", "attempt": "\(attempt)", "error": "\(error)"])
                guard policy.allowsRetry(afterAttempt: attempt) else { break }
                let retryAfter: Duration? = if case KubernetesError.tooManyRequests(let after, _) = error { after } else { nil }
                let delay = policy.delay(afterAttempt: attempt, random: .random(in: 0...1), retryAfter: retryAfter)
                do { try await Task.sleep(for: delay) } catch { return nil }
            }
        }
        return nil
    }

    private func enqueue(_ pending: PendingScale) async {
        let queue: AsyncStream<PendingScale>.Continuation
        if let existing = queues[pending.sink] {
            queue = existing
        } else {
            // Bounded: a slow sink holds at most this many scales and never stalls the others.
            let (stream, continuation) = AsyncStream.makeStream(
                of: PendingScale.self, bufferingPolicy: .bufferingOldest(context.options.queueCapacityPerSink))
            queues[pending.sink] = continuation
            newQueuesContinuation.yield(stream)
            queue = continuation
        }
        if case .dropped = queue.yield(pending) {
            say("\(pending.sink)", "the queue for sink Secret \(pending.sink) is full; scales are being dropped", level: .warning)
            await drop(uid: pending.scale.eventUID, count: pending.scale.count, last: pending.lastTimestamp, counts: 1,
                 why: "queue_full")
        }
    }

    private func deliver(_ pending: PendingScale) async {
        let scale = pending.scale
        let hpaKey = "\(scale.namespace)/\(scale.name)"
        var spec: SinkSpec?
        var attempt = 1
        while spec == nil {
            do {
                spec = try await secrets.spec(for: pending.sink)
            } catch where !error.isPermanent && RetryPolicy.forwarderLookup.allowsRetry(afterAttempt: attempt) {
                let delay = RetryPolicy.forwarderLookup.delay(afterAttempt: attempt, random: .random(in: 0...1))
                attempt += 1
                do { try await Task.sleep(for: delay) } catch { return }
            } catch {
                say(hpaKey, "HorizontalPodAutoscaler \(hpaKey): \(error); its scales are not sent", level: .warning,
                    report: pending.hpa)
                context.metrics.failed.increment()
                return await complete(pending)
            }
        }
        guard let spec else { return }
        switch await context.delivery.send(spec.request(for: scale)) {
        case .cancelled:
            return
        case .delivered(let attempts):
            context.metrics.sent.increment()
            logger.debug("sent scale", metadata: ["hpa": "\(hpaKey)", "count": "\(scale.count)", "sink": "\(spec)",
                                                  "attempts": "\(attempts)"])
            await complete(pending)
        case .failed(let reason, _):
            context.metrics.failed.increment()
            let message = "could not send the scale \"\(scale.message)\" to \(spec): \(reason)"
            logger.warning("\(message)", metadata: ["hpa": "\(hpaKey)"])
            context.recorder.record(involvedObject: pending.hpa, type: .warning, reason: ScaleForwarder.failureReason,
                                    message: message)
            await complete(pending)
        }
    }

    private func complete(_ pending: PendingScale) async {
        ledger.complete(eventUID: pending.scale.eventUID, count: pending.scale.count, lastTimestamp: pending.lastTimestamp)
        await publishCheckpoint()
    }

    /// Not sent, on purpose: counted, and recorded as handled so it is not reconsidered.
    private func drop(uid: String, count: Int, last: Date, counts: Int, why: String) async {
        context.metrics.dropped(why).increment(by: counts)
        ledger.complete(eventUID: uid, count: count, lastTimestamp: last)
        await publishCheckpoint()
    }

    private func evict() async {
        ledger.evict(now: Date())
        if said.count > 4096 { said.removeAll() }
        await publishCheckpoint()
    }

    private func publishCheckpoint() async {
        checkpointDirty = true
        await context.elector.publish(annotation: ScaleCheckpoint.annotation, value: ledger.checkpoint.serialized())
    }

    private func writeCheckpointIfChanged() async {
        guard checkpointDirty else { return }
        checkpointDirty = false
        if await context.elector.renewNow() {
            context.metrics.checkpointWrites.increment()
        }
    }

    /// Logs `message` once per subject and message; with `report`, also a Warning Event on that object.
    private func say(_ subject: String, _ message: String, level: Logger.Level, report: ObjectIdentity? = nil) {
        guard said.insert(subject + "\u{0}" + message).inserted else { return }
        logger.log(level: level, "\(message)")
        if let report {
            context.recorder.record(involvedObject: report, type: .warning, reason: ScaleForwarder.failureReason,
                                    message: message)
        }
    }

    static func eventsPath(_ options: ScaleForwarderOptions) -> String {
        options.namespace.map { "/api/v1/namespaces/\($0)/events" } ?? "/api/v1/events"
    }

    private static func wholeSecond(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }
}
