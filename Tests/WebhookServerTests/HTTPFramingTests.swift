import Foundation
import TestSupport
import XCTest

/// How the webhook frames its HTTP/1.1 answers over one TLS connection: pipelined requests are
/// answered in order, TLS records split across reads are put back together, HEAD gets the head
/// only, and bytes that are not HTTP get a 400 and a close.
final class HTTPFramingTests: XCTestCase {
    private var pki: TestCertificates!
    private var server: WebhookTestServer!

    override func setUp() async throws {
        pki = try TestCertificates.make()
        server = try await WebhookTestServer(pki: pki, pair: try pki.makeServingPair(name: "serving", organization: "framing"))
    }

    override func tearDown() async throws {
        try await server?.stop()
        pki?.remove()
    }

    private func post(_ body: String) -> String {
        "POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    func testPipelinedReviewsAreAnsweredInOrderOnOneConnection() async throws {
        let session = try OpenSSLClientSession(port: server.port, caFile: pki.caCertificatePath)
        defer { session.close() }
        let uids = (1...5).map { "pipelined-\($0)" }
        // All five requests leave in one write, so the server reads them together.
        session.send(uids.map { post(AdmissionReviewSamples.podCreate(uid: $0)) }.joined()
                     + "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        let received = try await session.waitFor("ok\n")
        let positions = uids.compactMap { received.range(of: "\"uid\":\"\($0)\"")?.lowerBound }
        XCTAssertEqual(positions.count, uids.count, received)
        XCTAssertEqual(positions, positions.sorted(), "answers must come back in request order")
        XCTAssertEqual(received.components(separatedBy: "HTTP/1.1 200 OK\r\n").count - 1, uids.count + 1, received)
        XCTAssertFalse(received.lowercased().contains("connection: close"), received)
    }

    func testTLSRecordsThatArriveAFewBytesAtATimeAreReassembled() async throws {
        // Every read holds a fragment: record headers split across reads, a record over many.
        let proxy = try TrickleProxy(upstreamPort: server.port)
        let session = try OpenSSLClientSession(port: proxy.port, caFile: pki.caCertificatePath)
        defer { session.close() }
        let uids = ["trickled-1", "trickled-2"]
        session.send(uids.map { post(AdmissionReviewSamples.podCreate(uid: $0)) }.joined()
                     + "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        let received = try await session.waitFor("ok\n")
        let positions = uids.compactMap { received.range(of: "\"uid\":\"\($0)\"")?.lowerBound }
        XCTAssertEqual(positions.count, uids.count, received)
        XCTAssertEqual(positions, positions.sorted(), received)
        XCTAssertTrue(received.contains("\"patch\":"), received)
    }

    func testEachAnswerCarriesItsLengthAndType() async throws {
        let session = try OpenSSLClientSession(port: server.port, caFile: pki.caCertificatePath)
        defer { session.close() }
        session.send("GET /readyz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        let answer = try await session.waitFor("ok\n")
        XCTAssertTrue(answer.contains("HTTP/1.1 200 OK\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: 3\r\n\r\nok\n"), answer)
    }

    func testHeadGetsTheHeadWithoutTheBody() async throws {
        let session = try OpenSSLClientSession(port: server.port, caFile: pki.caCertificatePath)
        defer { session.close() }
        session.send("HEAD /healthz HTTP/1.1\r\nHost: localhost\r\n\r\nGET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        let answer = try await session.waitFor("ok\n")
        // The HEAD answer announces 3 bytes but sends none: the next bytes are the GET's answer.
        XCTAssertTrue(answer.contains("content-length: 3\r\n\r\nHTTP/1.1 200 OK\r\n"), answer)
        XCTAssertEqual(answer.components(separatedBy: "ok\n").count - 1, 1, answer)
    }

    func testHTTP10KeepAliveIsConfirmedAndPlainHTTP10IsClosed() async throws {
        let keeping = try OpenSSLClientSession(port: server.port, caFile: pki.caCertificatePath)
        defer { keeping.close() }
        keeping.send("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        let kept = try await keeping.waitFor("ok\n")
        XCTAssertTrue(kept.hasPrefix("HTTP/1.0 200 OK\r\n") || kept.contains("\nHTTP/1.0 200 OK\r\n"), kept)
        XCTAssertTrue(kept.lowercased().contains("connection: keep-alive"), kept)

        let closing = try OpenSSLClientSession(port: server.port, caFile: pki.caCertificatePath)
        defer { closing.close() }
        closing.send("GET /healthz HTTP/1.0\r\n\r\n")
        let closed = try await closing.waitFor("ok\n")
        XCTAssertTrue(closed.lowercased().contains("connection: close"), closed)
        let ended = try await closing.waitForExit()
        XCTAssertTrue(ended, "an HTTP/1.0 request without keep-alive ends its connection")
    }

    func testBytesThatAreNotHTTPGet400AndTheConnectionCloses() async throws {
        let session = try OpenSSLClientSession(port: server.port, caFile: pki.caCertificatePath)
        defer { session.close() }
        session.send("THIS IS NOT\u{1} HTTP AT ALL\r\n\r\n")
        let answer = try await session.waitFor("malformed HTTP request\n")
        XCTAssertTrue(answer.contains("HTTP/1.1 400 Bad Request\r\n"), answer)
        XCTAssertTrue(answer.lowercased().contains("connection: close"), answer)
        let ended = try await session.waitForExit()
        XCTAssertTrue(ended, "after a request it cannot frame, the server closes")
    }
}
