// Recorder: what callers see. `EventRecording` and its two implementations (this Service, and the
// logging fallback for `serve --dev`), the failure report the webhook hands over, the options.

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KubernetesAPI
import Synchronization
import KubeClient
import Logging
import Metrics
import ServiceLifecycle

/// Records Kubernetes Events asynchronously, in the manner of client-go's `tools/record`:
/// callers `record` and return at once (a bounded queue where identical occurrences wait as one
/// count, drops counted and logged); the worker, run as a `Service`, looks up pod owners,
/// correlates repeats into one Event with a count, holds back spam and writes through `EventSink`
/// with retry. On graceful shutdown it writes
/// what it holds, up to `shutdownFlushDeadline`.
public final class EventRecorder: EventRecording, Service {
    private let options: EventRecorderOptions
    private let queue: EventQueue
    private let worker: EventWorker
    private let runner: EventJobRunner
    private let metrics: EventRecorderMetrics
    private let dropLog: DropLog
    private let logger: Logger
    // The worker must run once, or two would fight over one queue.
    private let hasRun = Mutex(false)

    /// - Parameters:
    ///   - client: the Kubernetes client Events are written with.
    ///   - ownerResolver: shared with others who resolve owners, or nil for one of the recorder's own.
    ///   - metricsFactory: where the `kube_injector_events_*` counters go (the global one by default).
    public init(
        client: KubernetesClient, options: EventRecorderOptions = .init(), ownerResolver: OwnerResolver? = nil,
        logger: Logger = Logger(label: "kube-injector.events"), metricsFactory: MetricsFactory = MetricsSystem.factory
    ) {
        self.options = options
        self.logger = logger
        queue = EventQueue(capacity: options.queueCapacity)
        worker = EventWorker(options: options)
        metrics = EventRecorderMetrics(factory: metricsFactory)
        dropLog = DropLog(logger: logger, interval: options.dropLogInterval)
        runner = EventJobRunner(worker: worker, sink: EventSink(client: client),
                                resolver: ownerResolver ?? OwnerResolver(client: client),
                                metrics: metrics, dropLog: dropLog, options: options, logger: logger)
    }

    // MARK: Recording (any thread, never blocks, never throws)

    public func record(_ failure: FailureReport) {
        guard !failure.dryRun else {
            metrics.droppedDryRun()
            return
        }
        offer(Occurrence(subject: .pod(failure), type: failure.type, reason: failure.reason,
                         message: EventMessage.truncated(failure.message, limit: options.messageLimit),
                         timestamp: Date()))
    }

    public func record(involvedObject: ObjectIdentity, type: EventType, reason: String, message: String) {
        offer(Occurrence(subject: .object(involvedObject), type: type, reason: reason,
                         message: EventMessage.truncated(message, limit: options.messageLimit),
                         timestamp: Date()))
    }

    /// What the recorder has done so far; the same figures as its metrics.
    public var statistics: EventRecorderStatistics { metrics.statistics }

    private func offer(_ occurrence: Occurrence) {
        metrics.offering()
        switch queue.offer(occurrence) {
        case .queued:
            metrics.queued(coalesced: false)
        case .coalesced:
            metrics.queued(coalesced: true)
        case .full:
            metrics.refusedByQueue(.queueFull)
            dropLog.note(.queueFull)
        case .closed:
            metrics.refusedByQueue(.shutDown)
            dropLog.note(.shutDown)
        }
    }

    // MARK: The worker

    /// Runs the worker until graceful shutdown (then flushes within `shutdownFlushDeadline`) or
    /// cancellation (then stops at once). Whatever is not written by then is counted as dropped.
    public func run() async throws {
        let first = hasRun.withLock { hasRun -> Bool in
            defer { hasRun = true }
            return !hasRun
        }
        guard first else {
            logger.error("EventRecorder.run() called twice; the second call returns at once")
            return
        }
        let queue = self.queue
        let deadline = options.shutdownFlushDeadline
        let checkInterval = options.deferredWriteCheckInterval
        enum Ended { case drained, deadline, clock }
        await withTaskGroup(of: Ended.self) { group in
            group.addTask {
                await self.drain()
                return .drained
            }
            group.addTask {
                do {
                    try await gracefulShutdown()
                } catch {
                    // Cancelled rather than shut down gracefully: stop now.
                    queue.close()
                    return .deadline
                }
                queue.close()
                try? await Task.sleep(for: deadline)
                return .deadline
            }
            group.addTask {
                // The clock for deferred writes; it stops when the queue closes.
                while !Task.isCancelled {
                    try? await Task.sleep(for: checkInterval)
                    guard queue.requestDeferredWritesCheck() else { break }
                }
                return .clock
            }
            // The drain finishing cancels the deadline; the deadline (or cancellation) cancels the drain.
            while let ended = await group.next() {
                guard ended == .clock else {
                    group.cancelAll()
                    break
                }
            }
        }
        let lost = metrics.statistics.outstanding
        if lost > 0 {
            _ = await worker.abandon()
            metrics.dropped(.shutdownDeadline, occurrences: lost)
            logger.error("stopped with Events not yet written", metadata: [
                "occurrences": "\(lost)", "deadline": "\(deadline)"])
        }
        dropLog.flush()
        logger.info("Event recorder stopped", metadata: ["statistics": "\(metrics.statistics)"])
    }

    /// Takes the queue's table when woken (at most once per `queueTakeInterval`) until the queue
    /// is closed and emptied, starting runners as the backlog asks; then gives counts the spam
    /// filter held back their last write.
    private func drain() async {
        let runner = self.runner
        let takeInterval = options.queueTakeInterval
        await withDiscardingTaskGroup { runners in
            for await _ in queue.wakeUps {
                await take(queue.takeAll(), startingRunnersIn: &runners)
                // Lets a storm gather into counts; cut short by cancellation, not by shutdown.
                if takeInterval > .zero { try? await Task.sleep(for: takeInterval) }
            }
            guard !Task.isCancelled else { return }
            // Anything added between the last wake-up and the close.
            await take(queue.takeAll(), startingRunnersIn: &runners)
            for job in await worker.beginFinalFlush() {
                runners.addTask { await runner.run(startingWith: job) }
            }
        }
    }

    private func take(_ batch: PendingOccurrences.Batch, startingRunnersIn runners: inout DiscardingTaskGroup) async {
        let runner = self.runner
        if !batch.occurrences.isEmpty {
            metrics.takenFromQueue(entries: batch.occurrences.count, occurrences: batch.occurrenceCount)
            let accepted = await worker.accept(batch.occurrences)
            for job in accepted.start {
                runners.addTask { await runner.run(startingWith: job) }
            }
            if accepted.droppedOccurrences > 0 {
                metrics.dropped(.backlogFull, occurrences: accepted.droppedOccurrences)
                dropLog.note(.backlogFull, count: accepted.droppedOccurrences)
            }
        }
        if batch.deferredWritesCheckDue {
            for job in await worker.deferredWritesDue() {
                runners.addTask { await runner.run(startingWith: job) }
            }
        }
    }
}
