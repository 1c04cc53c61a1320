import KubernetesAPI

/// The consumer's side of a watch's stream, counting what it takes off the `WatchBuffer`. One consumer, one
/// task: the unfolding stream calls `next` one at a time.
final class WatchIterator<T: Sendable>: @unchecked Sendable {
    private var base: AsyncThrowingStream<WatchEvent<T>, Error>.AsyncIterator

    init(_ base: AsyncThrowingStream<WatchEvent<T>, Error>.AsyncIterator) {
        self.base = base
    }

    func next() async throws -> WatchEvent<T>? {
        try await base.next()
    }
}
