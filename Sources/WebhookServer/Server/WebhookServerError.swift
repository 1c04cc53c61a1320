import NIOCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the webhook server could not start or stop cleanly.
public enum WebhookServerError: Error, CustomStringConvertible {
    case cannotListen(host: String, port: Int, reason: String)
    case openSSLAllocationFailed
    case gracePeriodExpired

    public var description: String {
        switch self {
        case .cannotListen(let host, let port, let reason):
            return "cannot listen on \(host):\(port): \(reason)"
        case .openSSLAllocationFailed:
            return "OpenSSL could not allocate a connection"
        case .gracePeriodExpired:
            return "in-flight requests did not finish within the grace period"
        }
    }
}

extension WebhookServerError {
    /// Why a bind failed, in the operating system's words ("address already in use"), not NIO's
    /// `bind(descriptor:ptr:bytes:): Address already in use (errno: 98)`.
    static func listenFailureReason(_ error: any Error) -> String {
        guard let io = error as? IOError else { return "\(error)" }
        let text = String(cString: strerror(io.errnoCode))
        return text.prefix(1).lowercased() + text.dropFirst()
    }
}
