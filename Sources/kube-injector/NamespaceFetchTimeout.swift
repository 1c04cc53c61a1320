/// A namespace read that did not answer within its short limit; counted as a failed fetch.
struct NamespaceFetchTimeout: Error, CustomStringConvertible {
    let limit: Duration
    var description: String { "no answer within \(limit)" }

    /// Runs `operation`, giving up (and cancelling it) after `limit`.
    static func run<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(for: limit)
                throw NamespaceFetchTimeout(limit: limit)
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw NamespaceFetchTimeout(limit: limit) }
            return first
        }
    }
}
