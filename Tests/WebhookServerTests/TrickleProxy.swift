import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A loopback TCP proxy for one connection that passes the client's bytes on a few at a time,
/// each piece its own segment, so the server reads TLS records in fragments: record headers
/// split, records spread over many reads. The server's answers pass through unchanged.
final class TrickleProxy: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let upstreamPort: Int
    private let pieceSizes: [Int]

    /// `pieceSizes` are used in turn for the client's bytes.
    init(upstreamPort: Int, pieceSizes: [Int] = [1, 3, 2, 7, 5]) throws {
        self.upstreamPort = upstreamPort
        self.pieceSizes = pieceSizes
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 1) == 0 else {
            close(listener)
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        self.listener = listener
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in serveOne() }
    }

    deinit {
        close(listener)
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    private func serveOne() {
        let client = accept(listener, nil, nil)
        guard client >= 0 else { return }
        let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = Self.loopback(port: upstreamPort)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(client)
            close(server)
            return
        }
        var noDelay: Int32 = 1
        setsockopt(server, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
        let done = DispatchGroup()
        done.enter()
        Thread.detachNewThread { [pieceSizes] in
            Self.pump(from: client, to: server, pieceSizes: pieceSizes)
            done.leave()
        }
        Self.pump(from: server, to: client, pieceSizes: [])
        done.wait()
        close(client)
        close(server)
    }

    /// Copies until end of stream; with `pieceSizes`, in pieces of those sizes, pausing between.
    private static func pump(from source: Int32, to destination: Int32, pieceSizes: [Int]) {
        var buffer = [UInt8](repeating: 0, count: 16384)
        var turn = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(source, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            var offset = 0
            while offset < count {
                let size = pieceSizes.isEmpty ? count - offset : min(pieceSizes[turn % pieceSizes.count], count - offset)
                turn += 1
                let sent = buffer.withUnsafeBytes { send(destination, $0.baseAddress! + offset, size, Int32(MSG_NOSIGNAL)) }
                if sent <= 0 { return }
                offset += sent
                // The scenario itself: a slow client, one small piece at a time.
                if !pieceSizes.isEmpty { usleep(300) }
            }
        }
        shutdown(destination, Int32(SHUT_WR))
    }
}
