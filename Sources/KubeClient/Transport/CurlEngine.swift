import CCurl

/// The process's one libcurl multi handle, driven by a dedicated thread (curl_multi_poll, woken when work
/// arrives), so connections are pooled and reused across requests and no Swift concurrency thread ever blocks
/// on the network. Callers hand over transfers and await their events.
final class CurlEngine: @unchecked Sendable {
    static let shared = CurlEngine()
    /// Long-lived watches each hold one, so this leaves ample room for ordinary requests.
    static let maximumConnectionsPerHost = 32

    private struct Inbox {
        var added: [CurlTransfer] = []
        var cancelled: [Int] = []
        var resumed: [Int] = []
        var nextID = 0
        /// Set by `shutDown`: the thread ends its transfers and exits.
        var stopping = false
        /// Transfers handed over and not yet finished: a cancellation for one of these goes to the engine.
        var live: Set<Int> = []
        /// Cancellations that came before their transfer was handed over; the hand-over finds them here.
        var cancelledBeforeAdd: Set<Int> = []
    }

    private let multi: UnsafeMutableRawPointer?
    private let inbox = LockedValue(Inbox())
    /// Engine thread only.
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]

    /// `shared` for ordinary traffic; a client that must not queue behind it makes its own.
    init() {
        curl_global_init(ccurl_global_all())
        multi = curl_multi_init()
        if let multi {
            _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, 64)
            // A burst of requests to an HTTP/1.1 server would otherwise open a TLS connection each; beyond this
            // many per host, transfers queue for a free one (HTTP/2 multiplexes them onto one anyway).
            _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, Int(CurlEngine.maximumConnectionsPerHost))
            EngineThread.start { [self] in self.run() }
        }
    }

    /// Sends the request and collects the whole response.
    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let collector = ResponseCollector()
        await stream(request) { collector.handle($0) }
        return try collector.response()
    }

    /// Runs the transfer, handing each event to `receive` on the engine's thread as it happens; returns after
    /// `.finished`. Cancelling the calling task aborts the transfer.
    func stream(_ request: HTTPRequest, receive: @escaping @Sendable (TransferEvent) -> Void) async {
        guard multi != nil else {
            receive(.finished(.transport("libcurl could not be initialised")))
            return
        }
        await stream(request, id: makeID(), receive: receive)
    }

    func makeID() -> Int {
        inbox.withLock { inbox in
            inbox.nextID += 1
            return inbox.nextID
        }
    }

    /// `stream` with the transfer's id chosen by the caller, so a test can cancel it before it is added.
    func stream(_ request: HTTPRequest, id: Int, buffer: WatchBuffer? = nil,
                receive: @escaping @Sendable (TransferEvent) -> Void) async {
        guard multi != nil else {
            receive(.finished(.transport("libcurl could not be initialised")))
            return
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let transfer: CurlTransfer
                do {
                    transfer = try CurlTransfer(id: id, request: request, buffer: buffer) { event in
                        receive(event)
                        if case .finished = event { continuation.resume() }
                    }
                } catch {
                    receive(.finished(error as? KubernetesError ?? .transport("\(error)")))
                    continuation.resume()
                    return
                }
                // The check and the hand-over happen under the lock that `cancel` takes, so a cancellation
                // is either seen here or finds the transfer live: it can no longer fall in between.
                let added = inbox.withLock { inbox in
                    guard inbox.cancelledBeforeAdd.remove(id) == nil else { return false }
                    inbox.added.append(transfer)
                    inbox.live.insert(id)
                    return true
                }
                if added {
                    wake()
                } else {
                    transfer.finish(failure: "\(request.method) cancelled")
                }
            }
        } onCancel: {
            cancel(id: id)
        }
    }

    /// Lets a transfer paused by its full `WatchBuffer` read again.
    func resume(id: Int) {
        inbox.withLock { $0.resumed.append(id) }
        wake()
    }

    /// Aborts transfer `id`, whether or not it has been handed over yet.
    func cancel(id: Int) {
        inbox.withLock { inbox in
            if inbox.live.contains(id) {
                inbox.cancelled.append(id)
            } else {
                inbox.cancelledBeforeAdd.insert(id)
            }
        }
        wake()
    }

    private func ended(_ id: Int) {
        inbox.withLock { _ = $0.live.remove(id) }
    }

    private func wake() {
        if let multi { _ = curl_multi_wakeup(multi) }
    }

    // MARK: - Engine thread

    /// Ends a dedicated engine's thread once its owner is gone: transfers still running finish as cancelled,
    /// and the multi handle is released. Never called on `shared`.
    func shutDown() {
        inbox.withLock { $0.stopping = true }
        wake()
    }

    private func run() {
        guard let multi else { return }
        while true {
            let (added, cancelled, resumed, stopping) = inbox.withLock { inbox in
                defer { inbox.added = []; inbox.cancelled = []; inbox.resumed = [] }
                return (inbox.added, inbox.cancelled, inbox.resumed, inbox.stopping)
            }
            if stopping {
                for transfer in added { transfer.finish(failure: "cancelled: the client was released") }
                for (easy, transfer) in active {
                    curl_multi_remove_handle(multi, easy)
                    transfer.finish(failure: "cancelled: the client was released")
                }
                active = [:]
                curl_multi_cleanup(multi)
                return
            }
            for transfer in added {
                let code = curl_multi_add_handle(multi, transfer.easy)
                if code == CURLM_OK {
                    active[transfer.easy] = transfer
                } else {
                    ended(transfer.id)
                    transfer.finish(failure: "libcurl refused the transfer: \(String(cString: curl_multi_strerror(code)))")
                }
            }
            for id in resumed {
                guard let (easy, _) = active.first(where: { $0.value.id == id }) else { continue }
                // CURLPAUSE_CONT is 0: unpause both directions.
                _ = curl_easy_pause(easy, 0)
            }
            for id in cancelled {
                guard let (easy, transfer) = active.first(where: { $0.value.id == id }) else { continue }
                active[easy] = nil
                curl_multi_remove_handle(multi, easy)
                ended(id)
                transfer.finish(failure: "cancelled")
            }

            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            var remaining: Int32 = 0
            while let message = curl_multi_info_read(multi, &remaining) {
                guard ccurl_message_kind(message) == CURLMSG_DONE, let easy = ccurl_message_easy(message) else {
                    continue
                }
                let result = ccurl_message_result(message)
                curl_multi_remove_handle(multi, easy)
                if let transfer = active.removeValue(forKey: easy) {
                    ended(transfer.id)
                    transfer.finish(result)
                }
            }
            var ready: Int32 = 0
            curl_multi_poll(multi, nil, 0, 1000, &ready)
        }
    }
}
