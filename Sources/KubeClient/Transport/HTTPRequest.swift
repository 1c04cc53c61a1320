/// One outbound HTTPS request over the client's libcurl stack; the forwarder's sinks use it directly.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    /// In order; a name may repeat.
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// Whole-request deadline: connect, send, wait and receive.
    public var timeout: Duration
    /// Deadline for the TCP and TLS handshake alone; nil: the smaller of `timeout` and 10 seconds.
    public var connectTimeout: Duration?
    /// Trust only this CA (PEM); nil: the system trust store.
    public var certificateAuthorityPEM: String?
    /// Present a client certificate (both PEM) for mutual TLS.
    public var clientCertificatePEM: String?
    public var clientKeyPEM: String?
    /// Skip server certificate verification; for development set-ups only.
    public var insecureSkipTLSVerify: Bool

    public init(method: String, url: String, headers: [(String, String)] = [], body: [UInt8] = [],
                timeout: Duration = .seconds(10), certificateAuthorityPEM: String? = nil,
                clientCertificatePEM: String? = nil, clientKeyPEM: String? = nil,
                insecureSkipTLSVerify: Bool = false) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = nil
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
    }

    /// Same, with headers from a dictionary (sent in name order, so requests are reproducible).
    public init(method: String, url: String, headers: [String: String], body: [UInt8] = [],
                timeout: Duration = .seconds(10), certificateAuthorityPEM: String? = nil) {
        self.init(method: method, url: url, headers: headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
                  body: body, timeout: timeout, certificateAuthorityPEM: certificateAuthorityPEM)
    }
}
