/// Why a certificate, key or client CA could not be turned into a serving TLS context.
public enum TLSConfigurationError: Error, CustomStringConvertible, Equatable {
    case openSSL(step: String, detail: String)
    case certificate(String)
    case privateKey(String)
    case keyDoesNotMatchCertificate(String)
    case clientCA(String)
    case unreadableFile(path: String, reason: String)
    case developmentCertificate

    public var description: String {
        switch self {
        case .openSSL(let step, let detail):
            return "OpenSSL failed at \(step): \(detail)"
        case .certificate(let detail):
            return "the certificate is not a PEM certificate OpenSSL accepts: \(detail)"
        case .privateKey(let detail):
            return "the private key is not a PEM private key OpenSSL accepts: \(detail)"
        case .keyDoesNotMatchCertificate(let detail):
            return "the private key does not belong to the certificate: \(detail)"
        case .clientCA(let detail):
            return "the client CA file holds no usable PEM certificate: \(detail)"
        case .unreadableFile(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .developmentCertificate:
            return "OpenSSL could not generate the --dev certificate: \(TLSContext.drainErrors())"
        }
    }
}
