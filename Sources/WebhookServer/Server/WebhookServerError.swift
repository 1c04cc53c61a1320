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
