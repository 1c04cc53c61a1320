@testable import WebhookServer
import XCTest

/// The TLS connection's decisions, without a socket.
final class TLSConnectionStateMachineTests: XCTestCase {
    func testHandshakeThenDataThenPeerCloseNotify() {
        var machine = TLSConnectionStateMachine()
        XCTAssertEqual(machine.channelActive(), .startHandshake)
        XCTAssertEqual(machine.writeRequested(), .buffer, "writes before the handshake wait for it")
        XCTAssertEqual(machine.bytesReceived(), .continueHandshake)
        XCTAssertEqual(machine.handshakeStepped(.wantsMoreBytes), .flushAndWait)
        XCTAssertEqual(machine.handshakeStepped(.complete), .completeHandshake)
        XCTAssertEqual(machine.bytesReceived(), .readPlaintext)
        XCTAssertEqual(machine.writeRequested(), .encrypt)
        XCTAssertEqual(machine.readEnded(.closeNotifyReceived), .sendCloseNotifyAndClose)
        XCTAssertEqual(machine.writeRequested(), .failWrite)
        XCTAssertEqual(machine.closeRequested(), .alreadyClosing)
    }

    func testHandshakeTimeoutOnlyFailsAHandshakeInProgress() {
        var machine = TLSConnectionStateMachine()
        _ = machine.channelActive()
        XCTAssertEqual(machine.handshakeTimedOut(), .failHandshake("TLS handshake timed out"))
        XCTAssertEqual(machine.bytesReceived(), .discard, "nothing is read after a failed handshake")

        var finished = TLSConnectionStateMachine()
        _ = finished.channelActive()
        _ = finished.handshakeStepped(.complete)
        XCTAssertEqual(finished.handshakeTimedOut(), .none, "a late timer must not close a working connection")
    }

    func testCloseBeforeHandshakeClosesAtOnceAndAfterSendsCloseNotify() {
        var early = TLSConnectionStateMachine()
        _ = early.channelActive()
        XCTAssertEqual(early.closeRequested(), .closeNow)

        var active = TLSConnectionStateMachine()
        _ = active.channelActive()
        _ = active.handshakeStepped(.complete)
        XCTAssertEqual(active.closeRequested(), .sendCloseNotifyAndClose)
        XCTAssertEqual(active.closeRequested(), .alreadyClosing)
    }

    func testFailedHandshakeAndFailedReadCloseTheConnection() {
        var machine = TLSConnectionStateMachine()
        _ = machine.channelActive()
        XCTAssertEqual(machine.handshakeStepped(.failed("wrong version number")), .failHandshake("wrong version number"))

        var active = TLSConnectionStateMachine()
        _ = active.channelActive()
        _ = active.handshakeStepped(.complete)
        XCTAssertEqual(active.readEnded(.failed("bad record mac")), .failConnection("bad record mac"))
        active.channelInactive()
        XCTAssertEqual(active.state, .closed)
    }
}
