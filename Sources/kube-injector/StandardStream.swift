#if canImport(Glibc)
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard output, standard error and standard input through plain POSIX calls, unbuffered as FileHandle's were
/// (FoundationEssentials has no FileHandle), so a line is out before the process moves on or exits.
enum StandardStream {
    static func writeOutput(_ bytes: [UInt8]) {
        writeAll(bytes, to: STDOUT_FILENO)
    }

    static func writeError(_ text: String) {
        writeAll(Array(text.utf8), to: STDERR_FILENO)
    }

    /// Everything up to end of file; a failed read throws the POSIXError.
    static func readInput() throws -> [UInt8] {
        try readAll(from: STDIN_FILENO)
    }

    /// The whole file at `path`, or standard input for `-`. Plain open(2) and read(2), so
    /// `/dev/stdin`, a pipe or a process substitution (`<(...)`) read like a file; a failure
    /// throws the POSIXError ("No such file or directory").
    static func readFile(_ path: String) throws -> [UInt8] {
        if path == "-" { return try readInput() }
        var descriptor: Int32
        repeat {
            descriptor = open(path, O_RDONLY | O_CLOEXEC)
        } while descriptor < 0 && errno == EINTR
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(descriptor) }
        var status = stat()
        if fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR {
            throw POSIXError(.EISDIR)
        }
        return try readAll(from: descriptor)
    }

    private static func readAll(from descriptor: Int32) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                bytes.append(contentsOf: chunk[..<count])
            } else if count == 0 {
                return bytes
            } else if errno != EINTR {
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            }
        }
    }

    /// Writes all of `bytes`, resuming after partial writes and interruptions; gives up silently on any other
    /// error (a closed pipe), as there is nowhere left to report it.
    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
        bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, base + offset, buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }
}
