#if canImport(Glibc)
import Glibc
#endif
import NIOCore

/// Hands freed heap memory back to the kernel after a spike. glibc keeps what a burst of large
/// bodies freed (RSS stayed above a gigabyte with no connection open); `malloc_trim` returns it.
/// A low-frequency timer reads the resident size and trims only when it grew since the last
/// trim and the body budget has fallen back, so a steady server is never trimmed twice.
final class MemoryTrimmer {
    private let interval: TimeAmount
    /// Growth of the resident size over the last trimmed one that is worth a trim.
    private let growthWorthTrimming: Int
    private let bodyBudget: RequestBodyBudget
    private let metrics: WebhookMetrics
    private var residentAfterTrim: Int?
    private var task: Scheduled<Void>?
    private var stopped = false
    /// glibc's `malloc_trim`, looked up at run time (it is not in the Glibc module; absent on musl).
    private static let mallocTrim: (@convention(c) (Int) -> Int32)? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        #else
        return nil
        #endif
    }()

    init(interval: TimeAmount = .seconds(5), growthWorthTrimming: Int = 4 * 1024 * 1024,
         bodyBudget: RequestBodyBudget, metrics: WebhookMetrics) {
        self.interval = interval
        self.growthWorthTrimming = growthWorthTrimming
        self.bodyBudget = bodyBudget
        self.metrics = metrics
    }

    func start(on loop: EventLoop) {
        loop.preconditionInEventLoop()
        residentAfterTrim = Self.residentBytes()
        schedule(on: loop)
    }

    private func schedule(on loop: EventLoop) {
        task = loop.assumeIsolated().scheduleTask(in: interval) { [self] in
            guard !stopped else { return }
            check()
            schedule(on: loop)
        }
    }

    func stop() {
        stopped = true
        task?.cancel()
        task = nil
    }

    private func check() {
        guard let resident = Self.residentBytes() else { return }
        // While bodies are still in flight the memory is in use; wait until the spike is over.
        guard bodyBudget.inUse <= bodyBudget.limit / 8 else { return }
        if let last = residentAfterTrim, resident < last + growthWorthTrimming {
            residentAfterTrim = min(last, resident)
            return
        }
        guard let mallocTrim = Self.mallocTrim else { return }
        _ = mallocTrim(0)
        metrics.memoryTrimmed()
        residentAfterTrim = Self.residentBytes() ?? resident
    }

    /// The process's resident set size from /proc/self/statm (Linux); nil elsewhere.
    static func residentBytes() -> Int? {
        #if canImport(Glibc)
        let descriptor = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        // "size resident shared ...", in pages.
        let fields = buffer[..<count].split(separator: UInt8(ascii: " "))
        guard fields.count > 1, let pages = Int(String(decoding: fields[1], as: UTF8.self)) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
        #else
        return nil
        #endif
    }
}
