import Dispatch
import Foundation

/// Runs a system tool (curl, openssl) to completion without blocking the test's executor, with an
/// upper bound after which the process is killed, so a hang fails the test instead of stalling it.
enum ProcessRunner {
    struct Result: Sendable {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    /// Owns the process for the background queue that waits on it.
    private final class Launched: @unchecked Sendable {
        let process = Process()
        let output = Pipe()
        let errors = Pipe()

        final class Box: @unchecked Sendable {
            var data = Data()
        }
    }

    static func run(_ executable: String, _ arguments: [String], input: Data? = nil, limit: TimeInterval = 60) async throws -> Result {
        let launched = Launched()
        let process = launched.process
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let inputPipe = Pipe()
        process.standardOutput = launched.output
        process.standardError = launched.errors
        process.standardInput = inputPipe
        try process.run()
        if let input { inputPipe.fileHandleForWriting.write(input) }
        try? inputPipe.fileHandleForWriting.close()
        DispatchQueue.global().asyncAfter(deadline: .now() + limit) {
            if launched.process.isRunning { launched.process.terminate() }
        }
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                // Both pipes drain at once: a tool that fills one while we wait on the other would hang.
                let group = DispatchGroup()
                let stderrBox = Launched.Box()
                group.enter()
                DispatchQueue.global().async {
                    stderrBox.data = launched.errors.fileHandleForReading.readDataToEndOfFile()
                    group.leave()
                }
                let stdout = launched.output.fileHandleForReading.readDataToEndOfFile()
                group.wait()
                let stderr = stderrBox.data
                launched.process.waitUntilExit()
                continuation.resume(returning: Result(
                    status: launched.process.terminationStatus,
                    standardOutput: String(decoding: stdout, as: UTF8.self),
                    standardError: String(decoding: stderr, as: UTF8.self)))
            }
        }
    }
}
