/// The answer did not come in time; the caller treats it like a failed request.
public struct RequestTimeout: Error, CustomStringConvertible {
    public let limit: Duration
    public var description: String { "no answer within \(limit)" }

    /// Runs `operation`, giving up (and cancelling it) after `limit`. Leader election needs this
    /// so a hung request cannot keep a leader leading past its renew deadline.
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
