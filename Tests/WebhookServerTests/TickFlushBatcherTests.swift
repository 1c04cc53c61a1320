import NIOCore
import NIOEmbedded
@testable import WebhookServer
import XCTest

/// The batcher holds each connection's flush until the event loop has handled the tick's I/O,
/// then performs them in the order they were asked for, each once.
final class TickFlushBatcherTests: XCTestCase {
    private final class FlushLog {
        var entries: [String] = []
    }

    private final class RecordingHandler: ChannelInboundHandler, TickFlushable {
        typealias InboundIn = ByteBuffer
        let name: String
        let log: FlushLog
        private(set) var context: ChannelHandlerContext?

        init(name: String, log: FlushLog) {
            self.name = name
            self.log = log
        }

        func handlerAdded(context: ChannelHandlerContext) { self.context = context }

        func flushQueued(context: ChannelHandlerContext) {
            XCTAssertTrue(context === self.context, "each flush gets its own connection's context")
            log.entries.append(name)
        }
    }

    private func connections(_ names: [String], on loop: EmbeddedEventLoop, log: FlushLog) throws -> [(RecordingHandler, ChannelHandlerContext)] {
        try names.map { name in
            let handler = RecordingHandler(name: name, log: log)
            try EmbeddedChannel(loop: loop).pipeline.syncOperations.addHandler(handler)
            return (handler, try XCTUnwrap(handler.context))
        }
    }

    func testFlushesWaitForTheEndOfTheTickThenRunInOrder() throws {
        let loop = EmbeddedEventLoop()
        let batcher = TickFlushBatcher(eventLoop: loop)
        let log = FlushLog()
        let open = try connections(["first", "second", "third"], on: loop, log: log)
        for (handler, context) in open { batcher.enqueue(handler, context: context) }
        XCTAssertEqual(log.entries, [], "nothing is flushed while the tick's reads are still being handled")
        loop.run()
        XCTAssertEqual(log.entries, ["first", "second", "third"])
        loop.run()
        XCTAssertEqual(log.entries, ["first", "second", "third"], "a flushed batch is not flushed again")
    }

    func testEachTickFlushesOnlyWhatItQueued() throws {
        let loop = EmbeddedEventLoop()
        let batcher = TickFlushBatcher(eventLoop: loop)
        let log = FlushLog()
        let open = try connections(["first", "second"], on: loop, log: log)
        batcher.enqueue(open[0].0, context: open[0].1)
        loop.run()
        batcher.enqueue(open[1].0, context: open[1].1)
        batcher.enqueue(open[0].0, context: open[0].1)
        XCTAssertEqual(log.entries, ["first"])
        loop.run()
        XCTAssertEqual(log.entries, ["first", "second", "first"])
    }
}
