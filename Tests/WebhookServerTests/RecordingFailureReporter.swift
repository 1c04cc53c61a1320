import Admission
import Foundation

/// Stands where the Event recorder stands: keeps the failure records the server hands over.
final class RecordingFailureReporter: FailureReporter, @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [FailureRecord] = []

    func report(_ record: FailureRecord) {
        lock.lock()
        stored.append(record)
        lock.unlock()
    }

    var records: [FailureRecord] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}
