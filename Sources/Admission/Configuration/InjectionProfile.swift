import JSON

/// One named profile: what is injected into a pod that selects it.
public struct InjectionProfile: Sendable {
    public let name: String
    /// Container names, or `["*"]` for every app container.
    public let containers: [String]
    /// EnvVar objects, keyed by name.
    public let env: [ConfiguredObject]
    /// Whether a variable the container already has is replaced (true) or kept (false).
    public let overrideEnv: Bool
    /// Container objects, keyed by name.
    public let initContainers: [ConfiguredObject]
    public let initContainerPosition: InitContainerPosition
    /// Volume objects, keyed by name.
    public let volumes: [ConfiguredObject]
    /// VolumeMount objects for the targeted containers, keyed by mountPath.
    public let volumeMounts: [ConfiguredObject]
    /// FNV-1a 64 of the profile's definition; goes into the status annotation so a changed
    /// profile can be told apart from the one a pod was injected with.
    public private(set) var hash: UInt64 = 0

    public init(
        name: String, containers: [String] = ["*"], env: [ConfiguredObject] = [], overrideEnv: Bool = false,
        initContainers: [ConfiguredObject] = [], initContainerPosition: InitContainerPosition = .last,
        volumes: [ConfiguredObject] = [], volumeMounts: [ConfiguredObject] = []
    ) {
        self.name = name
        self.containers = containers
        self.env = env
        self.overrideEnv = overrideEnv
        self.initContainers = initContainers
        self.initContainerPosition = initContainerPosition
        self.volumes = volumes
        self.volumeMounts = volumeMounts
        hash = computeHash()
    }

    public var targetsAllContainers: Bool { containers.contains("*") }

    public func targets(containerNamed name: String) -> Bool {
        targetsAllContainers || containers.contains(name)
    }

    /// The definition as one JSON document, in a fixed member order.
    public var definition: JSONValue {
        .object(JSONObject([
            JSONMember(key: "containers", value: .array(containers.map { .string($0) })),
            JSONMember(key: "env", value: .array(env.map(\.value))),
            JSONMember(key: "overrideEnv", value: .bool(overrideEnv)),
            JSONMember(key: "initContainers", value: .array(initContainers.map(\.value))),
            JSONMember(key: "initContainerPosition", value: .string(initContainerPosition.rawValue)),
            JSONMember(key: "volumes", value: .array(volumes.map(\.value))),
            JSONMember(key: "volumeMounts", value: .array(volumeMounts.map(\.value))),
        ]))
    }

    private func computeHash() -> UInt64 {
        var hasher = FNV1a64()
        hasher.combine(Array(name.utf8))
        hasher.combine([0])
        hasher.combine(JSONSerializer.serialize(definition))
        return hasher.value
    }
}
