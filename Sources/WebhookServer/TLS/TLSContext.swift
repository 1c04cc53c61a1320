import COpenSSL

/// A ready-to-serve OpenSSL server context: one certificate chain and key, TLS 1.2 and 1.3 with
/// ECDHE AEAD suites only, ALPN `http/1.1`, and optionally client certificates verified against a
/// CA. Immutable once built; connections keep the context they started with (OpenSSL counts the
/// references), so replacing it never disturbs a live connection.
public final class TLSContext: @unchecked Sendable {
    // @unchecked: the SSL_CTX is never mutated after init, and OpenSSL allows concurrent SSL_new on it.
    let context: OpaquePointer
    /// notAfter of the serving certificate, in seconds since the epoch.
    public let certificateExpiry: Int64

    /// notAfter as RFC 3339 for logs; "unknown" when OpenSSL could not read it.
    public var certificateNotAfter: String {
        certificateExpiry > 0 ? RFC3339Timestamp.string(secondsSinceEpoch: certificateExpiry) : "unknown"
    }

    /// TLS 1.2 suites: ECDHE key exchange with AEAD ciphers only (TLS 1.3 suites are all AEAD).
    static let tls12CipherList =
        "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
        + "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"
    static let tls13Suites = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"

    /// Builds a context from PEM bytes. `certificateChainPEM` holds the leaf first, then any
    /// intermediates. Throws `TLSConfigurationError` naming the part that is wrong.
    public init(certificateChainPEM: [UInt8], privateKeyPEM: [UInt8], clientCAPEM: [UInt8]? = nil) throws {
        guard let context = SSL_CTX_new(TLS_server_method()) else {
            throw TLSConfigurationError.openSSL(step: "SSL_CTX_new", detail: Self.drainErrors())
        }
        var built = false
        defer { if !built { SSL_CTX_free(context) } }

        guard ki_ssl_ctx_set_min_proto_version(context, ki_tls1_2_version()) == 1,
              ki_ssl_ctx_set_max_proto_version(context, ki_tls1_3_version()) == 1,
              SSL_CTX_set_cipher_list(context, Self.tls12CipherList) == 1,
              SSL_CTX_set_ciphersuites(context, Self.tls13Suites) == 1,
              ki_ssl_ctx_set1_groups_list(context, "X25519:P-256:P-384") == 1
        else {
            throw TLSConfigurationError.openSSL(step: "protocol settings", detail: Self.drainErrors())
        }
        // No renegotiation, prefer our suite order, no compression; release idle buffers so
        // thousands of keep-alive connections stay small.
        _ = ki_ssl_ctx_set_options(
            context,
            ki_ssl_op_no_renegotiation() | ki_ssl_op_cipher_server_preference() | ki_ssl_op_no_compression()
                | ki_ssl_op_no_ticket()
        )
        _ = ki_ssl_ctx_set_mode(context, Int(SSL_MODE_RELEASE_BUFFERS))
        // The API server keeps its connections alive; resumption would only add per-handshake work.
        _ = ki_ssl_ctx_set_session_cache_mode(context, Int(SSL_SESS_CACHE_OFF))
        _ = SSL_CTX_set_num_tickets(context, 0)
        ki_ssl_ctx_set_alpn_http11_only(context)

        guard ki_ssl_ctx_use_certificate_chain_pem(context, certificateChainPEM, certificateChainPEM.count) == 1 else {
            throw TLSConfigurationError.certificate(Self.drainErrors())
        }
        switch ki_ssl_ctx_use_private_key_pem(context, privateKeyPEM, privateKeyPEM.count) {
        case 1: break
        case -1: throw TLSConfigurationError.keyDoesNotMatchCertificate(Self.drainErrors())
        default: throw TLSConfigurationError.privateKey(Self.drainErrors())
        }
        guard SSL_CTX_check_private_key(context) == 1 else {
            throw TLSConfigurationError.keyDoesNotMatchCertificate(Self.drainErrors())
        }
        if let clientCAPEM {
            guard ki_ssl_ctx_require_client_certificate_pem(context, clientCAPEM, clientCAPEM.count) == 1 else {
                throw TLSConfigurationError.clientCA(Self.drainErrors())
            }
        }
        self.context = context
        self.certificateExpiry = ki_ssl_ctx_certificate_not_after(context)
        built = true
    }

    deinit {
        SSL_CTX_free(context)
    }

    /// A new server-side SSL object for one connection.
    func makeConnection() -> OpaquePointer? {
        SSL_new(context)
    }

    /// OpenSSL's error queue as one line, emptied; for logs and error messages.
    static func drainErrors() -> String {
        var buffer = [CChar](repeating: 0, count: 1024)
        let code = ki_err_drain(&buffer, buffer.count)
        if code == 0 { return "no OpenSSL error recorded" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
