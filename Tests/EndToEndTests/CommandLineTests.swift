import Foundation
import XCTest

/// The command-line contract a newcomer and the chart rely on: `serve --dev` works with the
/// command it prints, and bad usage or configuration exits 2 naming the file and the problem.
final class CommandLineTests: XCTestCase {
    private let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ki-cli-\(UUID().uuidString)")

    override func setUpWithError() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: directory)
    }

    func testDevModePrintsACurlCommandThatGetsAPatch() async throws {
        let port = Shell.freePort()
        let server = try KubeInjectorProcess(
            ["serve", "--dev", "--listen", "127.0.0.1:\(port)", "--metrics-listen", "127.0.0.1:\(Shell.freePort())",
             "--drain-seconds", "0"], outputDirectory: directory)
        defer { XCTAssertEqual(server.terminate(), 0, server.output) }
        var command = ""
        let printed = await Shell.eventually(timeout: 20) {
            command = server.output.split(separator: "\n").first { $0.contains("curl ") }
                .map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            return !command.isEmpty && server.output.contains("webhook listening")
        }
        XCTAssertTrue(printed, "no curl command printed:\n\(server.output)")
        let result = try Shell.run("bash", ["-c", command])
        XCTAssertEqual(result.status, 0)
        let review = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
        let response = try XCTUnwrap(review?["response"] as? [String: Any], result.output)
        XCTAssertEqual(response["allowed"] as? Bool, true)
        XCTAssertEqual(response["patchType"] as? String, "JSONPatch")
        XCTAssertNotNil(response["patch"], "the demo configuration should inject into the sample pod")
    }

    func testServeWithAnInvalidConfigurationExitsTwoNamingTheFile() throws {
        let config = directory.appendingPathComponent("broken.yaml")
        try "profiles:\n  demo:\n    env: 42\n".write(to: config, atomically: true, encoding: .utf8)
        let result = try KubeInjectorProcess.run(["serve", "--dev", "--config", config.path])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains(config.path), result.stderr)
    }

    /// The examples in one file: serve refuses it before it listens, and check-config
    /// lists every problem with its line and rule, exit 2.
    func testAConfigurationBreakingKubernetesRulesIsRefusedWithEveryProblem() throws {
        let config = directory.appendingPathComponent("inadmissible.yaml")
        try """
            profiles:
              p:
                env:
                  - {name: A=B, value: x}
                initContainers:
                  - {name: Init_X, image: busybox:1.36, resources: {limits: {cpu: lots}}}
                volumes:
                  - {name: agent, emptyDir: {sizeLimitt: 1Gi}}
                volumeMounts:
                  - {name: nowhere, mountPath: /x}

            """.write(to: config, atomically: true, encoding: .utf8)
        let check = try KubeInjectorProcess.run(["check-config", config.path])
        XCTAssertEqual(check.status, 2)
        let lines = check.stderr.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 5, check.stderr)
        XCTAssertTrue(lines[0].hasPrefix("\(config.path):4: profiles.p.env[0].name: "), lines[0])
        XCTAssertTrue(lines[1].hasPrefix("\(config.path):6: profiles.p.initContainers[0].name: "), lines[1])
        XCTAssertTrue(lines[2].hasPrefix("\(config.path):6: profiles.p.initContainers[0].resources.limits.cpu: "), lines[2])
        XCTAssertTrue(lines[3].hasPrefix("\(config.path):8: profiles.p.volumes[0].emptyDir: unknown field \"sizeLimitt\""), lines[3])
        XCTAssertTrue(lines[4].hasPrefix("\(config.path):10: profiles.p.volumeMounts[0].name: "), lines[4])

        let port = Shell.freePort()
        let serve = try KubeInjectorProcess.run(["serve", "--dev", "--config", config.path, "--listen", "127.0.0.1:\(port)",
                                                 "--metrics-listen", "127.0.0.1:\(Shell.freePort())"])
        XCTAssertEqual(serve.status, 2)
        XCTAssertTrue(serve.stderr.contains("is invalid (5 problem(s))"), serve.stderr)
        XCTAssertFalse(serve.stderr.contains("webhook listening"), serve.stderr)
    }

    func testServeWithoutCertificatesOutsideDevModeExitsTwo() throws {
        let result = try KubeInjectorProcess.run(["serve", "--config", "/nonexistent.yaml"])
        XCTAssertEqual(result.status, 2)
        XCTAssertFalse(result.stderr.isEmpty)
    }

    func testAnUnreadableKubeconfigExitsTwoNamingIt() throws {
        let kubeconfig = directory.appendingPathComponent("kubeconfig")
        try "apiVersion: v1\nkind: Config\nclusters: 7\n".write(to: kubeconfig, atomically: true, encoding: .utf8)
        let result = try KubeInjectorProcess.run(["serve", "--dev", "--kubeconfig", kubeconfig.path,
                                                  "--listen", "127.0.0.1:\(Shell.freePort())",
                                                  "--metrics-listen", "127.0.0.1:\(Shell.freePort())"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains(kubeconfig.path), result.stderr)
    }

    func testUnknownOptionExitsTwo() throws {
        let result = try KubeInjectorProcess.run(["serve", "--no-such-option"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("--no-such-option"), result.stderr)
    }

    func testVersionPrintsTheVersion() throws {
        let result = try KubeInjectorProcess.run(["version"])
        XCTAssertEqual(result.status, 0)
        XCTAssertTrue(result.stdout.hasPrefix("kube-injector "), result.stdout)
    }
}
