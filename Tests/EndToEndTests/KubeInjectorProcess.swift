import Foundation

/// The built `kube-injector` binary run as a child process, with its output kept for assertions.
final class KubeInjectorProcess: @unchecked Sendable {
    let process = Process()
    private let outputPath: String

    /// The binary beside the test bundle: `swift build` puts both in the same folder (on Linux the
    /// bundle URL is that folder; elsewhere it is the .xctest inside it).
    static var binary: URL {
        let bundle = Bundle(for: KubeInjectorProcess.self).bundleURL
        let beside = bundle.appendingPathComponent("kube-injector")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        return bundle.deletingLastPathComponent().appendingPathComponent("kube-injector")
    }

    init(_ arguments: [String], environment: [String: String] = [:], outputDirectory: URL) throws {
        outputPath = outputDirectory.appendingPathComponent("kube-injector-\(UUID().uuidString).log").path
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        process.executableURL = Self.binary
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        // The test machine's own kubeconfig must never leak into a test.
        merged["KUBECONFIG"] = nil
        merged["HOME"] = outputDirectory.path
        merged["KUBERNETES_SERVICE_HOST"] = nil
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        let handle = FileHandle(forWritingAtPath: outputPath)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

    /// SIGTERM, then waits; SIGKILL after `grace` so a test can never hang here.
    @discardableResult
    func terminate(grace: TimeInterval = 10) -> Int32 {
        if process.isRunning {
            process.terminate()
            let deadline = Date().addingTimeInterval(grace)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Runs the binary to completion and returns its exit code and output; `stdin` is written to
    /// its standard input (empty input otherwise).
    static func run(_ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try process.run()
        if let stdin {
            // From another thread: a large input would fill the pipe while the child fills stdout.
            let writer = input.fileHandleForWriting
            Thread.detachNewThread {
                writer.write(stdin)
                try? writer.close()
            }
        }
        // Both pipes drained at once, so a child that fills one cannot block on it.
        let stderrBox = DataBox()
        let stderrDone = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            stderrBox.data = err.fileHandleForReading.readDataToEndOfFile()
            stderrDone.signal()
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        stderrDone.wait()
        let stderr = stderrBox.data
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }
}

/// Bytes handed from a reader thread to the waiting one (the semaphore orders the two).
private final class DataBox: @unchecked Sendable {
    var data = Data()
}
