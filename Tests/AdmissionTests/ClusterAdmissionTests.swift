@testable import Admission
import JSON
import XCTest

/// The admission core with cluster state: an injection that would make the API server's
/// PodSecurity or ResourceQuota admission refuse a pod it would otherwise admit is not made.
final class ClusterAdmissionTests: XCTestCase {
    private let config = """
        defaultProfiles: [agent]
        profiles:
          agent:
            initContainers: [{name: agent-copy, image: agent:1, command: [cp, a, b]}]
            volumes: [{name: agent, emptyDir: {}}]
            volumeMounts: [{name: agent, mountPath: /agent}]
          hardened:
            initContainers:
              - name: hardened-copy
                image: agent:1
                securityContext:
                  allowPrivilegeEscalation: false
                  runAsNonRoot: true
                  seccompProfile: {type: RuntimeDefault}
                  capabilities: {drop: [ALL]}
                resources:
                  requests: {cpu: 10m, memory: 16Mi}
                  limits: {cpu: 100m, memory: 32Mi}
            volumes: [{name: hardened, emptyDir: {}}]
          host:
            volumes: [{name: host, hostPath: {path: /var/log}}]
          env-only:
            env: [{name: A, value: b}]
        """

    private let restrictedContainer = #"{"name":"app","image":"app:1","securityContext":{"allowPrivilegeEscalation":false,"runAsNonRoot":true,"seccompProfile":{"type":"RuntimeDefault"},"capabilities":{"drop":["ALL"]}},"resources":{"requests":{"cpu":"1","memory":"1Gi"},"limits":{"cpu":"1","memory":"1Gi"}}}"#

    private func review(profile: String? = nil, podSecurityContext: String = "{}", container: String? = nil, specExtra: String = "") throws -> [UInt8] {
        let annotations = profile.map { #"{"kube-injector.io/inject":"\#($0)"}"# } ?? "{}"
        let pod = try JSONParser.parse(#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"default","annotations":\#(annotations),"ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-1","uid":"u","controller":true}]},"spec":{\#(specExtra)"securityContext":\#(podSecurityContext),"containers":[\#(container ?? restrictedContainer)]}}"#)
        return ReviewBuilder.review(pod: pod)
    }

    private func snapshot(_ yaml: String) throws -> ClusterSnapshot {
        try ClusterObjectsLoader(source: "objects.yaml").load(Array(yaml.utf8))
    }

    private func namespace(labels: String) -> String {
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: default\n  labels: \(labels)\n"
    }

    private func outcome(_ body: [UInt8], _ cluster: ClusterSnapshot?) throws -> AdmissionOutcome {
        AdmissionController(configuration: try InjectionConfig.load(yaml: config, source: "test.yaml")).review(body, cluster: cluster)
    }

    func testRestrictedNamespaceRefusesAnInitContainerWithoutSecurityContext() throws {
        let cluster = try snapshot(namespace(labels: "{pod-security.kubernetes.io/enforce: restricted}"))
        let result = try outcome(try review(), cluster)
        XCTAssertEqual(result.result, .failedOpen)
        XCTAssertEqual(result.failOpenReason, .podSecurity)
        let message = try XCTUnwrap(result.failure?.message)
        XCTAssertTrue(message.hasPrefix(#"PodSecurity "restricted:latest": init container agent-copy: allowPrivilegeEscalation != false, runAsNonRoot != true, seccompProfile, unrestricted capabilities"#), message)
        XCTAssertEqual(result.failure?.reason, "InjectionFailed")
        XCTAssertEqual(result.failure?.ownerReferences.first?.name, "web-1")
        XCTAssertNil(try ReviewBuilder.patch(in: result.body), "admitted unchanged")
    }

    func testPodLevelSecurityContextIsInheritedByTheInjectedContainer() throws {
        let cluster = try snapshot(namespace(labels: "{pod-security.kubernetes.io/enforce: restricted}"))
        // runAsNonRoot and seccomp come from the pod; the container still lacks the two container-only fields.
        let inherited = try outcome(try review(podSecurityContext: #"{"runAsNonRoot":true,"seccompProfile":{"type":"RuntimeDefault"}}"#), cluster)
        let message = try XCTUnwrap(inherited.failure?.message)
        XCTAssertTrue(message.hasPrefix(#"PodSecurity "restricted:latest": init container agent-copy: allowPrivilegeEscalation != false, unrestricted capabilities ("#), message)
    }

    func testRestrictedCompliantProfileIsInjected() throws {
        let cluster = try snapshot(namespace(labels: "{pod-security.kubernetes.io/enforce: restricted}"))
        let result = try outcome(try review(profile: "hardened"), cluster)
        XCTAssertEqual(result.result, .injected, result.failure?.message ?? "")
    }

    func testBaselineNamespaceAdmitsWhatOnlyRestrictedForbids() throws {
        let cluster = try snapshot(namespace(labels: "{pod-security.kubernetes.io/enforce: baseline}"))
        XCTAssertEqual(try outcome(try review(), cluster).result, .injected)
        let host = try outcome(try review(profile: "host"), cluster)
        XCTAssertEqual(host.result, .failedOpen)
        XCTAssertEqual(host.failOpenReason, .podSecurity)
        XCTAssertTrue(host.failure?.message.hasPrefix(#"PodSecurity "baseline:latest": volume host: hostPath volumes"#) ?? false, host.failure?.message ?? "")
    }

    func testEnforceVersionSelectsTheChecks() throws {
        // At v1.7 restricted has no allowPrivilegeEscalation, seccomp or capabilities checks yet.
        let cluster = try snapshot(namespace(labels: "{pod-security.kubernetes.io/enforce: restricted, pod-security.kubernetes.io/enforce-version: v1.7}"))
        let message = try XCTUnwrap(try outcome(try review(), cluster).failure?.message)
        XCTAssertTrue(message.hasPrefix(#"PodSecurity "restricted:v1.7": init container agent-copy: runAsNonRoot != true ("#), message)
    }

    func testAPodThatViolatesByItselfIsInjectedAsBefore() throws {
        let cluster = try snapshot(namespace(labels: "{pod-security.kubernetes.io/enforce: restricted}"))
        let result = try outcome(try review(container: #"{"name":"app","image":"app:1"}"#), cluster)
        XCTAssertEqual(result.result, .injected, "the API server refuses this pod with or without the injection")
    }

    func testPrivilegedOrUnlabelledNamespaceIsNotChecked() throws {
        let cluster = try snapshot(namespace(labels: "{}"))
        XCTAssertEqual(try outcome(try review(), cluster).result, .injected)
    }

    func testUnknownNamespaceIsInjectedAndFlagged() throws {
        let cluster = try snapshot("apiVersion: v1\nkind: Namespace\nmetadata: {name: other}\n")
        let result = try outcome(try review(), cluster)
        XCTAssertEqual(result.result, .injected)
        XCTAssertEqual(result.unknownNamespace, "default")
        XCTAssertNil(try outcome(try review(), nil).unknownNamespace, "no cluster at all is not an unknown namespace")
    }

    func testEnvOnlyInjectionIsNeverRefused() throws {
        let cluster = try snapshot(namespace(labels: "{pod-security.kubernetes.io/enforce: restricted}"))
        XCTAssertEqual(try outcome(try review(profile: "env-only"), cluster).result, .injected)
    }

    // pkg/quota/v1/evaluator/core/pods.go enforcePodContainerConstraints.
    func testQuotaTrackingLimitsRefusesAnInitContainerWithoutLimits() throws {
        let cluster = try snapshot("""
            apiVersion: v1
            kind: ResourceQuota
            metadata: {name: compute, namespace: default}
            spec: {hard: {limits.cpu: "4", requests.memory: 4Gi, pods: "10"}}
            """)
        let result = try outcome(try review(), cluster)
        XCTAssertEqual(result.result, .failedOpen)
        XCTAssertEqual(result.failOpenReason, .resourceQuota)
        let message = try XCTUnwrap(result.failure?.message)
        XCTAssertTrue(message.hasPrefix(#"ResourceQuota "compute": init container agent-copy must specify limits.cpu, requests.memory ("#), message)
        XCTAssertEqual(try outcome(try review(profile: "hardened"), cluster).result, .injected)
    }

    // LimitRanger fills defaults into containers a webhook added before ResourceQuota admission
    // runs; a LimitRange's `default` also defaults `defaultRequest` (SetDefaults_LimitRangeItem).
    func testLimitRangeDefaultsSatisfyTheQuota() throws {
        let cluster = try snapshot("""
            apiVersion: v1
            kind: List
            items:
              - {apiVersion: v1, kind: ResourceQuota, metadata: {name: compute, namespace: default}, spec: {hard: {limits.cpu: "4", cpu: "2", memory: 1Gi}}}
              - {apiVersion: v1, kind: LimitRange, metadata: {name: defaults, namespace: default}, spec: {limits: [{type: Container, default: {cpu: 100m}, defaultRequest: {memory: 16Mi}}]}}
            """)
        XCTAssertEqual(try outcome(try review(), cluster).result, .injected)
    }

    // pkg/quota/v1/evaluator/core/pods.go podMatchesScopeFunc: a Terminating quota counts only
    // pods with activeDeadlineSeconds.
    func testTerminatingQuotaAppliesOnlyToPodsWithADeadline() throws {
        let cluster = try snapshot("""
            {"apiVersion":"v1","kind":"ResourceQuota","metadata":{"name":"jobs","namespace":"default"},"spec":{"hard":{"limits.cpu":"4"},"scopes":["Terminating"]}}
            """)
        XCTAssertEqual(try outcome(try review(), cluster).result, .injected)
        let deadline = try outcome(try review(specExtra: #""activeDeadlineSeconds":600,"#), cluster)
        XCTAssertTrue(deadline.failure?.message.hasPrefix(#"ResourceQuota "jobs": init container agent-copy must specify limits.cpu ("#) ?? false,
                      deadline.failure?.message ?? "injected")
    }

    // A NotBestEffort quota starts to apply when the injection gives a BestEffort pod resources:
    // then the pod's own container, which has none, makes it inadmissible.
    func testInjectionThatEndsBestEffortMakesANotBestEffortQuotaApply() throws {
        let cluster = try snapshot("""
            {"apiVersion":"v1","kind":"ResourceQuota","metadata":{"name":"burstable","namespace":"default"},"spec":{"hard":{"requests.cpu":"4"},"scopes":["NotBestEffort"]}}
            """)
        let bare = #"{"name":"app","image":"app:1"}"#
        XCTAssertEqual(try outcome(try review(container: bare), cluster).result, .injected, "agent adds no resources: still BestEffort")
        let hardened = try outcome(try review(profile: "hardened", container: bare), cluster)
        XCTAssertTrue(hardened.failure?.message.hasPrefix(#"ResourceQuota "burstable": container app must specify requests.cpu ("#) ?? false,
                      hardened.failure?.message ?? "injected")
    }

    func testPriorityClassScopeSelectsByTheClassName() throws {
        let cluster = try snapshot("""
            {"apiVersion":"v1","kind":"ResourceQuota","metadata":{"name":"high","namespace":"default"},"spec":{"hard":{"limits.memory":"4Gi"},"scopeSelector":{"matchExpressions":[{"scopeName":"PriorityClass","operator":"In","values":["high"]}]}}}
            """)
        XCTAssertEqual(try outcome(try review(specExtra: #""priorityClassName":"low","#), cluster).result, .injected)
        XCTAssertEqual(try outcome(try review(specExtra: #""priorityClassName":"high","#), cluster).result, .failedOpen)
    }

    func testQuotaWithoutComputeResourcesIsIgnored() throws {
        let cluster = try snapshot("""
            {"apiVersion":"v1","kind":"ResourceQuota","metadata":{"name":"count","namespace":"default"},"spec":{"hard":{"pods":"10","requests.storage":"1Ti"}}}
            """)
        XCTAssertEqual(try outcome(try review(), cluster).result, .injected)
    }

    func testObjectsLoaderReadsMultipleDocumentsAndRefusesOtherKinds() throws {
        let cluster = try snapshot("""
            apiVersion: v1
            kind: Namespace
            metadata: {name: a, labels: {pod-security.kubernetes.io/enforce: baseline}}
            ---
            apiVersion: v1
            kind: LimitRange
            metadata: {name: l, namespace: b}
            spec: {limits: [{type: Container, max: {cpu: "1"}}]}
            """)
        XCTAssertEqual(cluster[namespace: "a"]?.podSecurity.level, .baseline)
        XCTAssertEqual(cluster[namespace: "b"]?.limitRanges.first?.defaultLimits, ["cpu"], "default falls back to max")
        XCTAssertEqual(cluster[namespace: "b"]?.limitRanges.first?.defaultRequests, ["cpu"])
        XCTAssertThrowsError(try snapshot("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n")) { error in
            XCTAssertEqual("\(error)", "objects.yaml: object 1 is a Pod (p); --objects reads Namespace, ResourceQuota, LimitRange and Lists of them")
        }
    }
}
