import Admission
import ArgumentParser
import JSON
import KubeClient
import YAML

/// `kube-injector inject`: injects the pod templates in Kubernetes manifests, as `istioctl
/// kube-inject` does, so what the webhook would do can be previewed, diffed and reviewed in Git.
/// The decision is the webhook's own (`ManifestInjector` hands each template to the same
/// `AdmissionController` as a CREATE review).
struct Inject: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inject the pod templates in Kubernetes manifests and print the manifests as YAML.",
        discussion: """
            Reads multi-document YAML, a List, or JSON. Pods, Deployments, StatefulSets, DaemonSets, \
            ReplicaSets, ReplicationControllers, Jobs and CronJobs get their pod template injected as \
            `serve` would inject the pods made from it; every other object is written back unchanged, \
            in the same order. Each template left alone is named on stderr with the reason.
            Exit codes: 0 when everything was handled; 1 with --fail-on-skip when some template was \
            not injected; 2 for unreadable input or configuration.
            """)

    @Option(name: [.customShort("f"), .customLong("filename")], help: "Manifests (YAML or JSON), or - for standard input.")
    var filename: String

    @Option(name: .long, help: "Injection configuration (YAML). Default: the built-in demo configuration.")
    var config: String?

    @Option(name: .long, help: "Namespaces, ResourceQuotas and LimitRanges that stand in for the cluster (YAML or JSON).")
    var objects: String?

    @Option(name: [.customShort("n"), .customLong("namespace")], help: "Namespace for objects that name none (default: default).")
    var namespace: String = "default"

    @Flag(name: .customLong("fail-on-skip"), help: "Exit 1 when some pod template was not injected (skipped or failed).")
    var failOnSkip = false

    func run() throws {
        if filename == "-" && config == "-" {
            Self.standardError("-f - and --config - cannot both read standard input; give one of them a file")
            throw ExitCode(2)
        }
        let injection = try ConfigurationFile.load(path: config)
        let source = filename == "-" ? "<stdin>" : filename
        let bytes: [UInt8]
        do {
            bytes = try StandardStream.readFile(filename)
        } catch {
            Self.standardError("\(source): cannot read: \(FileReadFailure.reason(error))")
            throw ExitCode(2)
        }
        let documents: [JSONValue]
        do {
            documents = try ManifestReader(source: source).documents(bytes)
        } catch {
            Self.standardError("\(error)")
            throw ExitCode(2)
        }
        let (injector, cluster) = try makeInjector(AdmissionController(configuration: injection))

        var output: [YAMLNode] = []
        var notInjected = 0
        for (index, document) in documents.enumerated() {
            let (injected, templates) = injector.inject(document)
            output.append(injected.yamlNode)
            for template in templates {
                let place = "\(source): document \(index + 1): \(template.objectDescription)"
                    + (template.path.isEmpty ? "" : " (\(template.path))")
                switch template.outcome {
                case .injected:
                    if let cluster, let objects, cluster[namespace: template.namespace] == nil {
                        // As `replay --objects` says it: serve injects a pod of a namespace it has not seen.
                        Self.standardError("\(place): namespace \(template.namespace) is not in \(objects); injected without the Pod Security and quota checks, as serve does for a namespace it has not seen")
                    }
                    continue
                case .skipped(let reason): Self.standardError("\(place): skipped: \(reason)")
                case .failed(let reason): Self.standardError("\(place): not injected: \(reason)")
                }
                notInjected += 1
            }
        }
        StandardStream.writeOutput(Array(YAMLEmitter.emit(documents: output).utf8))
        if failOnSkip && notInjected > 0 { throw ExitCode(1) }
    }

    /// Every template gets the webhook's own decision. With `--objects`, that decision includes the
    /// cluster's Pod Security and quota admission, from the same snapshot `replay --objects` builds.
    private func makeInjector(_ controller: AdmissionController) throws -> (injector: ManifestInjector, cluster: ClusterSnapshot?) {
        guard let cluster = try ClusterObjectsFile.load(path: objects) else {
            return (ManifestInjector(controller: controller, defaultNamespace: namespace), nil)
        }
        let injector = ManifestInjector(defaultNamespace: namespace) { controller.reviewReturningPatchedObject($0, cluster: cluster) }
        return (injector, cluster)
    }

    static func standardError(_ line: String) {
        StandardStream.writeError(line + "\n")
    }
}
