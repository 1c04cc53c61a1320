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

    /// The issue's examples in one file: serve refuses it before it listens, and check-config
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

    // MARK: - The rough edges of issue 15, each with its exact message and exit code

    func testVersionFlagPrintsTheVersion() throws {
        let result = try KubeInjectorProcess.run(["--version"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "kube-injector 0.1.0\n")
        XCTAssertEqual(try KubeInjectorProcess.run(["version"]).stdout, result.stdout, "the flag and the subcommand agree")
    }

    func testNoArgumentsPrintsUsageOnStderrAndExitsTwo() throws {
        let result = try KubeInjectorProcess.run([])
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stdout, "")
        XCTAssertTrue(result.stderr.hasPrefix("Error: Missing required subcommand.\n\nOVERVIEW: "), result.stderr)
        XCTAssertTrue(result.stderr.contains("USAGE: kube-injector <subcommand>"), result.stderr)
        for subcommand in ["serve", "replay", "inject", "check-config", "version"] {
            XCTAssertTrue(result.stderr.contains("  \(subcommand) "), "\(subcommand) missing from:\n\(result.stderr)")
        }
        XCTAssertEqual(try KubeInjectorProcess.run(["--help"]).status, 0, "asking for help is not an error")
    }

    func testCheckConfigReadsStandardInputAsDashAndAsDevStdin() throws {
        let config = Data("defaultProfiles: [p]\nprofiles:\n  p:\n    env: [{name: A, value: \"1\"}]\n".utf8)
        let dash = try KubeInjectorProcess.run(["check-config", "-"], stdin: config)
        XCTAssertEqual(dash.status, 0, dash.stderr)
        XCTAssertTrue(dash.stdout.hasPrefix("<stdin>: valid\n"), dash.stdout)
        let device = try KubeInjectorProcess.run(["check-config", "/dev/stdin"], stdin: config)
        XCTAssertEqual(device.status, 0, device.stderr)
        XCTAssertTrue(device.stdout.hasPrefix("/dev/stdin: valid\n"), device.stdout)
        let broken = try KubeInjectorProcess.run(["check-config", "-"], stdin: Data("profiles: [\n".utf8))
        XCTAssertEqual(broken.status, 2)
        XCTAssertTrue(broken.stderr.hasPrefix("<stdin>:"), broken.stderr)
    }

    func testAnUnquotedYesIsExplainedWithoutChangingTheValue() throws {
        let config = Data("profiles:\n  p:\n    env:\n      - name: FEATURE\n        value: yes\n".utf8)
        let result = try KubeInjectorProcess.run(["check-config", "-"], stdin: config)
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stderr, "<stdin>:4: profiles.p.env[0]: env \"FEATURE\": value yes was read as a boolean; quote it as \"yes\" to keep it as text\n")
    }

    func testATabThatStartsALineIsNamedAsATab() throws {
        let config = Data("profiles:\n  p:\n\tenv: []\n".utf8)
        let result = try KubeInjectorProcess.run(["check-config", "-"], stdin: config)
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stderr, "<stdin>:3: not valid YAML: a tab indents this line; YAML allows only spaces for indentation (replace the tab with spaces)\n")
    }

    func testABusyPortIsReportedOnceAndBeforeAnyBanner() throws {
        let (socket, port) = try Self.listeningSocket()
        defer { close(socket) }
        let result = try KubeInjectorProcess.run(
            ["serve", "--dev", "--listen", "127.0.0.1:\(port)", "--metrics-listen", "127.0.0.1:\(Shell.freePort())", "--drain-seconds", "0"],
            environment: ["KUBECONFIG": "", "HOME": directory.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "kube-injector serve: cannot listen on 127.0.0.1:\(port): address already in use\n")
        XCTAssertFalse(result.stdout.contains("curl"), "no banner for a server that never listened:\n\(result.stdout)")
        XCTAssertFalse(result.stdout.contains("already in use"), "said once, on stderr:\n\(result.stdout)")
    }

    /// Every log line is flat JSON a collector can parse: notAfter as RFC 3339, and no value that is
    /// a Swift type's description (ServiceLifecycle names each service in its debug lines).
    func testJSONLogsCarryRFC3339NotAfterAndNoSwiftDescriptions() async throws {
        let server = try KubeInjectorProcess(
            ["serve", "--dev", "--listen", "127.0.0.1:\(Shell.freePort())", "--metrics-listen", "127.0.0.1:\(Shell.freePort())",
             "--drain-seconds", "0"], environment: ["KI_LOG_LEVEL": "debug"], outputDirectory: directory)
        let listening = await Shell.eventually(timeout: 20) { server.output.contains("webhook listening") }
        XCTAssertEqual(server.terminate(), 0, server.output)
        XCTAssertTrue(listening, server.output)
        let lines = server.output.split(separator: "\n").filter { $0.hasPrefix("{") }
        XCTAssertFalse(lines.isEmpty)
        var sawNotAfter = false
        for line in lines {
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], String(line))
            for (key, value) in object {
                let text = "\(value)"
                XCTAssertNil(text.range(of: #"^[A-Za-z]+\((\w+: )"#, options: .regularExpression), "\(key) is a Swift description: \(line)")
            }
            if let services = object["sl-service"] as? String {
                XCTAssertTrue(["MetricsListener", "WebhookServer"].contains(services), String(line))
            }
            if let notAfter = object["certificateNotAfter"] as? String {
                sawNotAfter = true
                XCTAssertNotNil(notAfter.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"#, options: .regularExpression), notAfter)
            }
        }
        XCTAssertTrue(sawNotAfter, "the listening line names the certificate's notAfter:\n\(server.output)")
    }

    /// A socket listening on a free loopback port, holding it busy.
    private static func listeningSocket() throws -> (Int32, Int) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EMFILE) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
                bind(descriptor, pointer, length) == 0 && listen(descriptor, 1) == 0 && getsockname(descriptor, pointer, &length) == 0
            }
        }
        guard bound else {
            close(descriptor)
            throw POSIXError(.EADDRINUSE)
        }
        return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
    }
}
