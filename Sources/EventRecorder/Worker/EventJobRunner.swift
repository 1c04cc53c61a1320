import KubeClient
import KubernetesAPI
import Logging

/// Does the worker's I/O: looks up pod owners and writes Events, one job after another, until
/// the backlog has nothing more for it. The decisions come from the backlog (what next) and
/// from `EventDelivery` (send, wait, give up); this type only acts on them.
struct EventJobRunner: Sendable {
    let worker: EventWorker
    let sink: EventSink
    let resolver: OwnerResolver
    let metrics: EventRecorderMetrics
    let dropLog: DropLog
    let options: EventRecorderOptions
    let logger: Logger

    func run(startingWith first: EventBacklog.Job) async {
        var job: EventBacklog.Job? = first
        while let current = job, !Task.isCancelled {
            switch current {
            case .resolveOwner(let key): await resolveOwner(key)
            case .write(let key): await write(key)
            }
            job = await worker.jobEnded(current)
        }
    }

    // MARK: Owner lookup

    private func resolveOwner(_ key: PodFailureKey) async {
        guard let failure = await worker.failure(for: key) else { return }
        var attempt = 0
        while true {
            attempt += 1
            do {
                let owner = try await resolver.controller(namespace: failure.namespace, podName: failure.name,
                                                          ownerReferences: failure.ownerReferences)
                await worker.ownerResolved(key, as: owner)
                return
            } catch let error as KubernetesError where error.isRetryable && options.retry.allowsRetry(afterAttempt: attempt) {
                let retryAfter: Duration? = if case .tooManyRequests(let after, _) = error { after } else { nil }
                let delay = options.retry.delay(afterAttempt: attempt, random: .random(in: 0...1), retryAfter: retryAfter)
                metrics.ownerLookupFailed()
                // The first failure is news; the retries after it are counted, and the client has logged the
                // cause (rate-limited) already.
                logger.log(level: attempt == 1 ? .warning : .debug, "owner lookup failed, will retry", metadata: [
                    "namespace": "\(failure.namespace)", "attempt": "\(attempt)", "retryIn": "\(delay)",
                    "error": "\(error)"])
                do { try await Task.sleep(for: delay) } catch { return }
            } catch {
                // The Event still lands somewhere a person looks: the pod's direct controller.
                let fallback = failure.fallbackInvolvedObject
                metrics.ownerLookupFailed()
                logger.warning("owner lookup failed; recording the Event on the pod's direct owner instead", metadata: [
                    "namespace": "\(failure.namespace)", "involvedObject": "\(fallback)", "error": "\(error)"])
                await worker.ownerResolved(key, as: fallback)
                return
            }
        }
    }

    // MARK: Writing

    private func write(_ key: EventAggregationKey) async {
        switch await worker.startWrite(key) {
        case .nothing:
            return
        case .suppressed(let occurrences):
            metrics.dropped(.spamFiltered, occurrences: occurrences)
            dropLog.note(.spamFiltered, count: occurrences)
        case .deliver(let operation, let occurrences):
            await deliver(operation, settling: occurrences)
        }
    }

    private func deliver(_ operation: EventDelivery.Operation, settling occurrences: Int) async {
        var delivery = EventDelivery(operation, policy: options.retry)
        var lastSent = operation
        var action = delivery.start()
        while true {
            switch action {
            case .send(let operation):
                lastSent = operation
                do {
                    try await send(operation)
                    action = delivery.writeSucceeded()
                } catch {
                    action = delivery.writeFailed(EventSink.writeFailure(for: error), jitter: .random(in: 0..<1))
                }
            case .wait(let delay):
                metrics.retried()
                logger.log(level: delivery.attempt == 1 ? .warning : .debug, "Event write failed, will retry", metadata: [
                    "event": "\(operation.event.namespace)/\(operation.event.name)", "retryIn": "\(delay)"])
                // Cancelled only past the shutdown deadline; the recorder counts what is left.
                do { try await Task.sleep(for: delay) } catch { return }
                action = delivery.backoffElapsed()
            case .succeeded(let event):
                await worker.written(event)
                if case .create = lastSent {
                    metrics.created(settling: occurrences)
                } else {
                    metrics.patched(settling: occurrences)
                }
                logger.debug("Event written", metadata: [
                    "event": "\(event.namespace)/\(event.name)", "count": "\(event.count)"])
                return
            case .failed(let giveUp):
                await report(giveUp, of: operation.event, settling: occurrences)
                return
            case .none:
                return
            }
        }
    }

    private func send(_ operation: EventDelivery.Operation) async throws {
        switch operation {
        case .create(let event):
            _ = try await sink.create(Event(event, options: options))
        case .patch(let event):
            _ = try await sink.patch(namespace: event.namespace, name: event.name, count: event.count,
                                     lastTimestamp: event.lastTimestamp)
        }
    }

    private func report(_ giveUp: EventDelivery.GiveUp, of event: AggregatedEvent, settling occurrences: Int) async {
        var metadata: Logger.Metadata = [
            "involvedObject": "\(event.key.involvedObject)", "reason": "\(event.key.reason)",
            "eventMessage": "\(event.key.message)", "count": "\(event.count)"]
        switch giveUp {
        case .refused(let detail):
            await worker.refused(event.key)
            metrics.failed(refused: true, settling: occurrences)
            metadata["error"] = "\(detail)"
            logger.warning("the API server refused the Event; not retrying", metadata: metadata)
        case .exhausted(let tries, let lastError):
            metrics.failed(refused: false, settling: occurrences)
            metadata["error"] = "\(lastError)"
            metadata["tries"] = "\(tries)"
            logger.error("giving up on the Event after every try failed", metadata: metadata)
        }
    }
}
