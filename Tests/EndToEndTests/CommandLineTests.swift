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

    func testALeaseNameThatIsNotADNSSubdomainExitsTwoNamingTheFlag() throws {
        let result = try KubeInjectorProcess.run(["serve", "--dev", "--leader-election-lease-name", "My_Release"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("--leader-election-lease-name My_Release"), result.stderr)
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
