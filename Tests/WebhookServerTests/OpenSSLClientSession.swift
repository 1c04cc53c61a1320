import Dispatch
import Foundation

/// One long-lived TLS connection made by `openssl s_client -quiet`: the test writes raw HTTP into
/// it and reads what the server answered, so it can hold a connection open across a certificate
/// rotation, stall halfway through a header, or send a head without its body.
final class OpenSSLClientSession: @unchecked Sendable {
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let lock = NSLock()
    private var received = Data()

    init(port: Int, caFile: String, extraArguments: [String] = []) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["s_client", "-quiet", "-connect", "127.0.0.1:\(port)", "-servername", "localhost",
                             "-CAfile", caFile, "-verify_return_error"] + extraArguments
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        output.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.lock()
            self.received.append(data)
            self.lock.unlock()
        }
        try process.run()
    }

    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: received, as: UTF8.self)
    }

    func send(_ text: String) {
        input.fileHandleForWriting.write(Data(text.utf8))
    }

    /// Waits (bounded) until the received text contains `needle` `count` times; returns the text.
    @discardableResult
    func waitFor(_ needle: String, count: Int = 1, limit: TimeInterval = 10) async throws -> String {
        let deadline = Date().addingTimeInterval(limit)
        while Date() < deadline {
            let current = text
            if current.components(separatedBy: needle).count - 1 >= count { return current }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        struct Missing: Error, CustomStringConvertible {
            var description: String
        }
        throw Missing(description: "no \(count)× \"\(needle)\" within \(limit)s; received: \(text)")
    }

    /// Waits (bounded) for the connection to end; true if it did.
    func waitForExit(limit: TimeInterval = 10) async throws -> Bool {
        let deadline = Date().addingTimeInterval(limit)
        while Date() < deadline {
            if !process.isRunning { return true }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        return false
    }

    func close() {
        output.fileHandleForReading.readabilityHandler = nil
        if process.isRunning { process.terminate() }
        try? input.fileHandleForWriting.close()
    }

    deinit {
        close()
    }
}
