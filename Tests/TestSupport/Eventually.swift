/// Waits for something a test expects the system to do: polls `condition` every `interval` until it holds,
/// and throws, naming `what`, once `timeout` has passed. The timeout only ends a broken test, so it is
/// generous; a passing test waits only as long as the condition takes to become true.
public func eventually(_ what: String, timeout: Duration = .seconds(60), interval: Duration = .milliseconds(20),
                       _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw TestSupportError("timed out after \(timeout) waiting for \(what)") }
        try await Task.sleep(for: interval)
    }
}
