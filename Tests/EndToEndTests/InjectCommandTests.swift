import Foundation
import XCTest

/// `kube-injector inject`, Istio-style: each manifest in Fixtures/inject goes in, and the manifests
/// that come out (NAME.injected.yaml) and the messages on stderr (NAME.stderr) are checked in and
/// reviewed as data. `UPDATE_GOLDEN=1 swift test --filter InjectCommandTests` rewrites them.
final class InjectCommandTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/inject")
    static let config = fixtures.appendingPathComponent("config.yaml").path
    /// The inputs: every manifest that is not the configuration or a golden.
    static var inputs: [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: fixtures.path)) ?? []
        return names.sorted()
            .filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".json")) && $0 != "config.yaml" && !$0.contains(".injected.") }
            .map { fixtures.appendingPathComponent($0) }
    }

    private func inject(_ input: Data, _ extra: [String] = []) throws -> (status: Int32, stdout: String, stderr: String) {
        try KubeInjectorProcess.run(["inject", "-f", "-", "--config", Self.config] + extra, stdin: input)
    }

    private func compareOrUpdate(_ actual: String, golden: URL, file: StaticString = #filePath, line: UInt = #line) throws {
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            if actual.isEmpty {
                try? FileManager.default.removeItem(at: golden)
            } else {
                try actual.write(to: golden, atomically: true, encoding: .utf8)
            }
            return
        }
        let expected = (try? String(contentsOf: golden, encoding: .utf8)) ?? ""
        XCTAssertEqual(actual, expected, "\(golden.lastPathComponent) differs; rerun with UPDATE_GOLDEN=1 and review the diff",
                       file: file, line: line)
    }

    func testEveryFixtureInjectsToItsGolden() throws {
        XCTAssertGreaterThanOrEqual(Self.inputs.count, 3, "fixtures missing from \(Self.fixtures.path)")
        for input in Self.inputs {
            let name = input.deletingPathExtension().lastPathComponent
            let result = try inject(try Data(contentsOf: input))
            XCTAssertEqual(result.status, 0, "\(name): \(result.stderr)")
            try compareOrUpdate(result.stdout, golden: Self.fixtures.appendingPathComponent("\(name).injected.yaml"))
            try compareOrUpdate(result.stderr, golden: Self.fixtures.appendingPathComponent("\(name).stderr"))
        }
    }

    /// The output read back and injected again is the same text: every template now carries the
    /// status annotation, and the YAML written reads back to the same objects (quoting included).
    func testInjectedManifestsReadBackUnchangedWhenInjectedAgain() throws {
        for input in Self.inputs {
            let first = try inject(try Data(contentsOf: input))
            let second = try inject(Data(first.stdout.utf8))
            XCTAssertEqual(second.status, 0, second.stderr)
            XCTAssertEqual(second.stdout, first.stdout, input.lastPathComponent)
        }
    }

    func testTheMultiDocumentManifestKeepsItsOrderAndInjectsDeploymentAndCronJob() throws {
        let result = try inject(try Data(contentsOf: Self.fixtures.appendingPathComponent("multi-document.yaml")))
        XCTAssertEqual(result.status, 0)
        let documents = result.stdout.components(separatedBy: "\n---\n")
        XCTAssertEqual(documents.map { $0.components(separatedBy: "\n").first { $0.hasPrefix("kind: ") } ?? "" },
                       ["kind: Deployment", "kind: Service", "kind: CronJob", "kind: ConfigMap"])
        XCTAssertTrue(documents[0].contains("kube-injector.io/status:"), documents[0])
        XCTAssertTrue(documents[2].contains("kube-injector.io/status: '{\"profiles\":[\"observability\",\"debug\"]"), documents[2])
        XCTAssertFalse(documents[1].contains("kube-injector"), "a Service passes through unchanged")
        XCTAssertEqual(result.stderr, "")
    }

    func testFailOnSkipExitsOneAndNamesEachTemplateLeftAlone() throws {
        let input = try Data(contentsOf: Self.fixtures.appendingPathComponent("workloads.json"))
        let result = try inject(input, ["--fail-on-skip"])
        XCTAssertEqual(result.status, 1, result.stderr)
        XCTAssertEqual(result.stderr, """
            <stdin>: document 1: ReplicaSet default/legacy (spec.template): not injected: the pod's kube-injector.io/inject annotation \
            names profile "no-such-profile", which the injection configuration does not define (defined: observability, debug); \
            fix the annotation or add the profile

            """)
        XCTAssertFalse(result.stdout.isEmpty, "the manifests are still written")
        XCTAssertEqual(try inject(input).status, 0, "without --fail-on-skip a template left alone is not an error")
    }

    func testAFileIsNamedInItsMessagesAndNamespaceDefaultsFromTheFlag() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ki-inject-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let manifest = directory.appendingPathComponent("pod.yaml")
        try "apiVersion: v1\nkind: Pod\nmetadata: {name: p, annotations: {kube-injector.io/inject: \"false\"}}\nspec: {containers: [{name: a, image: b}]}\n"
            .write(to: manifest, atomically: true, encoding: .utf8)
        let result = try KubeInjectorProcess.run(["inject", "-f", manifest.path, "--config", Self.config, "-n", "team-a"])
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.stderr, "\(manifest.path): document 1: Pod team-a/p: skipped: no profile selected\n")
    }

    func testBadInputExitsTwoWithThePlaceAndTheProblem() throws {
        let tab = try inject(Data("apiVersion: v1\nkind: ConfigMap\n\tdata: {}\n".utf8))
        XCTAssertEqual(tab.status, 2)
        XCTAssertEqual(tab.stderr, "<stdin>:3:1: not valid YAML: a tab indents this line; YAML allows only spaces for indentation (replace the tab with spaces)\n")
        XCTAssertEqual(tab.stdout, "", "nothing is written for input that cannot be read")

        let scalar = try inject(Data("just text\n".utf8))
        XCTAssertEqual(scalar.status, 2)
        XCTAssertEqual(scalar.stderr, "<stdin>: document 1 is the string \"just text\", not a Kubernetes object\n")

        let json = try inject(Data("{\"kind\": \"Pod\",}".utf8))
        XCTAssertEqual(json.status, 2)
        XCTAssertEqual(json.stderr, "<stdin>:1:16: not valid JSON: unexpected character '}', expected a member name in quotes\n")

        let missing = try KubeInjectorProcess.run(["inject", "-f", "/nonexistent/manifest.yaml"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertEqual(missing.stderr, "/nonexistent/manifest.yaml: cannot read: No such file or directory\n")

        let badConfig = try KubeInjectorProcess.run(["inject", "-f", "-", "--config", "/nonexistent/config.yaml"], stdin: Data("{}".utf8))
        XCTAssertEqual(badConfig.status, 2)
        XCTAssertEqual(badConfig.stderr, "/nonexistent/config.yaml: cannot read the configuration: No such file or directory\n")

        let bothStdin = try KubeInjectorProcess.run(["inject", "-f", "-", "--config", "-"], stdin: Data("{}".utf8))
        XCTAssertEqual(bothStdin.status, 2)
        XCTAssertEqual(bothStdin.stderr, "-f - and --config - cannot both read standard input; give one of them a file\n")

        let noFile = try KubeInjectorProcess.run(["inject"])
        XCTAssertEqual(noFile.status, 2)
        XCTAssertTrue(noFile.stderr.hasPrefix("Error: Missing expected argument '--filename <filename>'"), noFile.stderr)
    }

    /// With `--objects`, each template is decided as `serve` decides in that cluster: a namespace
    /// enforcing Pod Security "restricted" takes an injection whose init container complies, and
    /// refuses (so inject leaves alone) one whose init container does not.
    func testObjectsMakeTheDecisionTheClustersPodSecurityAllows() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ki-inject-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let objects = directory.appendingPathComponent("cluster.yaml")
        try """
            apiVersion: v1
            kind: Namespace
            metadata:
              name: locked
              labels: {pod-security.kubernetes.io/enforce: restricted}

            """.write(to: objects, atomically: true, encoding: .utf8)
        let loose = directory.appendingPathComponent("loose.yaml")
        try """
            defaultProfiles: [agent]
            profiles:
              agent:
                initContainers:
                  - {name: agent-copy, image: "agent:1", resources: {limits: {cpu: 100m, memory: 64Mi}}}

            """.write(to: loose, atomically: true, encoding: .utf8)
        let deployment = Data("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: locked}
            spec:
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
                  containers:
                    - name: app
                      image: "nginx:1.27"
                      securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}

            """.utf8)

        let compliant = try inject(deployment, ["--objects", objects.path])
        XCTAssertEqual(compliant.status, 0, compliant.stderr)
        XCTAssertEqual(compliant.stderr, "")
        XCTAssertTrue(compliant.stdout.contains("kube-injector.io/status"), compliant.stdout)

        let refused = try KubeInjectorProcess.run(["inject", "-f", "-", "--config", loose.path, "--objects", objects.path, "--fail-on-skip"],
                                                  stdin: deployment)
        XCTAssertEqual(refused.status, 1, refused.stderr)
        XCTAssertTrue(refused.stderr.hasPrefix("<stdin>: document 1: Deployment locked/web (spec.template): not injected: PodSecurity \"restricted:latest\""),
                      refused.stderr)
        XCTAssertFalse(refused.stdout.contains("kube-injector.io/status"), "the template is left as it was")
        let withoutCluster = try KubeInjectorProcess.run(["inject", "-f", "-", "--config", loose.path], stdin: deployment)
        XCTAssertTrue(withoutCluster.stdout.contains("kube-injector.io/status"), "without --objects nothing is checked")

        let elsewhere = try inject(Data(String(decoding: deployment, as: UTF8.self).replacingOccurrences(of: "namespace: locked", with: "namespace: open").utf8),
                                   ["--objects", objects.path])
        XCTAssertEqual(elsewhere.status, 0)
        XCTAssertEqual(elsewhere.stderr, "<stdin>: document 1: Deployment open/web (spec.template): namespace open is not in \(objects.path); injected without the Pod Security and quota checks, as serve does for a namespace it has not seen\n")

        let missing = try inject(deployment, ["--objects", "/nonexistent/cluster.yaml"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertEqual(missing.stdout, "")
    }
}
