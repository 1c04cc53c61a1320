#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The trees built from one document's raw values, by range, behind a lock: a parsed tree is
/// Sendable and may be read from any thread, so two threads may ask for the same value. One
/// allocation holds both the table and the mutex (a ManagedBuffer's element), so the mutex has
/// the fixed address it needs.
final class ParsedTrees: ManagedBuffer<ParsedTrees.State, pthread_mutex_t> {
    struct State {
        var trees: [Range<Int>: JSONValue] = [:]
        var built = 0
    }

    static func make() -> ParsedTrees {
        let buffer = unsafeDowncast(create(minimumCapacity: 1) { _ in State() }, to: ParsedTrees.self)
        buffer.withUnsafeMutablePointerToElements { _ = pthread_mutex_init($0, nil) }
        return buffer
    }

    deinit {
        withUnsafeMutablePointerToElements { _ = pthread_mutex_destroy($0) }
    }

    /// The tree for `range`, made by `build` the first time (outside the lock: a parse can be
    /// long, and two threads building the same value at once only waste work).
    func tree(for range: Range<Int>, build: (Range<Int>) -> JSONValue) -> JSONValue {
        if let tree = locked({ $0.trees[range] }) { return tree }
        let tree = build(range)
        return locked { state in
            if let earlier = state.trees[range] { return earlier }
            state.trees[range] = tree
            state.built += 1
            return tree
        }
    }

    /// How many trees have been built.
    var built: Int { locked { $0.built } }

    private func locked<R>(_ body: (inout State) -> R) -> R {
        withUnsafeMutablePointers { state, mutex in
            pthread_mutex_lock(mutex)
            defer { pthread_mutex_unlock(mutex) }
            return body(&state.pointee)
        }
    }
}
