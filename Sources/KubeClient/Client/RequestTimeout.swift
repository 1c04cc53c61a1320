/// A request that did not answer within the limit its caller set; the caller treats it like a failed
/// request. Leader election bounds its Lease requests so a hung one cannot keep a leader leading past
/// its renew deadline; the namespace cache bounds a read of a namespace it has not seen.
public struct RequestTimeout: Error, CustomStringConvertible {
    public let limit: Duration
    public var description: String { "no answer within \(limit)" }

    /// Runs `operation`, giving up (and cancelling it) after `limit`.
    public static func run<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(for: limit)
                throw RequestTimeout(limit: limit)
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw RequestTimeout(limit: limit) }
            return first
        }
    }
}
