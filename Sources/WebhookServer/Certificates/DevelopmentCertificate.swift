import COpenSSL

/// A throw-away self-signed certificate with an EC P-256 key, made in memory for `serve --dev`.
public struct DevelopmentCertificate: Sendable {
    public var certificatePEM: [UInt8]
    public var privateKeyPEM: [UInt8]

    /// `hostName` becomes the subject CN and a DNS subjectAltName, `ipAddress` an IP one.
    public init(hostName: String = "localhost", ipAddress: String? = "127.0.0.1", validDays: Int = 7) throws {
        var certificate: UnsafeMutablePointer<CChar>?
        var key: UnsafeMutablePointer<CChar>?
        guard ki_generate_self_signed_p256(hostName, ipAddress, Int32(validDays), &certificate, &key) == 1,
              let certificate, let key
        else {
            throw TLSConfigurationError.developmentCertificate
        }
        defer {
            ki_free(certificate)
            ki_free(key)
        }
        certificatePEM = Array(String(cString: certificate).utf8)
        privateKeyPEM = Array(String(cString: key).utf8)
    }

    public func makeContext() throws -> TLSContext {
        try TLSContext(certificateChainPEM: certificatePEM, privateKeyPEM: privateKeyPEM)
    }
}
