import Foundation
import KubeClient
import Logging
import Metrics
import ServiceLifecycle

/// Records Kubernetes Events asynchronously, in the manner of client-go's `tools/record`:
/// callers `record` and return at once (a bounded queue, drops counted and logged); the worker,
/// run as a `Service`, looks up pod owners, correlates repeats into one Event with a count,
/// holds back spam and writes through `EventSink` with retry. On graceful shutdown it writes
/// what it holds, up to `shutdownFlushDeadline`.
public final class EventRecorder: EventRecording, Service {
    private let options: EventRecorderOptions
    private let queue: EventQueue
    private let worker: EventWorker
    private let runner: EventJobRunner
    private let metrics: EventRecorderMetrics
    private let dropLog: DropLog
    private let logger: Logger
    private let runClaim = NSLock()
    // Guarded by `runClaim`: the worker must run once, or two would fight over one queue.
    nonisolated(unsafe) private var hasRun = false

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

    public func record(involvedObject: ObjectReference, type: EventType, reason: String, message: String) {
        offer(Occurrence(subject: .object(InvolvedObjectIdentity(involvedObject)), type: type, reason: reason,
                         message: EventMessage.truncated(message, limit: options.messageLimit),
                         timestamp: Date()))
    }

    /// What the recorder has done so far; the same figures as its metrics.
    public var statistics: EventRecorderStatistics { metrics.statistics }

    private func offer(_ occurrence: Occurrence) {
        metrics.offering()
        switch queue.offer(.occurrence(occurrence)) {
        case .queued:
            metrics.queued()
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
        let first = runClaim.withLock { () -> Bool in
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
                    if queue.offer(.deferredWritesCheck) == .closed { break }
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

    /// Reads the queue until it is closed and drained, starting runners as the backlog asks; then
    /// gives counts the spam filter held back their last write.
    private func drain() async {
        let runner = self.runner
        await withDiscardingTaskGroup { runners in
            for await item in queue.stream {
                switch item {
                case .occurrence(let occurrence):
                    metrics.takenFromQueue()
                    switch await worker.accept(occurrence) {
                    case .start(let job):
                        runners.addTask { await runner.run(startingWith: job) }
                    case .held:
                        break
                    case .dropped:
                        metrics.dropped(.backlogFull, occurrences: 1)
                        dropLog.note(.backlogFull)
                    }
                case .deferredWritesCheck:
                    for job in await worker.deferredWritesDue() {
                        runners.addTask { await runner.run(startingWith: job) }
                    }
                }
            }
            guard !Task.isCancelled else { return }
            for job in await worker.beginFinalFlush() {
                runners.addTask { await runner.run(startingWith: job) }
            }
        }
    }
}
