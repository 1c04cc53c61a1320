// Times the admission engine (parse, decide, build the patch, self-check, write the response)
// on the checked-in fixtures and on generated pods of growing size. Run in release mode:
//   swift build -c release --product admission-bench && .build/release/admission-bench
import Admission
import JSON

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let root = String(#filePath.dropLast("Benchmarks/admission-bench/main.swift".count))
let fixtures = root + "Tests/AdmissionTests/Fixtures/"

func readFile(_ path: String) -> [UInt8]? {
    guard let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = fread(&buffer, 1, buffer.count, file)
        if count <= 0 { break }
        bytes.append(contentsOf: buffer[0..<count])
    }
    return bytes
}

func loadConfig(_ name: String) -> InjectionConfig {
    guard let bytes = readFile(fixtures + name) else {
        print("cannot read \(fixtures + name)")
        exit(1)
    }
    do {
        return try InjectionConfig.load(yaml: String(decoding: bytes, as: UTF8.self), source: name)
    } catch {
        print("\(error)")
        exit(1)
    }
}

/// A pod with `containers` containers of `env` env vars each (and, with `mounts`, that many
/// mounts of the pod's own volume each, and `volumes` volumes), as an AdmissionReview.
func generatedReview(containers: Int, env: Int, mounts: Int = 0, volumes: Int = 1) -> [UInt8] {
    var text = #"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"bench-uid","kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},"namespace":"bench","operation":"CREATE","object":{"apiVersion":"v1","kind":"Pod","metadata":{"generateName":"bench-","namespace":"bench","labels":{"app":"bench"}},"spec":{"containers":["#
    for container in 0..<containers {
        if container > 0 { text += "," }
        text += #"{"name":"c\#(container)","image":"registry.example.com/app:1.0","env":["#
        for variable in 0..<env {
            if variable > 0 { text += "," }
            text += #"{"name":"VARIABLE_\#(variable)","value":"value-\#(variable)"}"#
        }
        text += "]"
        if mounts > 0 {
            text += #","volumeMounts":["#
            for mount in 0..<mounts {
                if mount > 0 { text += "," }
                text += #"{"name":"data","mountPath":"/data/\#(mount)"}"#
            }
            text += "]"
        }
        text += #","resources":{"requests":{"cpu":"10m"}}}"#
    }
    text += #"],"#
    if mounts > 0 {
        text += #""volumes":[{"name":"data","emptyDir":{}}"#
        for volume in 1..<max(volumes, 1) { text += #",{"name":"volume-\#(volume)","emptyDir":{}}"# }
        text += "],"
    }
    text += #""restartPolicy":"Always"}},"dryRun":false}}"#
    return Array(text.utf8)
}

/// The CPU time this thread has used, in microseconds. CPU time rather than wall time, so
/// figures taken while other processes compete for the cores stay comparable.
func threadCPUMicroseconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) * 1e6 + Double(time.tv_nsec) / 1e3
}

/// Microseconds of CPU per review: the best of five rounds of at least `seconds` each, after
/// a warm-up. The best round is the one least disturbed by whatever else shares the cores.
func measure(_ controller: AdmissionController, _ body: [UInt8], cluster: ClusterSnapshot? = nil, seconds: Double = 0.15, rounds: Int = 5) -> (micros: Double, result: String) {
    var result = controller.review(body, cluster: cluster)
    // Fewer rounds are for the slow large pods: no further warm-up, one review at a time.
    let batch = rounds < 5 ? 1 : 4
    for _ in 0..<(rounds < 5 ? 0 : 3) { result = controller.review(body, cluster: cluster) }
    var best = Double.infinity
    for _ in 0..<rounds {
        var iterations = 0
        let start = threadCPUMicroseconds()
        var elapsed = 0.0
        while elapsed < seconds * 1e6 {
            for _ in 0..<batch { result = controller.review(body, cluster: cluster) }
            iterations += batch
            elapsed = threadCPUMicroseconds() - start
        }
        best = min(best, elapsed / Double(iterations))
    }
    return (best, result.result.rawValue)
}

func format(_ value: Double, _ decimals: Int) -> String {
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    return String((value * scale).rounded() / scale)
}

/// Optional filter: only rows whose name contains the first argument (for profiling one case).
let only = CommandLine.arguments.dropFirst().first

/// Optional fixed count (second argument): run exactly that many reviews of the matching rows
/// and print nothing, for `perf stat -e instructions` (counts do not depend on machine load).
let fixedCount = CommandLine.arguments.dropFirst(2).first.flatMap { Int($0) }

func row(_ name: String, _ controller: AdmissionController, cluster: ClusterSnapshot? = nil, rounds: Int = 5, _ makeBody: @autoclosure () -> [UInt8]) {
    if let only, !name.contains(only) { return }
    let body = makeBody()
    if let fixedCount {
        var last = controller.review(body, cluster: cluster)
        for _ in 0..<fixedCount { last = controller.review(body, cluster: cluster) }
        if last.httpStatus == 0 { print("unreachable") }
        return
    }
    let (micros, result) = measure(controller, body, cluster: cluster, rounds: rounds)
    let kilobytes = Double(body.count) / 1024
    let padded = name.rightPadded(40)
    print("\(padded) \(format(kilobytes, 1).leftPadded(9)) KB \(format(micros, 1).leftPadded(10)) µs/review \(format(micros / kilobytes, 2).leftPadded(8)) µs/KB  \(result)")
}

extension String {
    /// Cut or padded to `width`, as Foundation's padding(toLength:) did; the bench links no Foundation.
    func rightPadded(_ width: Int) -> String {
        count >= width ? String(prefix(width)) : self + String(repeating: " ", count: width - count)
    }

    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}

let bench = AdmissionController(configuration: loadConfig("bench-profile.yaml"))
let observability = AdmissionController(configuration: loadConfig("config.yaml"))

print("fixture                                       size      time              per KB   result")
for (name, controller) in [
    ("deployment-pod-generate-name", bench), ("v1-pod-create", bench), ("already-injected", bench),
    ("env-2000", bench), ("many-containers", observability),
] {
    guard let body = readFile(fixtures + "reviews/\(name).json") else { continue }
    row(name + (controller.configuration.defaultProfiles == ["bench"] ? " (bench)" : " (config)"), controller, body)
}
if let body = readFile(fixtures + "reviews/deployment-pod-generate-name.json") {
    row("deployment-pod-generate-name (demo)", AdmissionController(configuration: .demo), body)
}
// As `serve` runs with a cluster: the review reads its namespace from a snapshot of 1000. In an
// unlabelled namespace that is the whole cost; a restricted one evaluates the Pod Security checks
// (the bench init container has no securityContext, so the pod is admitted without injection).
if let body = readFile(fixtures + "reviews/deployment-pod-generate-name.json") {
    var namespaces = (0..<1000).map { NamespacePolicy(name: "namespace-\($0)", labels: [:]) }
    namespaces.append(NamespacePolicy(name: "shop", labels: [:]))
    row("deployment-pod (bench, cluster: open ns)", bench, cluster: ClusterSnapshot(namespaces: namespaces), body)
    namespaces[namespaces.count - 1] = NamespacePolicy(name: "shop", labels: ["pod-security.kubernetes.io/enforce": "restricted"])
    row("deployment-pod (bench, cluster: restricted)", bench, cluster: ClusterSnapshot(namespaces: namespaces), body)
    namespaces[namespaces.count - 1] = NamespacePolicy(
        name: "shop", labels: [:], resourceQuotas: [ResourceQuotaSummary(name: "compute", hardKeys: ["limits.cpu", "requests.memory"])])
    row("deployment-pod (bench, cluster: quota)", bench, cluster: ClusterSnapshot(namespaces: namespaces), body)
    // The usual restricted case: app containers and the injected one all restricted-compliant, so
    // only the injected container is evaluated.
    let compliant = #"{"allowPrivilegeEscalation":false,"runAsNonRoot":true,"seccompProfile":{"type":"RuntimeDefault"},"capabilities":{"drop":["ALL"]}}"#
    if let tree = try? JSONParser.parse(body) {
        var text = String(decoding: JSONSerializer.serialize(tree), as: UTF8.self)
        for name in ["checkout", "envoy"] {
            text = text.replacing(#"{"name":"\#(name)","#, with: #"{"name":"\#(name)","securityContext":\#(compliant),"#)
        }
        let restricted = AdmissionController(configuration: (try? InjectionConfig.load(yaml: """
            defaultProfiles: [bench]
            profiles:
              bench:
                env: [{name: CLUSTER_NAME, value: bench}, {name: REGION, value: eu-west-1}, {name: OTEL_EXPORTER_OTLP_ENDPOINT, value: "http://otel-collector.observability:4317"}]
                initContainers:
                  - {name: bench-init, image: "busybox:1.36", command: [sh, -c, "true"], securityContext: \(compliant)}
                initContainerPosition: first
            """, source: "bench-restricted")) ?? InjectionConfig())
        namespaces[namespaces.count - 1] = NamespacePolicy(name: "shop", labels: [:])
        row("compliant pod (restricted profile, open ns)", restricted, cluster: ClusterSnapshot(namespaces: namespaces), Array(text.utf8))
        namespaces[namespaces.count - 1] = NamespacePolicy(name: "shop", labels: ["pod-security.kubernetes.io/enforce": "restricted"])
        row("compliant pod (restricted profile, restricted)", restricted, cluster: ClusterSnapshot(namespaces: namespaces), Array(text.utf8))
    }
}
print("")
print("scaling: containers x env vars per container (bench profile)")
for (containers, env) in [(1, 10), (5, 40), (10, 100), (50, 40), (50, 200), (50, 2000)] {
    row("\(containers) x \(env)", bench, generatedReview(containers: containers, env: env))
}
print("")
print("scaling: containers (3 env vars and 1 mount each, bench profile); should grow linearly")
for containers in [250, 1000, 3000, 10000] {
    row("\(containers) containers", bench, rounds: containers > 1000 ? 2 : 5, generatedReview(containers: containers, env: 3, mounts: 1))
}
let agent = AdmissionController(configuration: (try? InjectionConfig.load(yaml: """
    defaultProfiles: [agent]
    profiles:
      agent:
        env: [{name: AGENT, value: "on"}]
        initContainers: [{name: agent-copy, image: "agent:1", volumeMounts: [{name: agent, mountPath: /agent}]}]
        volumes: [{name: agent, emptyDir: {}}]
        volumeMounts: [{name: agent, mountPath: /agent}]
    """, source: "agent")) ?? InjectionConfig())
print("")
print("scaling: containers and volumes (agent profile: a volume, its mount in every container, an init container)")
for (containers, volumes) in [(1000, 1), (1000, 1000), (3000, 3000), (10000, 10000)] {
    row("\(containers) containers, \(volumes) volumes", agent, rounds: containers > 1000 ? 2 : 5, generatedReview(containers: containers, env: 3, mounts: 1, volumes: volumes))
}
print("")
print("parse only (JSONParser.parse building the whole tree), for comparison")
for (containers, env) in [(1, 10), (50, 200)] {
    let body = generatedReview(containers: containers, env: env)
    if let only, !"parse \(containers) x \(env)".contains(only) { continue }
    var sink = 0
    let start = threadCPUMicroseconds()
    var iterations = 0
    while threadCPUMicroseconds() - start < 300_000 {
        if case .object(let object)? = try? JSONParser.parse(body) { sink &+= object.count }
        iterations += 1
    }
    let micros = (threadCPUMicroseconds() - start) / Double(iterations)
    let name = "parse \(containers) x \(env)".rightPadded(40)
    print("\(name) \(format(Double(body.count) / 1024, 1).leftPadded(9)) KB \(format(micros, 1).leftPadded(10)) µs\(sink > 0 ? "" : " ?")")
}
