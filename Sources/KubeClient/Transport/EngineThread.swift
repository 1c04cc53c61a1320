#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A detached POSIX thread that runs one closure for the life of the process: the curl engine's loop, which
/// blocks in curl_multi_poll and so must not run on a Swift concurrency thread. FoundationEssentials has no `Thread`.
enum EngineThread {
    private final class Entry {
        let body: () -> Void

        init(body: @escaping () -> Void) {
            self.body = body
        }
    }

    /// Starts the thread; false when the system refuses one.
    @discardableResult
    static func start(_ body: @escaping () -> Void) -> Bool {
        let entry = Unmanaged.passRetained(Entry(body: body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        defer { pthread_attr_destroy(&attributes) }
        #if canImport(Darwin)
        var thread: pthread_t?
        #else
        var thread = pthread_t()
        #endif
        let result = pthread_create(&thread, &attributes, { argument in
            #if canImport(Darwin)
            let entry = Unmanaged<Entry>.fromOpaque(argument).takeRetainedValue()
            #else
            guard let argument else { return nil }
            let entry = Unmanaged<Entry>.fromOpaque(argument).takeRetainedValue()
            #endif
            entry.body()
            return nil
        }, entry)
        if result != 0 {
            Unmanaged<Entry>.fromOpaque(entry).release()
            return false
        }
        return true
    }
}
