/// Bounds what a watch holds between the network and its consumer. The decoder counts each event it hands
/// on; when `capacity` are waiting, the transfer's next write is refused with CURL_WRITEFUNC_PAUSE (libcurl
/// keeps those bytes and stops reading the socket, so TCP pushes back on the API server); once the consumer
/// has taken the buffer down to half, the transfer is resumed. Memory is bounded by the capacity, not by how
/// far the consumer falls behind.
final class WatchBuffer: Sendable {
    private struct State {
        var buffered = 0
        var paused = false
        var pauses = 0
    }

    let capacity: Int
    private let state = LockedValue(State())
    /// Called (off the engine thread) when a paused transfer may go on.
    private let resume: LockedValue<(@Sendable () -> Void)?> = LockedValue(nil)

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    func onResume(_ action: @escaping @Sendable () -> Void) {
        resume.withLock { $0 = action }
    }

    /// Engine thread, before bytes are taken: false means refuse them and pause.
    func admitsMore() -> Bool {
        state.withLock { state in
            guard state.buffered >= capacity else { return true }
            if !state.paused { state.pauses += 1 }
            state.paused = true
            return false
        }
    }

    func yielded(_ count: Int) {
        state.withLock { $0.buffered += count }
    }

    /// The consumer took one.
    func consumed() {
        let resumeNow = state.withLock { state -> Bool in
            state.buffered = max(0, state.buffered - 1)
            guard state.paused, state.buffered <= capacity / 2 else { return false }
            state.paused = false
            return true
        }
        if resumeNow { resume.withLock { $0 }?() }
    }

    var buffered: Int { state.withLock { $0.buffered } }
    /// How often the transfer was paused: for tests and the curious.
    var pauses: Int { state.withLock { $0.pauses } }
}
