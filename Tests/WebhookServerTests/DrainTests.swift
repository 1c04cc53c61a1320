import Foundation
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// SIGTERM under keep-alive load, against the built `kube-injector serve`. Before, every busy
/// connection lost the request it had already sent when the drain period ended (wrk: `read 32`),
/// and no answer during the drain said `Connection: close`. The API server does not retry a POST
/// on a reused connection that closes (Go's transport replays only idempotent requests), so a
/// lost request is a pod admitted without its injection.
final class DrainTests: XCTestCase {
    private var pki: TestCertificates!

    override func setUp() async throws {
        pki = try TestCertificates.make()
    }

    override func tearDown() async throws {
        pki?.remove()
    }

    func testSIGTERMUnder32KeepAliveConnectionsLosesNoRequest() async throws {
        let pair = try pki.makeServingPair(name: "serving", organization: "drain")
        let server = try await ServerProcess(
            directory: pki.directory, certificate: pair.chainPath, key: pair.keyPath, arguments: ["--drain-seconds", "2"])
        let port = server.port

        final class Tally: @unchecked Sendable {
            let lock = NSLock()
            var answered = 0
            var terminated = false
            func add() { lock.lock(); answered += 1; lock.unlock() }
            var count: Int { lock.lock(); defer { lock.unlock() }; return answered }
            var isTerminated: Bool { lock.lock(); defer { lock.unlock() }; return terminated }
            func terminate() { lock.lock(); terminated = true; lock.unlock() }
        }
        struct Worker: Sendable {
            var answered = 0
            var closeAnswers = 0
            var lost: [String] = []
            var connections = 0
        }
        let tally = Tally()
        let giveUp = Date().addingTimeInterval(120)
        async let workers = Threads.run(32) { index -> Worker in
            var worker = Worker()
            var client: BlockingTLSClient?
            var sequence = 0
            while Date() < giveUp {
                if client == nil {
                    do {
                        client = try BlockingTLSClient(port: port, timeout: 30)
                        worker.connections += 1
                    } catch {
                        // Refused once the listener has closed: nothing was sent, so nothing is lost.
                        if tally.isTerminated { return worker }
                        Thread.sleep(forTimeInterval: 0.01)
                        continue
                    }
                }
                guard let connection = client else { continue }
                sequence += 1
                let uid = "w\(index)-\(sequence)"
                do {
                    try connection.write(BlockingTLSClient.reviewRequest(AdmissionReviewSamples.podCreate(uid: uid)))
                    let response = try connection.readResponse()
                    guard response.status == 200, response.text.contains(uid) else {
                        worker.lost.append("\(uid): \(response.status) \(response.text.prefix(200))")
                        client = nil
                        continue
                    }
                    worker.answered += 1
                    tally.add()
                    if response.closesConnection {
                        worker.closeAnswers += 1
                        client = nil
                    }
                } catch {
                    worker.lost.append("\(uid): \(error)")
                    client = nil
                }
            }
            return worker
        }
        let loadDeadline = Date().addingTimeInterval(60)
        while tally.count < 32 * 10 && Date() < loadDeadline { try await Task.sleep(nanoseconds: 20_000_000) }
        let answeredBeforeTerm = tally.count
        tally.terminate()
        kill(server.process.processIdentifier, SIGTERM)
        let results = await workers
        let status = await server.waitForExit(limit: 60)

        let lost = results.flatMap(\.lost)
        let answered = results.map(\.answered).reduce(0, +)
        let closeAnswers = results.map(\.closeAnswers).reduce(0, +)
        print("drain: \(answered) answered (\(answeredBeforeTerm) before SIGTERM), \(closeAnswers) with Connection: close, \(results.map(\.connections).reduce(0, +)) connections, \(lost.count) lost")
        XCTAssertGreaterThanOrEqual(answeredBeforeTerm, 32 * 10, "the load was running")
        XCTAssertEqual(lost, [], "no request that was sent may go unanswered")
        XCTAssertGreaterThanOrEqual(closeAnswers, 32, "each connection was told to close during the drain")
        XCTAssertEqual(status, 0, server.output.suffix(2000).description)
    }
}
