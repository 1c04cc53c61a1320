@testable import KubeClient
import KubernetesAPI
import XCTest

/// The decoder sees the bytes exactly as libcurl hands them over, cut anywhere.
final class WatchStreamDecoderTests: XCTestCase {
    private let added = #"{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"5"},"involvedObject":{"kind":"Pod"}}}"#
    private let bookmark = #"{"type":"BOOKMARK","object":{"kind":"Event","metadata":{"resourceVersion":"9"}}}"#

    func testEventSplitAcrossChunksIsYieldedOnlyOnceItsLineIsComplete() async throws {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: WatchEvent<Event>.self)
        let decoder = WatchStreamDecoder<Event>(continuation: continuation)
        let bytes = Array((added + "\n" + bookmark + "\n").utf8)
        decoder.handle(.head(status: 200, headers: [:]))
        decoder.handle(.body(Array(bytes[0..<40])))
        decoder.handle(.body(Array(bytes[40..<(added.utf8.count + 3)])))   // first line complete, second begun
        var iterator = stream.makeAsyncIterator()
        guard case .added(let event)? = try await iterator.next() else { return XCTFail("expected ADDED") }
        XCTAssertEqual(event.metadata.name, "a")

        decoder.handle(.body(Array(bytes[(added.utf8.count + 3)...])))
        guard case .bookmark(let version)? = try await iterator.next() else { return XCTFail("expected BOOKMARK") }
        XCTAssertEqual(version, "9")
        decoder.handle(.finished(nil))
        let end = try await iterator.next()
        XCTAssertNil(end)
    }

    func testNonOKAnswerBecomesItsTypedError() async throws {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: WatchEvent<Event>.self)
        let decoder = WatchStreamDecoder<Event>(continuation: continuation)
        decoder.handle(.head(status: 403, headers: [:]))
        decoder.handle(.body(Array(#"{"kind":"Status","code":403,"reason":"Forbidden","message":"no"}"#.utf8)))
        decoder.handle(.finished(nil))
        do {
            for try await _ in stream {}
            XCTFail("expected forbidden")
        } catch KubernetesError.forbidden(let status) {
            XCTAssertEqual(status.message, "no")
        }
    }

    func testGarbledLineEndsTheStreamWithADecodingError() async throws {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: WatchEvent<Event>.self)
        let decoder = WatchStreamDecoder<Event>(continuation: continuation)
        decoder.handle(.head(status: 200, headers: [:]))
        decoder.handle(.body(Array("{not json\n".utf8)))
        do {
            for try await _ in stream {}
            XCTFail("expected a decoding error")
        } catch KubernetesError.decoding {
        }
    }
}
