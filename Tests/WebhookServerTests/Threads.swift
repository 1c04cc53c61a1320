import Foundation

/// Runs blocking client code (sockets, OpenSSL) on threads of its own, off Swift concurrency's
/// small cooperative pool, and awaits the results.
enum Threads {
    /// `body(index)` on `count` threads at once; the results in index order.
    static func run<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) -> T) async -> [T] {
        let results = ThreadResults<T>()
        return await withCheckedContinuation { continuation in
            let group = DispatchGroup()
            for index in 0..<count {
                group.enter()
                let thread = Thread {
                    let value = body(index)
                    results.lock.lock()
                    results.values[index] = value
                    results.lock.unlock()
                    group.leave()
                }
                thread.stackSize = 1 << 20
                thread.start()
            }
            group.notify(queue: .global()) {
                continuation.resume(returning: (0..<count).compactMap { results.values[$0] })
            }
        }
    }

    /// One blocking call on a thread of its own.
    static func one<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        let result: [Result<T, Error>] = await run(1) { _ in Result { try body() } }
        return try result[0].get()
    }
}

/// What the threads of `Threads.run` hand back, under a lock.
private final class ThreadResults<T>: @unchecked Sendable {
    let lock = NSLock()
    var values: [Int: T] = [:]
}
