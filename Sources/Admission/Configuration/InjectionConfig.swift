// Configuration: the injection configuration (profiles, defaults) loaded from YAML and checked
// once at load, so the review path only reads it; configured objects are kept as ready JSON.

/// The injection configuration: named profiles and the defaults for pods that name none.
/// Loaded from YAML (`load(yaml:source:)`), the document the chart's ConfigMap holds.
public struct InjectionConfig: Sendable {
    /// Profiles for pods whose `kube-injector.io/inject` annotation names none; empty means opt-in only.
    public var defaultProfiles: [String]
    /// In the order the document lists them.
    public private(set) var profiles: [InjectionProfile]
    /// AdmissionReview operations whose pods are mutated: always `[CREATE]`. The loader refuses
    /// UPDATE, because Kubernetes forbids adding init containers, volumes or env to an existing pod.
    public var operations: [String]

    private var profileIndex: [String: Int]
    /// The status annotation for pods that get `defaultProfiles`, the usual case, built once.
    private(set) var defaultStatus: (profiles: [String], value: String)?

    /// A configuration that injects nothing.
    public init() {
        self.init(defaultProfiles: [], profiles: [], operations: ["CREATE"])
    }

    public init(defaultProfiles: [String], profiles: [InjectionProfile], operations: [String] = ["CREATE"]) {
        self.defaultProfiles = defaultProfiles
        self.profiles = profiles
        self.operations = operations
        var index: [String: Int] = [:]
        for (position, profile) in profiles.enumerated() where index[profile.name] == nil {
            index[profile.name] = position
        }
        profileIndex = index
        let defaults = defaultProfiles.compactMap { index[$0].map { profiles[$0] } }
        defaultStatus = defaults.isEmpty ? nil : (defaults.map(\.name), Injector.statusValue(defaults))
    }

    public func profile(named name: String) -> InjectionProfile? {
        profileIndex[name].map { profiles[$0] }
    }

    func mutates(operation: String) -> Bool { operations.contains(operation) }

    /// Reads and validates a configuration document. `source` names where it came from (a
    /// file path) for the error message.
    public static func load(yaml: String, source: String) throws -> InjectionConfig {
        try ConfigurationLoader(yaml: yaml, source: source).load()
    }

    /// The built-in demo configuration, used by `replay` without `--config` and by `serve --dev`.
    public static let demo: InjectionConfig = (try? load(yaml: demoYAML, source: "built-in demo configuration")) ?? InjectionConfig()

    /// The text of the demo configuration (a test checks that it loads).
    public static let demoYAML: String = """
        # Demo configuration: what an observability team would roll out to every pod.
        defaultProfiles: [observability]
        operations: [CREATE]
        profiles:
          observability:
            containers: ["*"]
            env:
              - name: CLUSTER_NAME
                value: demo-cluster
              - name: OTEL_EXPORTER_OTLP_ENDPOINT
                value: http://otel-collector.observability.svc:4317
              - name: OTEL_RESOURCE_ATTRIBUTES
                value: k8s.cluster.name=demo-cluster
              - name: NODE_NAME
                valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
              - name: POD_NAME
                valueFrom: {fieldRef: {fieldPath: metadata.name}}
              - name: POD_NAMESPACE
                valueFrom: {fieldRef: {fieldPath: metadata.namespace}}
              - name: JAVA_TOOL_OPTIONS
                value: -javaagent:/otel-agent/opentelemetry-javaagent.jar
            overrideEnv: false
            initContainers:
              - name: otel-agent-copy
                image: ghcr.io/open-telemetry/opentelemetry-operator/autoinstrumentation-java:2.10.0
                command: [cp, /javaagent.jar, /otel-agent/opentelemetry-javaagent.jar]
                resources:
                  requests: {cpu: 10m, memory: 32Mi}
                  limits: {cpu: 100m, memory: 64Mi}
                securityContext:            # passes Pod Security "restricted"
                  allowPrivilegeEscalation: false
                  capabilities: {drop: [ALL]}
                  runAsNonRoot: true
                  runAsUser: 65532          # any non-root uid: the image's own user may be root
                  seccompProfile: {type: RuntimeDefault}
                volumeMounts:
                  - {name: otel-agent, mountPath: /otel-agent}
            initContainerPosition: last
            volumes:
              - name: otel-agent
                emptyDir: {sizeLimit: 64Mi}
            volumeMounts:
              - {name: otel-agent, mountPath: /otel-agent, readOnly: true}
          debug:
            containers: ["*"]
            env:
              - {name: LOG_LEVEL, value: debug}
            overrideEnv: true
        """
}
