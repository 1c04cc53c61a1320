import NIOCore

/// A channel handler whose flush `TickFlushBatcher` may hold until the end of the tick.
protocol TickFlushable: AnyObject {
    /// Performs the flush that was held back.
    func flushQueued(context: ChannelHandlerContext)
}
