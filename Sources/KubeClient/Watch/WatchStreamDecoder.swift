#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KubernetesAPI

/// Turns the bytes of one watch response into WatchEvents as they arrive: split on newlines, decode each line
/// on its own, yield it at once. Called only from the curl engine's thread, one event at a time.
final class WatchStreamDecoder<T: Decodable & Sendable>: @unchecked Sendable {
    private struct Envelope: Decodable {
        var type: String
    }

    private struct TypedEnvelope<Object: Decodable>: Decodable {
        var object: Object
    }

    private struct BookmarkObject: Decodable {
        struct Metadata: Decodable { var resourceVersion: String? }
        var metadata: Metadata?
    }

    private let continuation: AsyncThrowingStream<WatchEvent<T>, Error>.Continuation
    private let decoder = JSONDecoder()
    private var status = 0
    private var headers: [String: String] = [:]
    private var pending: [UInt8] = []
    private var failed = false
    private let buffer: WatchBuffer?

    init(continuation: AsyncThrowingStream<WatchEvent<T>, Error>.Continuation, buffer: WatchBuffer? = nil) {
        self.continuation = continuation
        self.buffer = buffer
    }

    private func yield(_ event: WatchEvent<T>) {
        buffer?.yielded(1)
        continuation.yield(event)
    }

    func handle(_ event: TransferEvent) {
        guard !failed else { return }
        switch event {
        case .head(let status, let headers):
            self.status = status
            self.headers = headers
        case .body(let bytes):
            pending.append(contentsOf: bytes)
            // A non-200 answer is one Status body, not a stream: keep it whole for the error.
            guard status == 200 else { return }
            decodeCompleteLines()
        case .finished(let error):
            if let error {
                continuation.finish(throwing: error)
            } else if status != 200 {
                continuation.finish(throwing: KubernetesError.from(code: status, headers: headers, body: pending))
            } else {
                if !pending.isEmpty { decodeLine(pending[...]) }
                if !failed { continuation.finish() }
            }
        }
    }

    private func decodeCompleteLines() {
        var start = pending.startIndex
        while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
            decodeLine(pending[start..<newline])
            if failed { return }
            start = newline + 1
        }
        pending.removeSubrange(pending.startIndex..<start)
    }

    private func decodeLine(_ line: ArraySlice<UInt8>) {
        guard line.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\r") }) else { return }
        let data = Data(line)
        do {
            let type = try decoder.decode(Envelope.self, from: data).type
            switch type {
            case "ADDED": yield(.added(try decoder.decode(TypedEnvelope<T>.self, from: data).object))
            case "MODIFIED": yield(.modified(try decoder.decode(TypedEnvelope<T>.self, from: data).object))
            case "DELETED": yield(.deleted(try decoder.decode(TypedEnvelope<T>.self, from: data).object))
            case "BOOKMARK":
                let object = try decoder.decode(TypedEnvelope<BookmarkObject>.self, from: data).object
                yield(.bookmark(resourceVersion: object.metadata?.resourceVersion ?? ""))
            case "ERROR":
                yield(.error(try decoder.decode(TypedEnvelope<Status>.self, from: data).object))
            default:
                fail(KubernetesError.decoding("watch event of unknown type \"\(type)\""))
            }
        } catch {
            fail(KubernetesError.decoding("watch event: \(error)"))
        }
    }

    private func fail(_ error: Error) {
        failed = true
        continuation.finish(throwing: error)
    }
}
