import CCurl

/// One request in flight: its easy handle, the buffers libcurl points into, and where its events go.
/// Built on the caller's thread; after `CurlEngine` adds it to the multi handle, touched only on the engine's
/// thread (libcurl calls back there).
final class CurlTransfer: @unchecked Sendable {
    let id: Int
    let easy: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private let receive: @Sendable (TransferEvent) -> Void
    private let summary: String
    private var status = 0
    private var headers: [String: String] = [:]
    private var headDelivered = false
    private var finished = false
    /// Set for watches: when it is full, body bytes are refused and the transfer pauses.
    let buffer: WatchBuffer?

    init(id: Int, request: HTTPRequest, buffer: WatchBuffer? = nil,
         receive: @escaping @Sendable (TransferEvent) -> Void) throws {
        guard let easy = curl_easy_init() else {
            throw KubernetesError.transport("libcurl could not create a handle")
        }
        self.id = id
        self.buffer = buffer
        self.easy = easy
        self.receive = receive
        self.summary = "\(request.method) \(request.url.split(separator: "?", maxSplits: 1).first ?? "")"
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        do {
            try configure(request)
        } catch {
            release()
            throw error
        }
    }

    deinit {
        release()
    }

    private var released = false

    private func release() {
        guard !released else { return }
        released = true
        curl_easy_cleanup(easy)
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
    }

    private func check(_ code: CURLcode, _ what: String) throws {
        guard code == CURLE_OK else {
            throw KubernetesError.transport("\(summary): cannot set \(what): \(String(cString: curl_easy_strerror(code)))")
        }
    }

    private func configure(_ request: HTTPRequest) throws {
        try check(ccurl_easy_setopt_string(easy, CURLOPT_URL, request.url), "URL")
        try check(ccurl_easy_setopt_string(easy, CURLOPT_PROTOCOLS_STR, "http,https"), "protocols")
        try check(ccurl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1), "nosignal")
        try check(ccurl_easy_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1), "keepalive")
        // Wait for an HTTP/2 connection being set up rather than opening another beside it.
        try check(ccurl_easy_setopt_long(easy, CURLOPT_PIPEWAIT, 1), "pipewait")
        try check(ccurl_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer), "error buffer")
        let timeout = milliseconds(request.timeout)
        try check(ccurl_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, timeout), "timeout")
        let connect = request.connectTimeout.map(milliseconds) ?? min(timeout, 10_000)
        try check(ccurl_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, connect), "connect timeout")

        switch request.method {
        case "GET":
            try check(ccurl_easy_setopt_long(easy, CURLOPT_HTTPGET, 1), "GET")
        case "POST":
            break   // set by the body below
        default:
            try check(ccurl_easy_setopt_string(easy, CURLOPT_CUSTOMREQUEST, request.method), "method")
        }
        if request.method == "HEAD" {
            try check(ccurl_easy_setopt_long(easy, CURLOPT_NOBODY, 1), "HEAD")
        }
        // A body turns a transfer into a POST in libcurl; GET and HEAD never carry one.
        let carriesBody = request.method != "GET" && request.method != "HEAD"
            && (!request.body.isEmpty || ["POST", "PUT", "PATCH"].contains(request.method))
        if carriesBody {
            try check(ccurl_easy_setopt_off_t(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)),
                      "body size")
            // COPYPOSTFIELDS copies, so the request's array need not outlive this call.
            try request.body.withUnsafeBytes { bytes in
                let empty: StaticString = ""
                let pointer = bytes.baseAddress.map { UnsafeMutableRawPointer(mutating: $0) }
                    ?? UnsafeMutableRawPointer(mutating: empty.utf8Start)
                try check(ccurl_easy_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, pointer), "body")
            }
        }

        // "Expect:" (no value) turns off 100-continue, which costs a round trip for nothing here; any other
        // header with an empty value is sent as such ("Name;" in libcurl's syntax).
        var lines = request.headers.map { name, value in value.isEmpty ? "\(name);" : "\(name): \(value)" }
        lines.append("Expect:")
        for line in lines {
            guard let list = curl_slist_append(headerList, line) else {
                throw KubernetesError.transport("\(summary): cannot add header \(line.prefix(while: { $0 != ":" }))")
            }
            headerList = list
        }
        try check(ccurl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, headerList), "headers")

        if let certificateAuthority = request.certificateAuthorityPEM {
            try setBlob(CURLOPT_CAINFO_BLOB, certificateAuthority, "certificate authority")
        }
        if request.insecureSkipTLSVerify {
            try check(ccurl_easy_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, 0), "verify peer")
            try check(ccurl_easy_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, 0), "verify host")
        }
        if let certificate = request.clientCertificatePEM, let key = request.clientKeyPEM {
            try check(ccurl_easy_setopt_string(easy, CURLOPT_SSLCERTTYPE, "PEM"), "client certificate type")
            try setBlob(CURLOPT_SSLCERT_BLOB, certificate, "client certificate")
            try check(ccurl_easy_setopt_string(easy, CURLOPT_SSLKEYTYPE, "PEM"), "client key type")
            try setBlob(CURLOPT_SSLKEY_BLOB, key, "client key")
        }

        let context = Unmanaged.passUnretained(self).toOpaque()
        try check(ccurl_easy_setopt_data_callback(easy, CURLOPT_WRITEFUNCTION, curlTransferWrite), "write callback")
        try check(ccurl_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, context), "write data")
        try check(ccurl_easy_setopt_data_callback(easy, CURLOPT_HEADERFUNCTION, curlTransferHeader), "header callback")
        try check(ccurl_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, context), "header data")
    }

    private func setBlob(_ option: CURLoption, _ text: String, _ what: String) throws {
        var bytes = Array(text.utf8)
        try bytes.withUnsafeMutableBytes { buffer in
            try check(ccurl_easy_setopt_blob(easy, option, buffer.baseAddress, buffer.count), what)
        }
    }

    private func milliseconds(_ duration: Duration) -> Int {
        let parts = duration.components
        return max(1, Int(parts.seconds) * 1000 + Int(parts.attoseconds / 1_000_000_000_000_000))
    }

    // MARK: - Engine thread

    /// A header line as libcurl delivers it (status lines included, CRLF kept).
    func receiveHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        let line = String(decoding: bytes, as: UTF8.self).trimmingWhitespaceAndNewlines()
        if line.hasPrefix("HTTP/") {
            // A new response begins (after 100 Continue, or a redirect): forget the previous one's headers.
            let parts = line.split(separator: " ", maxSplits: 2)
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            headers = [:]
        } else if line.isEmpty {
            if status >= 200 { deliverHead() }
        } else if let colon = line.firstIndex(of: ":") {
            let name = line[..<colon].trimmingWhitespace().lowercased()
            let value = line[line.index(after: colon)...].trimmingWhitespace()
            headers[name] = value
        }
    }

    /// False: not taken, pause the transfer (libcurl delivers the same bytes again after the resume).
    func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        deliverHead()
        if let buffer, !buffer.admitsMore() { return false }
        receive(.body(Array(bytes)))
        return true
    }

    private func deliverHead() {
        guard !headDelivered else { return }
        headDelivered = true
        if status == 0 {
            var code = 0
            _ = ccurl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &code)
            status = code
        }
        receive(.head(status: status, headers: headers))
    }

    func finish(_ code: CURLcode) {
        guard !finished else { return }
        if code == CURLE_OK {
            deliverHead()
            finished = true
            receive(.finished(nil))
        } else {
            let detail = errorBuffer.pointee != 0 ? String(cString: errorBuffer) : String(cString: curl_easy_strerror(code))
            finish(failure: "\(summary): \(detail)")
        }
    }

    func finish(failure message: String) {
        guard !finished else { return }
        finished = true
        receive(.finished(.transport(message)))
    }
}

private let curlTransferWrite: ccurl_data_callback = { buffer, size, count, context in
    guard let buffer, let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    guard transfer.receiveBody(UnsafeRawBufferPointer(start: buffer, count: size * count)) else {
        return ccurl_write_pause()
    }
    return size * count
}

private let curlTransferHeader: ccurl_data_callback = { buffer, size, count, context in
    guard let buffer, let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    transfer.receiveHeaderLine(UnsafeRawBufferPointer(start: buffer, count: size * count))
    return size * count
}
