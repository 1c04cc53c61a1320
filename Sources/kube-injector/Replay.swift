import Admission
import ArgumentParser
import JSON
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KubeClient

/// `kube-injector replay`: runs the admission engine on saved AdmissionReviews and prints one
/// JSON line per input, for trying a configuration without a cluster.
struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the injection engine on AdmissionReview files and print each answer as one JSON line.",
        discussion: "Without --config the built-in demo configuration is used (the one `serve --dev` uses). With --objects the Namespaces, ResourceQuotas and LimitRanges in FILE stand in for the cluster, and each pod is decided as `serve` would decide it there (Pod Security, quotas). Failures that admit a pod unchanged are reported on stderr.")

    @Option(name: .long, help: "Injection configuration (YAML). Default: the built-in demo configuration.")
    var config: String?

    @Flag(name: .long, help: "Print the object as it would be stored (patched when injected) instead of the response AdmissionReview.")
    var patched = false

    @Option(name: .long, help: "Namespaces, ResourceQuotas and LimitRanges (YAML, multi-document or a List, or JSON) that stand in for the cluster.")
    var objects: String?

    @Argument(help: "AdmissionReview JSON files, or - for standard input.")
    var reviews: [String]

    func run() throws {
        let injection = try ConfigurationFile.load(path: config)
        let controller = AdmissionController(configuration: injection)
        let cluster = try ClusterObjectsFile.load(path: objects)
        var failedInputs = 0
        for path in reviews {
            let body: [UInt8]
            do {
                body = try Self.read(path)
            } catch {
                Self.standardError("\(path): cannot read: \(FileReadFailure.reason(error))")
                failedInputs += 1
                continue
            }
            let (outcome, patchedObject) = controller.reviewReturningPatchedObject(body, cluster: cluster)
            if outcome.result == .error {
                Self.standardError("\(path): \(String(decoding: outcome.body, as: UTF8.self))")
                failedInputs += 1
                continue
            }
            if let namespace = outcome.unknownNamespace {
                Self.standardError("\(path): namespace \(namespace) is not in \(objects ?? "--objects"); injected without the Pod Security and quota checks, as serve does for a namespace it has not seen")
            }
            if let failure = outcome.failure {
                Self.standardError("\(path): \(failure.reason): \(failure.message)")
            }
            let line = patched ? JSONSerializer.serialize(patchedObject ?? .null) : outcome.body
            StandardStream.writeOutput(line + [UInt8(ascii: "\n")])
        }
        if failedInputs > 0 { throw ExitCode(1) }
    }

    private static func read(_ path: String) throws -> [UInt8] {
        try StandardStream.readFile(path)
    }

    static func standardError(_ line: String) {
        StandardStream.writeError(line + "\n")
    }
}
