import Admission
import JSON
import XCTest

final class ConfigurationTests: XCTestCase {
    private func loadError(_ yaml: String, file: StaticString = #filePath, line: UInt = #line) -> InjectionConfigError? {
        do {
            _ = try InjectionConfig.load(yaml: yaml, source: "/etc/kube-injector/config.yaml")
            XCTFail("accepted an invalid configuration", file: file, line: line)
            return nil
        } catch let error as InjectionConfigError {
            XCTAssertTrue(error.description.hasPrefix("/etc/kube-injector/config.yaml"), error.description, file: file, line: line)
            return error
        } catch {
            XCTFail("untyped error \(error)", file: file, line: line)
            return nil
        }
    }

    func testTheDesignDocumentExampleLoads() throws {
        let config = try InjectionConfig.load(yaml: """
            defaultProfiles: [observability]
            profiles:
              observability:
                containers: ["*"]
                env:
                  - name: CLUSTER_NAME
                    value: prod-eu-1
                  - name: NODE_NAME
                    valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
                overrideEnv: false
                initContainers:
                  - name: agent-copy
                    image: registry.example.com/agent:1.2
                    command: ["cp", "/agent.jar", "/agent/agent.jar"]
                    volumeMounts: [{name: agent, mountPath: /agent}]
                initContainerPosition: first
                volumes:
                  - name: agent
                    emptyDir: {}
                volumeMounts:
                  - {name: agent, mountPath: /agent, readOnly: true}
            """, source: "example.yaml")
        XCTAssertEqual(config.defaultProfiles, ["observability"])
        XCTAssertEqual(config.operations, ["CREATE"])
        let profile = try XCTUnwrap(config.profile(named: "observability"))
        XCTAssertEqual(profile.env.map(\.key), ["CLUSTER_NAME", "NODE_NAME"])
        XCTAssertEqual(profile.env[1].value, ["name": "NODE_NAME", "valueFrom": ["fieldRef": ["fieldPath": "spec.nodeName"]]])
        XCTAssertEqual(profile.initContainerPosition, .first)
        XCTAssertEqual(profile.volumeMounts.first?.value, ["name": "agent", "mountPath": "/agent", "readOnly": true])
        XCTAssertEqual(profile.volumes.first?.value, ["name": "agent", "emptyDir": [:]])
    }

    func testDefaultsAreOptInCreateOnlyAppendInitContainersAndKeepEnv() throws {
        let config = try InjectionConfig.load(yaml: "profiles:\n  p:\n    env: [{name: A, value: b}]\n", source: "x")
        XCTAssertEqual(config.defaultProfiles, [])
        XCTAssertEqual(config.operations, ["CREATE"])
        let profile = try XCTUnwrap(config.profile(named: "p"))
        XCTAssertEqual(profile.containers, ["*"])
        XCTAssertFalse(profile.overrideEnv)
        XCTAssertEqual(profile.initContainerPosition, .last)
    }

    /// Kubernetes forbids adding init containers, volumes or env to an existing pod
    /// (`ValidatePodUpdate` in pkg/apis/core/validation/validation.go allows only image and a
    /// few other fields to change), so UPDATE is refused with the reason.
    func testUpdateIsRefusedBecauseKubernetesForbidsChangingAPodsSpec() throws {
        let error = loadError("operations: [CREATE, UPDATE]\nprofiles: {}\n")
        XCTAssertEqual(error?.location, "operations")
        XCTAssertEqual(error?.line, 1)
        XCTAssertEqual(
            error?.explanation,
            "UPDATE cannot be used: Kubernetes forbids adding init containers, volumes or env to an existing pod (a pod's spec is immutable), so the API server would refuse every update of an injected pod; use [CREATE]")
        XCTAssertEqual(loadError("operations: [DELETE]\n")?.explanation, "operation \"DELETE\" is not one the injector handles; use CREATE")
        XCTAssertEqual(try InjectionConfig.load(yaml: "operations: [CREATE]\nprofiles: {}\n", source: "x").operations, ["CREATE"])
    }

    func testNumbersAndBooleansInContainersBecomeJSONLiterals() throws {
        let config = try InjectionConfig.load(yaml: """
            profiles:
              p:
                initContainers:
                  - name: i
                    image: busybox
                    ports: [{containerPort: 8080}]
                    securityContext: {runAsNonRoot: true, runAsUser: 1000}
                    args: ["8080", "true"]
            """, source: "x")
        let container = try XCTUnwrap(config.profile(named: "p")?.initContainers.first?.value)
        XCTAssertEqual(JSONSerializer.serialize(container), Array(#"{"name":"i","image":"busybox","ports":[{"containerPort":8080}],"securityContext":{"runAsNonRoot":true,"runAsUser":1000},"args":["8080","true"]}"#.utf8))
    }

    func testUnknownTopLevelKeyIsNamedWithItsLine() {
        let error = loadError("defaultProfiles: []\nprofile: {}\n")
        XCTAssertEqual(error?.problem, .unknownKey("profile", allowed: ["defaultProfiles", "operations", "profiles"]))
        XCTAssertEqual(error?.line, 2)
        XCTAssertEqual(error?.description, #"/etc/kube-injector/config.yaml:2: unknown key "profile" (allowed here: defaultProfiles, operations, profiles)"#)
    }

    func testProblemsUnderDifferentKeysAndProfilesAreAllReportedInDocumentOrder() {
        let error = loadError("profile: {}\noperations: [UPDATE]\nprofiles:\n  a:\n    envs: []\n  b:\n    env: [{name: A=B, value: x}]\n")
        XCTAssertEqual(error?.allErrors.map(\.line), [1, 2, 5, 7])
        XCTAssertEqual(error?.allErrors.map(\.location), ["", "operations", "profiles.a", "profiles.b.env[0].name"])
        XCTAssertEqual(error?.description.split(separator: "\n").count, 4)
    }

    func testUnknownProfileKeyIsNamed() {
        let error = loadError("profiles:\n  p:\n    envs: []\n")
        XCTAssertEqual(error?.location, "profiles.p")
        if case .unknownKey(let key, _)? = error?.problem { XCTAssertEqual(key, "envs") } else { XCTFail("\(String(describing: error))") }
    }

    func testWrongTypesAreNamed() {
        XCTAssertEqual(loadError("profiles:\n  p:\n    overrideEnv: yes please\n")?.problem, .wrongType(expected: "true or false", found: "the string \"yes please\""))
        XCTAssertEqual(loadError("profiles:\n  p:\n    env: {name: A}\n")?.problem, .wrongType(expected: "a list", found: "a mapping"))
        XCTAssertEqual(loadError("defaultProfiles: observability\nprofiles: {}\n")?.problem, .wrongType(expected: "a list", found: "the string \"observability\""))
        XCTAssertEqual(loadError("- a\n- b\n")?.location, "")
        let error = loadError("profiles:\n  p:\n    env: [{name: PORT, value: 8080}]\n")
        XCTAssertEqual(error?.explanation, "env \"PORT\": value 8080 was read as a number; quote it as \"8080\" to keep it as text")
    }

    /// The hint quotes the text as written: `yes` was read as true, and quoting "true" would change
    /// the value; `1.0` was read as 1.
    func testAnUnquotedEnvValueHintKeepsTheTextAsWritten() {
        XCTAssertEqual(loadError("profiles:\n  p:\n    env: [{name: DEBUG, value: yes}]\n")?.explanation,
                       "env \"DEBUG\": value yes was read as a boolean; quote it as \"yes\" to keep it as text")
        XCTAssertEqual(loadError("profiles:\n  p:\n    env:\n      - name: MODE\n        value: off\n")?.explanation,
                       "env \"MODE\": value off was read as a boolean; quote it as \"off\" to keep it as text")
        XCTAssertEqual(loadError("profiles:\n  p:\n    env: [{name: RATIO, value: 1.0}]\n")?.explanation,
                       "env \"RATIO\": value 1.0 was read as a number; quote it as \"1.0\" to keep it as text")
        XCTAssertEqual(loadError("profiles:\n  p:\n    env: [{name: EMPTY, value: ~}]\n")?.explanation,
                       "env \"EMPTY\": value ~ was read as null; quote it as \"~\" to keep it as text")
    }

    func testDuplicateProfileIsNamed() {
        let error = loadError("profiles:\n  a:\n    env: []\n  a:\n    env: []\n")
        XCTAssertEqual(error?.problem, .duplicateProfile("a"))
        XCTAssertEqual(error?.explanation, "profile \"a\" is defined more than once")
    }

    func testDuplicateEntriesInOneProfileAreNamed() {
        XCTAssertEqual(loadError("profiles:\n  p:\n    env: [{name: A, value: x}, {name: A, value: y}]\n")?.problem, .duplicateName(list: "env", name: "A"))
        XCTAssertEqual(
            loadError("profiles:\n  p:\n    volumeMounts: [{name: a, mountPath: /x}, {name: b, mountPath: /x}]\n")?.problem,
            .duplicateName(list: "volumeMounts", name: "/x"))
    }

    func testEnvWithValueAndValueFromIsRefused() {
        let error = loadError("profiles:\n  p:\n    env:\n      - name: A\n        value: x\n        valueFrom: {fieldRef: {fieldPath: spec.nodeName}}\n")
        XCTAssertEqual(error?.problem, .envValueAndValueFrom(name: "A"))
        XCTAssertEqual(error?.location, "profiles.p.env[0]")
        XCTAssertEqual(error?.line, 4)
    }

    func testInitContainerNeedsNameAndImageAndKnownFields() {
        XCTAssertEqual(loadError("profiles:\n  p:\n    initContainers: [{image: busybox}]\n")?.problem, .missingField("name"))
        XCTAssertEqual(loadError("profiles:\n  p:\n    initContainers: [{name: i}]\n")?.problem, .missingField("image"))
        let error = loadError("profiles:\n  p:\n    initContainers: [{name: i, image: b, comand: [sh]}]\n")
        if case .unknownKey(let key, _)? = error?.problem { XCTAssertEqual(key, "comand") } else { XCTFail("\(String(describing: error))") }
    }

    func testDefaultProfileMustExist() {
        let error = loadError("defaultProfiles: [observability, tracing]\nprofiles:\n  observability: {}\n")
        XCTAssertEqual(error?.problem, .unknownDefaultProfile("tracing", known: ["observability"]))
        XCTAssertEqual(error?.explanation, "defaultProfiles names \"tracing\", which is not a profile (defined: observability)")
    }

    func testProfilesSharingANameMustShareTheDefinition() throws {
        XCTAssertNoThrow(try InjectionConfig.load(yaml: """
            profiles:
              a: {volumes: [{name: v, emptyDir: {}}]}
              b: {volumes: [{name: v, emptyDir: {}}]}
            """, source: "x"))
        let error = loadError("profiles:\n  a: {volumes: [{name: v, emptyDir: {}}]}\n  b: {volumes: [{name: v, configMap: {name: c}}]}\n")
        XCTAssertEqual(error?.problem, .conflictingDefinition(list: "volume", name: "v", profiles: ["a", "b"]))
    }

    func testProfileNamesThatTheAnnotationCannotSayAreRefused() {
        for name in ["\"false\"", "\"a,b\"", "\"a b\""] {
            if case .invalidValue? = loadError("profiles:\n  \(name): {}\n")?.problem {} else { XCTFail(name) }
        }
    }

    func testBrokenYAMLIsReportedWithTheSource() {
        let error = loadError("profiles:\n  p: [unclosed\n")
        if case .unreadableYAML? = error?.problem {} else { XCTFail("\(String(describing: error))") }
    }

    func testBrokenYAMLNamesTheLineAndWhatWasOpen() {
        let error = loadError("profiles:\n  p: [unclosed\n")
        XCTAssertEqual(error?.line, 2)
        XCTAssertEqual(error?.description, "/etc/kube-injector/config.yaml:2: not valid YAML: did not find expected ',' or ']' (while parsing a flow sequence started at line 2, column 6)")
    }

    func testARepeatedKeyIsNamedWithTheMappingItIsIn() {
        let error = loadError("profiles:\n  p:\n    env:\n      - {name: A, value: x}\n      - name: B\n        value: y\n        value: z\n")
        XCTAssertEqual(error?.problem, .duplicateKey("value"))
        XCTAssertEqual(error?.location, "profiles.p.env[1]")
        XCTAssertEqual(error?.line, 7)
    }

    func testTheDemoAndBenchmarkConfigurationsLoad() throws {
        let demo = try InjectionConfig.load(yaml: InjectionConfig.demoYAML, source: "demo")
        XCTAssertEqual(demo.defaultProfiles, ["observability"])
        XCTAssertEqual(InjectionConfig.demo.profiles.map(\.name), ["observability", "debug"])
        XCTAssertEqual(try FixtureFiles.configuration("bench-profile.yaml").defaultProfiles, ["bench"])
    }

    func testProfileHashChangesWithTheDefinition() throws {
        let first = try InjectionConfig.load(yaml: "profiles:\n  p: {env: [{name: A, value: x}]}\n", source: "x")
        let same = try InjectionConfig.load(yaml: "profiles:\n  p:\n    env:\n      - name: A\n        value: x\n", source: "x")
        let changed = try InjectionConfig.load(yaml: "profiles:\n  p: {env: [{name: A, value: y}]}\n", source: "x")
        XCTAssertEqual(first.profiles[0].hash, same.profiles[0].hash)
        XCTAssertNotEqual(first.profiles[0].hash, changed.profiles[0].hash)
    }
}
