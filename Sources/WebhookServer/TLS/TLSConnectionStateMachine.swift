/// The life of one server-side TLS connection, as decisions only: the handler feeds it what
/// OpenSSL and the channel reported and performs the action it returns. Kept free of OpenSSL and
/// NIO so every transition can be read (and tested) on its own.
struct TLSConnectionStateMachine {
    enum State: Equatable {
        /// Channel not active yet.
        case idle
        case handshaking
        case active
        /// close_notify sent (or the peer's received); the channel is being closed.
        case closing
        case closed
    }

    /// What one SSL_do_handshake step reported.
    enum HandshakeResult: Equatable {
        case complete
        case wantsMoreBytes
        case failed(String)
    }

    /// What an SSL_read loop ended with.
    enum ReadResult: Equatable {
        case wantsMoreBytes
        case closeNotifyReceived
        case failed(String)
    }

    enum ActiveAction: Equatable {
        case startHandshake
        case none
    }

    enum HandshakeAction: Equatable {
        /// Send what OpenSSL produced and wait for the client's next flight.
        case flushAndWait
        /// Handshake done: cancel the timer, send buffered writes, read any early application data.
        case completeHandshake
        /// Count it, send the alert OpenSSL produced, close the channel.
        case failHandshake(String)
        case none
    }

    enum BytesReceivedAction: Equatable {
        case continueHandshake
        case readPlaintext
        case discard
    }

    enum ReadAction: Equatable {
        case none
        /// The peer said goodbye: answer with our close_notify and close.
        case sendCloseNotifyAndClose
        case close
        case failConnection(String)
    }

    enum WriteAction: Equatable {
        /// Hold plaintext until the handshake completes.
        case buffer
        case encrypt
        case failWrite
    }

    enum CloseAction: Equatable {
        /// Nothing encrypted can be said yet (or any more): close the socket.
        case closeNow
        /// Flush pending plaintext, send close_notify, then close the socket.
        case sendCloseNotifyAndClose
        /// Already on the way out.
        case alreadyClosing
    }

    enum TimeoutAction: Equatable {
        case failHandshake(String)
        case none
    }

    private(set) var state: State = .idle

    mutating func channelActive() -> ActiveAction {
        guard state == .idle else { return .none }
        state = .handshaking
        return .startHandshake
    }

    mutating func handshakeStepped(_ result: HandshakeResult) -> HandshakeAction {
        guard state == .handshaking else { return .none }
        switch result {
        case .complete:
            state = .active
            return .completeHandshake
        case .wantsMoreBytes:
            return .flushAndWait
        case .failed(let reason):
            state = .closing
            return .failHandshake(reason)
        }
    }

    func bytesReceived() -> BytesReceivedAction {
        switch state {
        case .handshaking: return .continueHandshake
        case .active: return .readPlaintext
        case .idle, .closing, .closed: return .discard
        }
    }

    mutating func readEnded(_ result: ReadResult) -> ReadAction {
        switch (state, result) {
        case (.active, .wantsMoreBytes):
            return .none
        case (.active, .closeNotifyReceived):
            state = .closing
            return .sendCloseNotifyAndClose
        case (.active, .failed(let reason)):
            state = .closing
            return .failConnection(reason)
        case (.closing, .closeNotifyReceived):
            return .close
        default:
            return .none
        }
    }

    func writeRequested() -> WriteAction {
        switch state {
        case .idle, .handshaking: return .buffer
        case .active: return .encrypt
        case .closing, .closed: return .failWrite
        }
    }

    mutating func closeRequested() -> CloseAction {
        switch state {
        case .idle, .handshaking:
            state = .closing
            return .closeNow
        case .active:
            state = .closing
            return .sendCloseNotifyAndClose
        case .closing, .closed:
            return .alreadyClosing
        }
    }

    mutating func handshakeTimedOut() -> TimeoutAction {
        guard state == .handshaking else { return .none }
        state = .closing
        return .failHandshake("TLS handshake timed out")
    }

    mutating func channelInactive() {
        state = .closed
    }
}
