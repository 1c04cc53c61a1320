@testable import Admission
import JSON
import XCTest

/// Each Pod Security check against the file of k8s.io/pod-security-admission/policy it is
/// ported from (named in each test), with the cases those files' own tests use.
final class PodSecurityEvaluatorTests: XCTestCase {
    private let restricted = PodSecurityLevelVersion(level: .restricted)
    private let baseline = PodSecurityLevelVersion(level: .baseline)

    /// A container that meets restricted by itself.
    private let compliant = #"{"allowPrivilegeEscalation":false,"runAsNonRoot":true,"seccompProfile":{"type":"RuntimeDefault"},"capabilities":{"drop":["ALL"]}}"#

    private func pod(spec: String, annotations: String = "{}") throws -> JSONValue {
        try JSONParser.parse(#"{"metadata":{"name":"p","annotations":\#(annotations)},"spec":\#(spec)}"#)
    }

    private func container(_ name: String, _ securityContext: String? = nil, extra: String = "") -> String {
        var fields = #""name":"\#(name)","image":"i""#
        if let securityContext { fields += #","securityContext":\#(securityContext)"# }
        if !extra.isEmpty { fields += "," + extra }
        return "{\(fields)}"
    }

    private func checkIDs(_ pod: JSONValue, _ policy: PodSecurityLevelVersion) -> [String] {
        PodSecurityEvaluator.violations(of: pod, under: policy).map(\.checkID)
    }

    private func subjects(_ pod: JSONValue, _ policy: PodSecurityLevelVersion, check: String) -> [String] {
        PodSecurityEvaluator.violations(of: pod, under: policy).filter { $0.checkID == check }.map { "\($0.subject)" }
    }

    func testCompliantContainerPassesRestricted() throws {
        let pod = try pod(spec: #"{"containers":[\#(container("app", compliant))]}"#)
        XCTAssertEqual(checkIDs(pod, restricted), [])
        XCTAssertEqual(PodSecurityEvaluator.strictestLevel(of: pod), .restricted)
    }

    func testPrivilegedAllowsEverything() throws {
        let pod = try pod(spec: #"{"hostNetwork":true,"containers":[\#(container("app", #"{"privileged":true}"#))]}"#)
        XCTAssertEqual(checkIDs(pod, PodSecurityLevelVersion(level: .privileged)), [])
        XCTAssertEqual(PodSecurityEvaluator.strictestLevel(of: pod), .privileged)
    }

    // check_allowPrivilegeEscalation.go: unset, nil and true are refused; false passes.
    func testAllowPrivilegeEscalationMustBeFalse() throws {
        let pod = try pod(spec: #"{"containers":[\#(container("a")),\#(container("b", "{}")),\#(container("c", #"{"allowPrivilegeEscalation":true}"#)),\#(container("d", #"{"allowPrivilegeEscalation":false}"#))]}"#)
        XCTAssertEqual(subjects(pod, restricted, check: "allowPrivilegeEscalation"), ["container a", "container b", "container c"])
        XCTAssertEqual(subjects(pod, PodSecurityLevelVersion(level: .restricted, version: .minor(7)), check: "allowPrivilegeEscalation"), [], "the check starts at 1.8")
    }

    // check_allowPrivilegeEscalation.go allowPrivilegeEscalation_1_25: a Windows pod is exempt from 1.25.
    func testWindowsPodIsExemptFromAllowPrivilegeEscalationFrom125() throws {
        let pod = try pod(spec: #"{"os":{"name":"windows"},"containers":[\#(container("a"))]}"#)
        XCTAssertEqual(subjects(pod, restricted, check: "allowPrivilegeEscalation"), [])
        XCTAssertEqual(subjects(pod, PodSecurityLevelVersion(level: .restricted, version: .minor(24)), check: "allowPrivilegeEscalation"), ["container a"])
    }

    // check_runAsNonRoot.go: a container inherits the pod's runAsNonRoot=true; its own false wins.
    func testRunAsNonRootIsInheritedFromThePod() throws {
        let inherited = try pod(spec: #"{"securityContext":{"runAsNonRoot":true},"initContainers":[\#(container("init"))],"containers":[\#(container("a")),\#(container("b", #"{"runAsNonRoot":false}"#))]}"#)
        XCTAssertEqual(subjects(inherited, restricted, check: "runAsNonRoot"), ["container b"])
        let unset = try pod(spec: #"{"initContainers":[\#(container("init"))],"containers":[\#(container("a", #"{"runAsNonRoot":true}"#))]}"#)
        XCTAssertEqual(subjects(unset, restricted, check: "runAsNonRoot"), ["init container init"])
        let podFalse = try pod(spec: #"{"securityContext":{"runAsNonRoot":false},"containers":[\#(container("a", #"{"runAsNonRoot":true}"#))]}"#)
        XCTAssertEqual(subjects(podFalse, restricted, check: "runAsNonRoot"), ["pod"])
    }

    // check_runAsUser.go (1.23+): runAsUser 0 on the pod or a container.
    func testRunAsUserZeroIsRefusedFrom123() throws {
        let pod = try pod(spec: #"{"securityContext":{"runAsUser":0},"containers":[\#(container("a", #"{"runAsUser":0}"#)),\#(container("b", #"{"runAsUser":1000}"#))]}"#)
        XCTAssertEqual(subjects(pod, restricted, check: "runAsUser"), ["pod", "container a"])
        XCTAssertEqual(subjects(pod, PodSecurityLevelVersion(level: .restricted, version: .minor(22)), check: "runAsUser"), [])
    }

    // check_seccompProfile_restricted.go (1.19+): RuntimeDefault or Localhost, inherited from the pod.
    func testSeccompProfileIsInheritedFromThePod() throws {
        let pod = try pod(spec: #"{"securityContext":{"seccompProfile":{"type":"RuntimeDefault"}},"containers":[\#(container("a")),\#(container("b", #"{"seccompProfile":{"type":"Unconfined"}}"#))]}"#)
        XCTAssertEqual(subjects(pod, restricted, check: "seccompProfile_restricted"), ["container b"])
        let none = try self.pod(spec: #"{"containers":[\#(container("a"))]}"#)
        XCTAssertEqual(subjects(none, restricted, check: "seccompProfile_restricted"), ["container a"])
        XCTAssertEqual(subjects(none, PodSecurityLevelVersion(level: .restricted, version: .minor(18)), check: "seccompProfile_restricted"), [])
    }

    // check_capabilities_restricted.go (1.22+): drop ALL; add only NET_BIND_SERVICE. It
    // overrides capabilities_baseline at restricted.
    func testCapabilitiesMustDropAllAndAddOnlyNetBindService() throws {
        let pod = try pod(spec: #"{"containers":[\#(container("a")),\#(container("b", #"{"capabilities":{"drop":["ALL"],"add":["NET_BIND_SERVICE"]}}"#)),\#(container("c", #"{"capabilities":{"drop":["ALL"],"add":["CHOWN"]}}"#)),\#(container("d", #"{"capabilities":{"drop":["NET_RAW"]}}"#))]}"#)
        XCTAssertEqual(subjects(pod, restricted, check: "capabilities_restricted"), ["container a", "container c", "container d"])
        XCTAssertFalse(checkIDs(pod, restricted).contains("capabilities_baseline"))
        XCTAssertEqual(subjects(pod, PodSecurityLevelVersion(level: .restricted, version: .minor(21)), check: "capabilities_restricted"), [])
    }

    // check_capabilities_baseline.go: only the default set may be added.
    func testBaselineRefusesNonDefaultCapabilities() throws {
        let pod = try pod(spec: #"{"containers":[\#(container("a", #"{"capabilities":{"add":["CHOWN","NET_BIND_SERVICE"]}}"#)),\#(container("b", #"{"capabilities":{"add":["SYS_ADMIN"]}}"#))]}"#)
        XCTAssertEqual(subjects(pod, baseline, check: "capabilities_baseline"), ["container b"])
    }

    // check_restrictedVolumes.go: only configMap, csi, downwardAPI, emptyDir, ephemeral, PVC,
    // projected and secret; it overrides hostPathVolumes at restricted.
    func testRestrictedVolumeTypes() throws {
        let pod = try pod(spec: #"{"containers":[\#(container("a", compliant))],"volumes":[{"name":"ok","emptyDir":{}},{"name":"host","hostPath":{"path":"/"}},{"name":"nfs","nfs":{"server":"s","path":"/"}},{"name":"cm","configMap":{"name":"x"}}]}"#)
        XCTAssertEqual(subjects(pod, restricted, check: "restrictedVolumes"), ["volume host", "volume nfs"])
        XCTAssertFalse(checkIDs(pod, restricted).contains("hostPathVolumes"))
    }

    // check_hostPathVolumes.go
    func testBaselineRefusesHostPathVolumes() throws {
        let pod = try pod(spec: #"{"containers":[\#(container("a"))],"volumes":[{"name":"host","hostPath":{"path":"/"}},{"name":"nfs","nfs":{"server":"s","path":"/"}}]}"#)
        XCTAssertEqual(subjects(pod, baseline, check: "hostPathVolumes"), ["volume host"])
    }

    // check_privileged.go
    func testBaselineRefusesPrivilegedContainers() throws {
        let pod = try pod(spec: #"{"initContainers":[\#(container("i", #"{"privileged":true}"#))],"containers":[\#(container("a", #"{"privileged":false}"#))]}"#)
        XCTAssertEqual(subjects(pod, baseline, check: "privileged"), ["init container i"])
    }

    // check_hostNamespaces.go
    func testBaselineRefusesHostNamespaces() throws {
        for field in ["hostNetwork", "hostPID", "hostIPC"] {
            let pod = try pod(spec: #"{"\#(field)":true,"containers":[\#(container("a"))]}"#)
            XCTAssertEqual(subjects(pod, baseline, check: "hostNamespaces"), ["pod"], field)
        }
    }

    // check_hostPorts.go: hostPort 0 is the same as unset.
    func testBaselineRefusesHostPorts() throws {
        let pod = try pod(spec: #"{"containers":[\#(container("a", extra: #""ports":[{"containerPort":80,"hostPort":8080}]"#)),\#(container("b", extra: #""ports":[{"containerPort":80,"hostPort":0}]"#))]}"#)
        XCTAssertEqual(subjects(pod, baseline, check: "hostPorts"), ["container a"])
    }

    // check_seLinuxOptions.go: type from the allowed set; user and role unset.
    func testBaselineSELinuxOptions() throws {
        let pod = try pod(spec: #"{"securityContext":{"seLinuxOptions":{"type":"container_t"}},"containers":[\#(container("a", #"{"seLinuxOptions":{"type":"spc_t"}}"#)),\#(container("b", #"{"seLinuxOptions":{"user":"root"}}"#)),\#(container("c", #"{"seLinuxOptions":{"type":"container_init_t"}}"#))]}"#)
        XCTAssertEqual(subjects(pod, baseline, check: "seLinuxOptions"), ["container a", "container b"])
    }

    // check_procMount.go: Default or unset.
    func testBaselineProcMount() throws {
        let pod = try pod(spec: #"{"containers":[\#(container("a", #"{"procMount":"Unmasked"}"#)),\#(container("b", #"{"procMount":"Default"}"#))]}"#)
        XCTAssertEqual(subjects(pod, baseline, check: "procMount"), ["container a"])
    }

    // check_seccompProfile_baseline.go: Unconfined is refused on the pod and on containers.
    func testBaselineRefusesUnconfinedSeccomp() throws {
        let pod = try pod(spec: #"{"securityContext":{"seccompProfile":{"type":"Unconfined"}},"containers":[\#(container("a", #"{"seccompProfile":{"type":"Unconfined"}}"#)),\#(container("b"))]}"#)
        XCTAssertEqual(subjects(pod, baseline, check: "seccompProfile_baseline"), ["pod", "container a"])
    }

    // check_appArmorProfile.go: annotations may name runtime/default or localhost/*; fields may not be Unconfined.
    func testBaselineAppArmor() throws {
        let pod = try pod(
            spec: #"{"containers":[\#(container("a")),\#(container("b")),\#(container("c", #"{"appArmorProfile":{"type":"Unconfined"}}"#))]}"#,
            annotations: #"{"container.apparmor.security.beta.kubernetes.io/a":"unconfined","container.apparmor.security.beta.kubernetes.io/b":"localhost/x"}"#)
        XCTAssertEqual(subjects(pod, baseline, check: "appArmorProfile"), ["container a", "container c"])
    }

    // check_sysctls.go: the safe set, which grew with the versions.
    func testBaselineSysctls() throws {
        let pod = try pod(spec: #"{"securityContext":{"sysctls":[{"name":"net.ipv4.tcp_keepalive_time","value":"1"}]},"containers":[\#(container("a"))]}"#)
        XCTAssertEqual(subjects(pod, baseline, check: "sysctls"), [])
        XCTAssertEqual(subjects(pod, PodSecurityLevelVersion(level: .baseline, version: .minor(28)), check: "sysctls"), ["pod"])
        let unsafe = try self.pod(spec: #"{"securityContext":{"sysctls":[{"name":"kernel.msgmax","value":"1"}]},"containers":[\#(container("a"))]}"#)
        XCTAssertEqual(subjects(unsafe, baseline, check: "sysctls"), ["pod"])
    }

    // check_windowsHostProcess.go
    func testBaselineRefusesHostProcess() throws {
        let pod = try pod(spec: #"{"containers":[\#(container("a", #"{"windowsOptions":{"hostProcess":true}}"#))]}"#)
        XCTAssertEqual(subjects(pod, baseline, check: "windowsHostProcess"), ["container a"])
    }

    // check_hostProbesAndhostLifecycle.go (1.34+)
    func testBaselineRefusesProbeAndLifecycleHostsFrom134() throws {
        let pod = try pod(spec: #"{"containers":[\#(container("a", extra: #""livenessProbe":{"httpGet":{"host":"10.0.0.1","port":80}}"#)),\#(container("b", extra: #""lifecycle":{"preStop":{"tcpSocket":{"host":"x","port":1}}}"#)),\#(container("c", extra: #""readinessProbe":{"httpGet":{"port":80}}"#))]}"#)
        XCTAssertEqual(subjects(pod, baseline, check: "hostProbesAndHostLifecycle"), ["container a", "container b"])
        XCTAssertEqual(subjects(pod, PodSecurityLevelVersion(level: .baseline, version: .minor(33)), check: "hostProbesAndHostLifecycle"), [])
    }

    // api/helpers.go PolicyToEvaluate and ParseVersion.
    func testNamespaceLabelsParseAsTheAPIServerDoes() {
        XCTAssertEqual(PodSecurityLevelVersion(namespaceLabels: [:]).description, "privileged:latest")
        XCTAssertEqual(PodSecurityLevelVersion(namespaceLabels: ["pod-security.kubernetes.io/enforce": "restricted"]).description, "restricted:latest")
        XCTAssertEqual(PodSecurityLevelVersion(namespaceLabels: ["pod-security.kubernetes.io/enforce": "bogus"]).level, .restricted)
        XCTAssertEqual(PodSecurityLevelVersion(namespaceLabels: ["pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/enforce-version": "v1.23"]).description, "baseline:v1.23")
        XCTAssertEqual(PodSecurityVersion(label: "v1.023"), nil)
        XCTAssertEqual(PodSecurityVersion(label: "v2.1"), nil)
        XCTAssertEqual(PodSecurityLevelVersion(namespaceLabels: ["pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/enforce-version": "1.2"]).version, .latest)
    }
}
