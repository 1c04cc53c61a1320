import Foundation

/// Launches Tests/FakeSink/fake_sink.py: a loopback HTTPS observability sink that records every
/// request and answers 500, 429 with Retry-After, or hangs when told to. Its certificate comes
/// from a throw-away CA made with the openssl CLI; `certificateAuthorityPEM` trusts it.
public final class FakeSink: @unchecked Sendable {
    /// One request the sink received.
    public struct RecordedRequest: Decodable, Sendable {
        public var method: String
        public var path: String
        /// Lower-cased names.
        public var headers: [String: String]
        public var body: String
        public var answeredWith: Int
    }

    public let port: Int
    public let certificateAuthorityPEM: String
    private let directory: URL
    private let process: Process
    private let input: Pipe

    public var baseURL: String { "https://127.0.0.1:\(port)" }

    public func url(_ path: String) -> String { baseURL + path }

    public static func start() throws -> FakeSink {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fake-sink-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try makeCertificates(in: directory)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", TestSupport.packageRoot.appendingPathComponent("Tests/FakeSink/fake_sink.py").path,
            "--cert", directory.appendingPathComponent("sink.crt").path,
            "--key", directory.appendingPathComponent("sink.key").path,
        ]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()

        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { throw FakeSinkError.didNotStart(String(decoding: line, as: UTF8.self)) }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("PORT "), let port = Int(text.dropFirst(5)) else {
            throw FakeSinkError.didNotStart(text)
        }
        let ca = try String(contentsOf: directory.appendingPathComponent("ca.crt"), encoding: .utf8)
        return FakeSink(port: port, certificateAuthorityPEM: ca, directory: directory, process: process, input: input)
    }

    private init(port: Int, certificateAuthorityPEM: String, directory: URL, process: Process, input: Pipe) {
        self.port = port
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.directory = directory
        self.process = process
        self.input = input
    }

    deinit { stop() }

    public func stop() {
        if process.isRunning {
            try? input.fileHandleForWriting.close()
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// The next `count` sink requests are answered with `status` (and a Retry-After header when given).
    public func respond(status: Int, count: Int = 1, retryAfter: String? = nil) throws {
        var spec: [String: Any] = ["status": status, "count": count]
        if let retryAfter { spec["retryAfter"] = retryAfter }
        _ = try control("POST", "/fake/respond", spec)
    }

    /// The next `count` sink requests get no answer for `seconds`.
    public func hang(count: Int = 1, seconds: Double) throws {
        _ = try control("POST", "/fake/hang", ["count": count, "seconds": seconds])
    }

    public func reset() throws {
        _ = try control("POST", "/fake/reset", [:])
    }

    public func requests() throws -> [RecordedRequest] {
        try JSONDecoder().decode([RecordedRequest].self, from: control("GET", "/fake/requests", nil))
    }

    /// Control calls go through the curl CLI, so the sink is checked by a client other than ours.
    private func control(_ method: String, _ path: String, _ body: [String: Any]?) throws -> Data {
        var arguments = ["-sS", "--fail", "--cacert", directory.appendingPathComponent("ca.crt").path, "-X", method]
        if let body {
            let data = try JSONSerialization.data(withJSONObject: body)
            arguments += ["-H", "Content-Type: application/json", "--data-binary", String(decoding: data, as: UTF8.self)]
        }
        arguments.append(url(path))
        return try Self.run("curl", arguments)
    }

    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw FakeSinkError.toolFailed(tool, errorText)
        }
        return data
    }

    private static func makeCertificates(in directory: URL) throws {
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        try run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                            "-subj", "/CN=fake-sink-ca", "-keyout", path("ca.key"), "-out", path("ca.crt"),
                            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"])
        try run("openssl", ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
                            "-keyout", path("sink.key"), "-out", path("sink.csr")])
        try """
        subjectAltName=IP:127.0.0.1,DNS:localhost
        basicConstraints=CA:FALSE
        extendedKeyUsage=serverAuth
        """.write(toFile: path("sink.ext"), atomically: true, encoding: .utf8)
        try run("openssl", ["x509", "-req", "-in", path("sink.csr"), "-CA", path("ca.crt"), "-CAkey", path("ca.key"),
                            "-CAcreateserial", "-days", "1", "-out", path("sink.crt"), "-extfile", path("sink.ext")])
    }
}

public enum FakeSinkError: Error, CustomStringConvertible {
    case didNotStart(String)
    case toolFailed(String, String)

    public var description: String {
        switch self {
        case .didNotStart(let output): return "fake sink did not start: \(output)"
        case .toolFailed(let tool, let errors): return "\(tool) failed: \(errors)"
        }
    }
}
