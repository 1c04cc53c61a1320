import Admission
import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KubeClient

/// Reads the `--objects FILE` of an offline command (`replay`) into the cluster snapshot the
/// admission core decides with; a problem is printed with the file's path and ends the command
/// with exit code 2. Any command that stands a file in for the cluster uses this.
enum ClusterObjectsFile {
    static func load(path: String?) throws -> ClusterSnapshot? {
        guard let path else { return nil }
        let bytes: [UInt8]
        do {
            bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            Replay.standardError("\(path): cannot read the objects file: \(FileReadFailure.reason(error))")
            throw ExitCode(2)
        }
        do {
            return try ClusterObjectsLoader(source: path).load(bytes)
        } catch {
            Replay.standardError("\(error)")
            throw ExitCode(2)
        }
    }
}
