// Checkpoint: what has been sent, so a restart or a new leader resends nothing and loses nothing:
// the ledger of counts claimed and handled, and its form in the Lease annotation.

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KubeClient

/// What has been sent, kept in the cluster so a restart or a new leader resends nothing and loses
/// nothing: per HPA Event uid the highest `count` handled, and when the forwarder first ran.
/// Serialised as JSON into an annotation on the leader Lease.
public struct ScaleCheckpoint: Sendable, Equatable {
    /// The Lease annotation that carries the checkpoint.
    public static let annotation = "kube-injector.io/hpa-forwarder-checkpoint"

    public struct Entry: Sendable, Equatable, Codable {
        /// The highest count sent (or given up on: a final failure is reported, not retried forever).
        public var count: Int
        /// The Event's lastTimestamp when that count was seen; entries expire with the Event.
        public var lastSeen: Date
    }

    /// When this checkpoint was first made: an Event older than this and unknown to the
    /// checkpoint happened before the forwarder existed and is not sent.
    public var since: Date
    public var entries: [String: Entry]

    public init(since: Date, entries: [String: Entry] = [:]) {
        self.since = since
        self.entries = entries
    }

    /// Forgets Events older than `retention` (the API server deletes Events an hour after their
    /// last update), and keeps at most `capacity` entries, newest first, so the annotation stays small.
    public mutating func evict(now: Date, retention: Duration, capacity: Int) {
        let horizon = now.addingTimeInterval(-retention.seconds)
        entries = entries.filter { $0.value.lastSeen >= horizon }
        if entries.count > capacity {
            let kept = entries.sorted { $0.value.lastSeen > $1.value.lastSeen }.prefix(capacity)
            entries = Dictionary(uniqueKeysWithValues: kept.map { ($0.key, $0.value) })
        }
    }

    // MARK: serialisation

    private struct Document: Codable {
        var version: Int
        var since: String
        /// uid -> [count, lastSeen epoch seconds]: compact, since the annotation has a size limit.
        var sent: [String: [Int64]]
    }

    public func serialized() -> String {
        let document = Document(
            version: 1,
            since: KubernetesTimestamp.time(since),
            sent: entries.mapValues { [Int64($0.count), Int64($0.lastSeen.timeIntervalSince1970.rounded(.down))] }
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(document) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    public init(serialized text: String) throws(ScaleCheckpointError) {
        guard let document = try? JSONDecoder().decode(Document.self, from: Data(text.utf8)) else {
            throw .malformed
        }
        guard document.version == 1 else { throw .unsupportedVersion(document.version) }
        guard let since = KubernetesTimestamp.date(from: document.since) else { throw .malformed }
        var entries: [String: Entry] = [:]
        for (uid, pair) in document.sent where pair.count == 2 {
            entries[uid] = Entry(count: Int(pair[0]), lastSeen: Date(timeIntervalSince1970: TimeInterval(pair[1])))
        }
        self.init(since: since, entries: entries)
    }
}

public enum ScaleCheckpointError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed
    case unsupportedVersion(Int)

    public var description: String {
        switch self {
        case .malformed: return "the checkpoint annotation \(ScaleCheckpoint.annotation) is not valid; starting a new one"
        case .unsupportedVersion(let version):
            return "the checkpoint annotation \(ScaleCheckpoint.annotation) has version \(version), newer than this build understands"
        }
    }
}
