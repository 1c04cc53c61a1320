import COpenSSL
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A TLS client on a blocking socket, driven by OpenSSL directly: for load and attack tests that
/// need many connections from threads, exact control of what is written and when, and to know
/// whether a request that was written got its answer. Socket timeouts bound every call.
final class BlockingTLSClient: @unchecked Sendable {
    enum Failure: Error, Equatable {
        case connectFailed(Int32)
        case handshakeFailed
        /// The server closed (or reset) the connection before a whole answer arrived.
        case closed
        case timedOut
    }

    struct Response {
        var status: Int
        /// Lower-cased names.
        var headers: [String: String]
        var body: [UInt8]

        var closesConnection: Bool { headers["connection"]?.lowercased() == "close" }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    nonisolated(unsafe) private static let context: OpaquePointer = SSL_CTX_new(TLS_client_method())!
    private let descriptor: Int32
    private let ssl: OpaquePointer
    private var received: [UInt8] = []

    init(port: Int, timeout: TimeInterval = 10) throws {
        // Everything is set up in locals first: a throw before the properties are set skips deinit.
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var seconds = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1e6))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &seconds, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &seconds, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        let ssl = SSL_new(Self.context)!
        guard status == 0 else {
            let error = errno
            Glibc.close(descriptor)
            SSL_free(ssl)
            throw Failure.connectFailed(error)
        }
        SSL_set_fd(ssl, descriptor)
        guard SSL_connect(ssl) == 1 else {
            ERR_clear_error()
            SSL_free(ssl)
            Glibc.close(descriptor)
            throw Failure.handshakeFailed
        }
        self.descriptor = descriptor
        self.ssl = ssl
    }

    deinit {
        SSL_free(ssl)
        Glibc.close(descriptor)
    }

    func write(_ text: String) throws {
        try write(Array(text.utf8))
    }

    func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { SSL_write(ssl, $0.baseAddress, Int32(clamping: $0.count)) }
            guard written > 0 else {
                let timedOut = errno == EAGAIN || errno == EWOULDBLOCK
                ERR_clear_error()
                throw timedOut ? Failure.timedOut : Failure.closed
            }
            offset += Int(written)
        }
    }

    /// Writes `bytes`, waiting through socket timeouts until `deadline`; false if the deadline
    /// came first or the connection failed. OpenSSL wants a retried write to repeat its arguments,
    /// which the same slice of the same array does.
    func write(_ bytes: [UInt8], until deadline: Date) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { SSL_write(ssl, $0.baseAddress, Int32(clamping: $0.count)) }
            if written > 0 {
                offset += Int(written)
                continue
            }
            let timedOut = SSL_get_error(ssl, written) == SSL_ERROR_WANT_WRITE || errno == EAGAIN || errno == EWOULDBLOCK
            ERR_clear_error()
            guard timedOut, Date() < deadline else { return false }
        }
        return true
    }

    /// A POST /mutate of `body`.
    static func reviewRequest(_ body: String, extraHeaders: String = "") -> [UInt8] {
        let bytes = Array(body.utf8)
        return Array("POST /mutate?timeout=10s HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: \(bytes.count)\r\n\(extraHeaders)\r\n".utf8) + bytes
    }

    /// Reads one whole response (Content-Length framed); what follows stays for the next call.
    func readResponse() throws -> Response {
        while true {
            if let response = takeResponse() { return response }
            var chunk = [UInt8](repeating: 0, count: 64 * 1024)
            let count = chunk.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, Int32($0.count)) }
            guard count > 0 else {
                let code = SSL_get_error(ssl, count)
                let timedOut = code == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK)
                ERR_clear_error()
                throw timedOut ? Failure.timedOut : Failure.closed
            }
            received += chunk[..<Int(count)]
        }
    }

    /// Reads until the server closes; returns every byte received meanwhile (and pending before).
    func readUntilClosed() -> [UInt8] {
        while true {
            var chunk = [UInt8](repeating: 0, count: 64 * 1024)
            let count = chunk.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, Int32($0.count)) }
            guard count > 0 else {
                ERR_clear_error()
                return received
            }
            received += chunk[..<Int(count)]
        }
    }

    private func takeResponse() -> Response? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard received.count >= 4,
              let end = (0...(received.count - 4)).first(where: { received[$0..<($0 + 4)].elementsEqual(separator) })
        else { return nil }
        let head = String(decoding: received[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        guard let statusLine = head.first, statusLine.count >= 12,
              let status = Int(statusLine.dropFirst(9).prefix(3)) else { return nil }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        guard received.count >= end + 4 + length else { return nil }
        let body = Array(received[(end + 4)..<(end + 4 + length)])
        received.removeFirst(end + 4 + length)
        return Response(status: status, headers: headers, body: body)
    }
}
