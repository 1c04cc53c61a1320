/// Polls `condition` every `interval` until it holds or `timeout` has passed, and says whether it
/// held (it is checked once more at the deadline). The one polling loop of the tests: `eventually`
/// below and the end-to-end tests' `Shell.eventually` are both this.
public func holds(within timeout: Duration, interval: Duration = .milliseconds(20),
                  _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        // A cancelled test stops polling; the last check below still answers.
        guard (try? await Task.sleep(for: interval)) != nil else { break }
    }
    return try await condition()
}

/// Waits for something a test expects the system to do: polls `condition` every `interval` until it holds,
/// and throws, naming `what`, once `timeout` has passed. The timeout only ends a broken test, so it is
/// generous; a passing test waits only as long as the condition takes to become true.
public func eventually(_ what: String, timeout: Duration = .seconds(60), interval: Duration = .milliseconds(20),
                       _ condition: () async throws -> Bool) async throws {
    try Task.checkCancellation()
    guard try await holds(within: timeout, interval: interval, condition) else {
        try Task.checkCancellation()
        throw TestSupportError("timed out after \(timeout) waiting for \(what)")
    }
}
