import NIOCore
import NIOPosix

/// Holds back the socket flushes of one event loop until the reads of the current tick are all
/// handled, then performs them back to back.
///
/// A client waiting on many connections (the API server, or a load generator) sleeps in its own
/// poll between responses. Each response flushed the moment it is ready wakes it across CPUs,
/// and that wake-up, charged to our `write`, cost more than the admission itself. Flushed
/// together, the first write wakes the client and the rest land while it is already running.
/// Latency grows by at most the rest of the tick: the reviews that were ready in the same wake.
final class TickFlushBatcher {
    private var queued: [(handler: any TickFlushable, context: ChannelHandlerContext)] = []
    /// The batch being flushed; swapped with `queued` so neither array reallocates per tick.
    private var flushing: [(handler: any TickFlushable, context: ChannelHandlerContext)] = []
    private var scheduled = false
    private let eventLoop: EventLoop

    init(eventLoop: EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Each thread sees only its own value, so sharing the variable itself is safe.
    nonisolated(unsafe) private static let perThread = ThreadSpecificVariable<TickFlushBatcher>()

    /// The batcher of the event loop running the caller: each loop is one thread.
    static func current(on eventLoop: EventLoop) -> TickFlushBatcher {
        eventLoop.preconditionInEventLoop()
        if let batcher = perThread.currentValue { return batcher }
        let batcher = TickFlushBatcher(eventLoop: eventLoop)
        perThread.currentValue = batcher
        return batcher
    }

    /// Flushes `handler` once the current tick's I/O is handled. Tasks run after every channel
    /// woken by the same poll has been read.
    func enqueue(_ handler: any TickFlushable, context: ChannelHandlerContext) {
        queued.append((handler, context))
        guard !scheduled else { return }
        scheduled = true
        eventLoop.assumeIsolated().execute { [self] in flushAll() }
    }

    private func flushAll() {
        scheduled = false
        swap(&queued, &flushing)
        for (handler, context) in flushing { handler.flushQueued(context: context) }
        flushing.removeAll(keepingCapacity: true)
    }
}
