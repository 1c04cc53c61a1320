import Foundation
import TestSupport
import XCTest

/// `kube-injector serve` as the end-to-end suites run it: the built binary on free ports, serving TLS
/// signed by the fake API server's CA and talking to that fake; with the ways a test talks to it
/// (`curl` over that TLS, AdmissionReviews posted to /mutate, /metrics) and reads it back (`output`).
final class ServedWebhook: @unchecked Sendable {
    let process: KubeInjectorProcess
    let webhookPort: Int
    let metricsPort: Int
    private let apiServer: FakeAPIServer

    /// Writes `config` to `configName` beside the fake's certificates and starts `serve` with it,
    /// `--drain-seconds 0` and then `arguments`; it does not wait (see `waitUntilReady`).
    init(apiServer: FakeAPIServer, config: String, configName: String = "config.yaml", arguments: [String],
         environment: [String: String]) throws {
        self.apiServer = apiServer
        let pair = try apiServer.certificates.makeServingPair(name: "webhook", organization: "kube-injector e2e")
        let configFile = apiServer.certificates.directory.appendingPathComponent(configName)
        try config.write(to: configFile, atomically: true, encoding: .utf8)
        webhookPort = Shell.freePort()
        metricsPort = Shell.freePort()
        process = try KubeInjectorProcess([
            "serve", "--config", configFile.path, "--tls-cert", pair.chainPath, "--tls-key", pair.keyPath,
            "--listen", "127.0.0.1:\(webhookPort)", "--metrics-listen", "127.0.0.1:\(metricsPort)",
            "--kubeconfig", try apiServer.writeKubeconfig(namespace: "kube-injector"),
            "--drain-seconds", "0",
        ] + arguments, environment: environment, outputDirectory: apiServer.certificates.directory)
    }

    /// What the binary has written to stdout and stderr so far.
    var output: String { process.output }

    /// Waits up to `timeout` seconds for /readyz to answer 200, and fails the test if it never does.
    func waitUntilReady(timeout: TimeInterval, file: StaticString = #filePath, line: UInt = #line) async throws {
        let ready = try await Shell.eventually(timeout: timeout) {
            try curl(["-o", "/dev/null", "-w", "%{http_code}", "https://127.0.0.1:\(webhookPort)/readyz"]).output == "200"
        }
        XCTAssertTrue(ready, "webhook never became ready:\n\(output)", file: file, line: line)
    }

    /// SIGTERMs the binary and fails the test unless it exits 0.
    func stop(file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(process.terminate(), 0, "serve did not exit 0 on SIGTERM:\n\(process.output)", file: file, line: line)
    }

    /// curl trusting the fake API server's CA (which also signed the webhook's certificate).
    func curl(_ arguments: [String]) throws -> Shell.Result {
        try Shell.run("curl", ["-sS", "--max-time", "10", "--cacert", apiServer.certificates.caCertificatePath] + arguments)
    }

    /// The text of /metrics on the metrics listener.
    func metrics() throws -> String {
        try Shell.run("curl", ["-sS", "--max-time", "10", "http://127.0.0.1:\(metricsPort)/metrics"]).output
    }

    /// The JSON log lines at warning level that contain `text`.
    func warnings(containing text: String) -> [String] {
        output.split(separator: "\n").filter { $0.contains("\"level\":\"warning\"") && $0.contains(text) }.map(String.init)
    }

    /// Posts the AdmissionReview of a CREATE of a pod that a ReplicaSet's controller makes, and returns
    /// the review's `response`.
    func postPodReview(uid: String, namespace: String = "shop", inject: String, spec: [String: Any],
                       owner: [String: Any], dryRun: Bool = false,
                       file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let review: [String: Any] = [
            "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
            "request": [
                "uid": uid, "kind": ["group": "", "version": "v1", "kind": "Pod"],
                "resource": ["group": "", "version": "v1", "resource": "pods"],
                "namespace": namespace, "operation": "CREATE", "dryRun": dryRun,
                "userInfo": ["username": "system:serviceaccount:kube-system:replicaset-controller"],
                "object": [
                    "apiVersion": "v1", "kind": "Pod",
                    "metadata": [
                        "generateName": "\(owner["name"] as? String ?? "pod")-", "namespace": namespace,
                        "annotations": ["kube-injector.io/inject": inject],
                        "ownerReferences": [owner],
                    ],
                    "spec": spec,
                ],
            ],
        ]
        let body = apiServer.certificates.directory.appendingPathComponent("review-\(uid).json")
        try JSONSerialization.data(withJSONObject: review).write(to: body)
        let result = try curl(["-H", "Content-Type: application/json", "--data-binary", "@\(body.path)",
                               "https://127.0.0.1:\(webhookPort)/mutate?timeout=10s"])
        XCTAssertEqual(result.status, 0, "curl failed", file: file, line: line)
        let decoded = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
        return try XCTUnwrap(decoded?["response"] as? [String: Any], "not an AdmissionReview: \(result.output)",
                             file: file, line: line)
    }

    /// The controller ownerReference a ReplicaSet puts on its pods.
    static func replicaSetOwner(name: String, uid: String) -> [String: Any] {
        ["apiVersion": "apps/v1", "kind": "ReplicaSet", "name": name, "uid": uid, "controller": true,
         "blockOwnerDeletion": true]
    }
}
