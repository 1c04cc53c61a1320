@testable import Admission
import Foundation
import XCTest

/// The ported rules one by one, each test naming the Kubernetes function it pins.
final class PodPartValidatorTests: XCTestCase {
    /// apimachinery pkg/util/validation/validation.go `IsDNS1123Label`.
    func testDNS1123LabelAcceptsLowercaseAndDashesOnly() {
        for valid in ["a", "agent-copy", "a1", String(repeating: "a", count: 63)] {
            XCTAssertNil(KubernetesNames.dns1123LabelProblem(valid), valid)
        }
        for invalid in ["", "Init_X", "-a", "a-", "a.b", String(repeating: "a", count: 64)] {
            XCTAssertNotNil(KubernetesNames.dns1123LabelProblem(invalid), invalid)
        }
    }

    /// apimachinery `IsQualifiedName` (used by `validateObjectFieldSelector` for label keys).
    func testQualifiedNameTakesAnOptionalSubdomainPrefix() {
        for valid in ["app", "app.kubernetes.io/name", "A_b.c", "example.com/X"] {
            XCTAssertNil(KubernetesNames.qualifiedNameProblem(valid), valid)
        }
        for invalid in ["", "/a", "a/", "a/b/c", "Bad.Prefix/x", "bad key!", "-a"] {
            XCTAssertNotNil(KubernetesNames.qualifiedNameProblem(invalid), invalid)
        }
    }

    /// apimachinery `IsRelaxedEnvVarName`: printable ASCII other than '='.
    func testEnvVarNamesArePrintableAsciiWithoutEquals() {
        for valid in ["A", "my.env-name", "1ST", "a b", "~!@"] { XCTAssertNil(KubernetesNames.envVarNameProblem(valid), valid) }
        for invalid in ["", "A=B", "A\tB", "é"] { XCTAssertNotNil(KubernetesNames.envVarNameProblem(invalid), invalid) }
    }

    /// apimachinery pkg/api/resource `ParseQuantity`, and the comparison
    /// `ValidateContainerResourceRequirements` uses for requests against limits.
    func testQuantitiesParseAndCompareExactly() throws {
        for valid in ["1", "100m", "0.5", "64Mi", "1Gi", "2e3", "1E-2", "+1", "-1", ".5", "5.", "1k", "1n"] {
            XCTAssertNotNil(Quantity(valid), valid)
        }
        for invalid in ["", "lots", "1.2.3", "1 Mi", "Mi", "1mi", "1KiB", "e3", "1e"] { XCTAssertNil(Quantity(invalid), invalid) }
        func lessOrEqual(_ a: String, _ b: String) throws -> Bool { try XCTUnwrap(Quantity(a)).isLessThanOrEqual(to: try XCTUnwrap(Quantity(b))) }
        XCTAssertTrue(try lessOrEqual("500m", "0.5"))
        XCTAssertTrue(try lessOrEqual("0.5", "500m"))
        XCTAssertTrue(try lessOrEqual("1Gi", "1073741824"))
        XCTAssertFalse(try lessOrEqual("1Gi", "1G"))
        XCTAssertFalse(try lessOrEqual("0.2", "100m"))
        XCTAssertTrue(try lessOrEqual("-1", "0"))
        XCTAssertTrue(try XCTUnwrap(Quantity("-1Mi")).isNegative)
        XCTAssertFalse(try XCTUnwrap(Quantity("-0")).isNegative)
    }

    /// validation.go `validateContainerResourceName`.
    func testContainerResourceNamesAreStandardHugepagesOrQualified() {
        for valid in ["cpu", "memory", "ephemeral-storage", "hugepages-2Mi", "example.com/gpu"] {
            XCTAssertNil(PodPartValidator.resourceNameProblem(valid), valid)
        }
        for invalid in ["gpu", "hugepages-big", "CPU"] { XCTAssertNotNil(PodPartValidator.resourceNameProblem(invalid), invalid) }
    }

    /// validation.go `validateContainerPorts` with apimachinery `IsValidPortName`.
    func testPortNamesAreIANAServiceNames() {
        for valid in ["http", "web-80", "a1"] { XCTAssertNil(PodPartValidator.portNameProblem(valid), valid) }
        for invalid in ["", "80", "Web", "a--b", "-a", "abcdefghijklmnop"] { XCTAssertNotNil(PodPartValidator.portNameProblem(invalid), invalid) }
    }

    /// validation.go `validateObjectFieldSelector`: `fieldpath.SplitMaybeSubscriptedPath`.
    func testFieldRefSubscriptsAreSplit() {
        XCTAssertEqual(PodPartValidator.splitSubscript("metadata.labels['app']").map { [$0.0, $0.1] }, ["metadata.labels", "app"])
        XCTAssertNil(PodPartValidator.splitSubscript("metadata.labels"))
        var validator = PodPartValidator()
        validator.validateEnvVar(["name": "A", "valueFrom": ["fieldRef": ["fieldPath": "metadata.annotations['Example.com/Owner']"]]], path: "e")
        validator.validateEnvVar(["name": "B", "valueFrom": ["fieldRef": ["fieldPath": "metadata.labels['app.kubernetes.io/name']"]]], path: "e")
        validator.validateEnvVar(["name": "C", "valueFrom": ["resourceFieldRef": ["resource": "limits.memory", "divisor": "1Mi"]]], path: "e")
        XCTAssertEqual(validator.problems, [])
    }

    /// validation.go `validateInitContainers`: a sidecar (restartPolicy: Always) may carry probes and lifecycle.
    func testSidecarInitContainerMayCarryProbes() {
        var validator = PodPartValidator()
        validator.validateInitContainer(
            ["name": "sidecar", "image": "proxy:1", "restartPolicy": "Always", "readinessProbe": ["exec": ["command": ["true"]]],
             "livenessProbe": ["httpGet": ["path": "/healthz", "port": 8080], "periodSeconds": 10],
             "lifecycle": ["preStop": ["sleep": ["seconds": 5]]]],
            path: "c")
        XCTAssertEqual(validator.problems, [])
    }

    /// The examples this project ships pass every rule: the demo configuration loads, and its
    /// init container carries requests, limits and a restricted-compliant securityContext.
    func testTheDemoConfigurationPassesEveryRule() throws {
        let demo = try InjectionConfig.load(yaml: InjectionConfig.demoYAML, source: "demo")
        for profile in demo.profiles {
            for container in profile.initContainers {
                XCTAssertNotNil(container.value["resources"]?["limits"]?["cpu"], container.key)
                XCTAssertNotNil(container.value["resources"]?["requests"]?["memory"], container.key)
                XCTAssertEqual(container.value["securityContext"]?["allowPrivilegeEscalation"], false)
                XCTAssertEqual(container.value["securityContext"]?["runAsNonRoot"], true)
                XCTAssertEqual(container.value["securityContext"]?["capabilities"]?["drop"], ["ALL"])
                XCTAssertEqual(container.value["securityContext"]?["seccompProfile"]?["type"], "RuntimeDefault")
            }
        }
    }

    /// The README's configuration example (the first YAML block under "## Configuration") loads.
    func testTheREADMEExamplePassesEveryRule() throws {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        let section = try XCTUnwrap(text.components(separatedBy: "## Configuration").dropFirst().first)
        let block = try XCTUnwrap(section.components(separatedBy: "```yaml\n").dropFirst().first?.components(separatedBy: "```").first)
        let config = try InjectionConfig.load(yaml: block, source: "README.md")
        let agent = try XCTUnwrap(config.profile(named: "observability")?.initContainers.first?.value)
        XCTAssertEqual(agent["securityContext"]?["allowPrivilegeEscalation"], false)
        XCTAssertNotNil(agent["resources"]?["limits"]?["memory"])
    }
}
