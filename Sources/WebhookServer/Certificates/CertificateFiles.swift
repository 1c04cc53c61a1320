#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The serving certificate, its key and the optional client CA as PEM files, typically a mounted
/// Kubernetes Secret. Reading goes through the paths each time, so the `..data` symlink swap a
/// Secret update performs is followed.
public struct CertificateFiles: Sendable, Equatable {
    public var certificatePath: String
    public var privateKeyPath: String
    public var clientCAPath: String?

    public init(certificatePath: String, privateKeyPath: String, clientCAPath: String? = nil) {
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
        self.clientCAPath = clientCAPath
    }

    /// The files' current bytes.
    public struct Contents: Equatable, Sendable {
        var certificate: [UInt8]
        var privateKey: [UInt8]
        var clientCA: [UInt8]?
    }

    public func readContents() throws -> Contents {
        Contents(
            certificate: try Self.readFile(certificatePath),
            privateKey: try Self.readFile(privateKeyPath),
            clientCA: try clientCAPath.map(Self.readFile)
        )
    }

    /// Reads and builds a serving context; errors name the file and the problem.
    public func makeContext() throws -> TLSContext {
        try makeContext(from: readContents())
    }

    func makeContext(from contents: Contents) throws -> TLSContext {
        do {
            return try TLSContext(
                certificateChainPEM: contents.certificate, privateKeyPEM: contents.privateKey,
                clientCAPEM: contents.clientCA)
        } catch let error as TLSConfigurationError {
            throw CertificateFilesError(files: self, problem: error)
        }
    }

    static func readFile(_ path: String) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw TLSConfigurationError.unreadableFile(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw TLSConfigurationError.unreadableFile(path: path, reason: String(cString: strerror(errno)))
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > 1 << 20 {
                throw TLSConfigurationError.unreadableFile(path: path, reason: "larger than 1 MiB, not a PEM file")
            }
        }
    }
}
