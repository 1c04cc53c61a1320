import Foundation
import TestSupport
import XCTest

/// The connection's last answer: RFC 9112 §9.6 (nothing is answered after a `Connection: close`
/// answer), the drain's `Connection: close` on every answer, and RFC 9110 §15.5.6 (`Allow` on 405).
final class ConnectionCloseTests: XCTestCase {
    private var pki: TestCertificates!

    override func setUp() async throws {
        pki = try TestCertificates.make()
    }

    override func tearDown() async throws {
        pki?.remove()
    }

    /// RFC 9112 §9.6: a server that sends `close` must not process further requests on that
    /// connection. Before, the pipelined second request got a 200 and the garbage a 400.
    func testNothingPipelinedAfterAConnectionCloseRequestIsAnswered() async throws {
        let server = try await WebhookTestServer(pki: pki, pair: try pki.makeServingPair(name: "serving", organization: "close"))
        let port = server.port
        let text = try await Threads.one {
            let client = try BlockingTLSClient(port: port)
            try client.write("GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                + "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n" + "NOT HTTP AT ALL\r\n\r\n")
            return String(decoding: client.readUntilClosed(), as: UTF8.self)
        }
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 200 OK"), text)
        XCTAssertTrue(text.lowercased().contains("connection: close"), text)
        XCTAssertEqual(text.components(separatedBy: "HTTP/1.1 ").count - 1, 1, "exactly one answer: \(text)")
        try await server.stop()
    }

    /// RFC 9110 §15.5.6: a 405 carries `Allow` with the methods the resource supports.
    func testMethodNotAllowedNamesTheAllowedMethods() async throws {
        let server = try await WebhookTestServer(pki: pki, pair: try pki.makeServingPair(name: "serving", organization: "allow"))
        let port = server.port
        let (mutate, healthz) = try await Threads.one {
            let client = try BlockingTLSClient(port: port)
            try client.write("GET /mutate HTTP/1.1\r\nHost: localhost\r\n\r\n")
            let mutate = try client.readResponse()
            try client.write("POST /healthz HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n")
            return (mutate, try client.readResponse())
        }
        XCTAssertEqual(mutate.status, 405)
        XCTAssertEqual(mutate.headers["allow"], "POST")
        XCTAssertEqual(healthz.status, 405)
        XCTAssertEqual(healthz.headers["allow"], "GET, HEAD")
        try await server.stop()
    }

    /// Once shutdown begins every answer says `Connection: close` and the connection then closes,
    /// so the API server opens its next connection to another replica.
    func testEveryAnswerDuringTheDrainClosesItsConnection() async throws {
        let server = try await WebhookTestServer(pki: pki, pair: try pki.makeServingPair(name: "serving", organization: "drain")) {
            $0.drainPeriod = .seconds(5)
        }
        let port = server.port
        let client = try await Threads.one { try BlockingTLSClient(port: port) }
        let before = try await Threads.one {
            try client.write("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
            return try client.readResponse()
        }
        XCTAssertFalse(before.closesConnection, "keep-alive while serving normally")
        await server.triggerGracefulShutdown()
        let during = try await Threads.one {
            try client.write(BlockingTLSClient.reviewRequest(AdmissionReviewSamples.podCreate(uid: "drain-1")))
            return try client.readResponse()
        }
        XCTAssertEqual(during.status, 200)
        XCTAssertTrue(during.text.contains("drain-1"), during.text)
        XCTAssertTrue(during.closesConnection, "an answer during the drain must carry Connection: close")
        let rest = await Threads.run(1) { _ in client.readUntilClosed() }
        XCTAssertEqual(rest.first?.count, 0, "the connection closes after its close-bearing answer, with nothing more")
        try await server.stop()
    }
}
