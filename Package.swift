// swift-tools-version:6.0
import PackageDescription

// Swift 6 language mode (the default for tools version 6.0): complete concurrency checking, its
// findings errors. The upcoming-feature flag below says so explicitly for readers and older tools.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("StrictConcurrency=complete"),
]

// The release executable on Linux is linked by lld with packed relative relocations (DT_RELR, glibc
// 2.36+: a 12 KB table instead of 1.4 MB that the loader reads at every start) and with the functions
// start-up runs laid out together (scripts/link-order.txt, made by scripts/gen-link-order.sh), so start-up
// maps fewer pages of text. Together: idle RSS 27.6 to about 23.7 MB (docs/benchmarks.md). Linker
// flags only; an order file that has gone stale costs memory, never correctness.
let releaseLinkerSettings: [LinkerSetting] = [
    .unsafeFlags([
        "-use-ld=lld",
        "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
        "-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/scripts/link-order.txt",
        "-Xlinker", "--no-warn-symbol-ordering",
    ], .when(platforms: [.linux], configuration: .release)),
]

let package = Package(
    name: "kube-injector",
    platforms: [.macOS(.v15)],  // Synchronization.Mutex (JSONSource)
    products: [
        .executable(name: "kube-injector", targets: ["kube-injector"]),
    ],
    // Exact versions, so every build (a laptop, CI, the image) compiles the same code: no
    // Package.resolved can be committed here. To move one: change its version below, run
    // `swift package update` and `scripts/test.sh`, and commit the two together; the versions a
    // machine offers are in `git -C /opt/swift-packages/OWNER/NAME.git tag`. A range or `from:` is
    // refused by Tests/python/test_package_pins.py.
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", exact: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", exact: "2.13.0"),
        .package(url: "https://github.com/apple/swift-collections.git", exact: "1.6.0"),
        // Listed only to pin what the packages above depend on in turn
        // (swift-nio and swift-prometheus: atomics, system; swift-service-lifecycle: async-algorithms).
        .package(url: "https://github.com/apple/swift-atomics.git", exact: "1.3.0"),
        .package(url: "https://github.com/apple/swift-system.git", exact: "1.8.1"),
        .package(url: "https://github.com/apple/swift-async-algorithms.git", exact: "1.1.4"),
    ],
    targets: [
        // C shims: thin typed wrappers over the system libraries, no logic.
        .target(
            name: "COpenSSL",
            linkerSettings: [.linkedLibrary("ssl"), .linkedLibrary("crypto")]
        ),
        .target(
            name: "CCurl",
            linkerSettings: [.linkedLibrary("curl")]
        ),
        .target(
            name: "CYAML",
            linkerSettings: [.linkedLibrary("yaml")]
        ),

        // YAML over libyaml's event parser, with no Foundation: node tree, scalar resolution, Decoder.
        .target(
            name: "YAML",
            dependencies: ["CYAML"],
            swiftSettings: swiftSettings
        ),

        // JSON as the admission path reads and writes it: a strict parser that builds only the parts
        // asked for (ParseShape), the value tree, the serializer, pointers and RFC 6902 patches.
        // Depends on nothing, not even Foundation.
        .target(
            name: "JSON",
            swiftSettings: swiftSettings
        ),

        // The Kubernetes API's objects as Codable types (Event, ObjectMeta, OwnerReference, Lease...):
        // no I/O and no Foundation, so the pure admission core and the client share one vocabulary.
        .target(
            name: "KubernetesAPI",
            swiftSettings: swiftSettings
        ),

        // Pure admission core: no I/O, no clock, no globals.
        .target(
            name: "Admission",
            dependencies: ["JSON", "YAML", "KubernetesAPI"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "WebhookServer",
            dependencies: [
                "Admission",
                "COpenSSL",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KubeClient",
            dependencies: [
                "CCurl",
                "YAML",
                "KubernetesAPI",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "EventRecorder",
            dependencies: [
                "KubeClient",
                "KubernetesAPI",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ScaleForwarder",
            dependencies: [
                "JSON",
                "KubeClient",
                "KubernetesAPI",
                "EventRecorder",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "kube-injector",
            dependencies: [
                "Admission",
                "JSON",
                "WebhookServer",
                "KubernetesAPI",
                "KubeClient",
                "EventRecorder",
                "ScaleForwarder",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings,
            linkerSettings: releaseLinkerSettings
        ),
        // Times the admission engine on the fixtures (release build): scripts/bench.sh runs it.
        .executableTarget(
            name: "admission-bench",
            dependencies: ["Admission", "JSON"],
            path: "Benchmarks/admission-bench",
            swiftSettings: swiftSettings
        ),

        // Shared by the test targets: launchers for the fake API server and fake sink (network
        // boundary fakes, Tests/FakeAPIServer), certificate making with the openssl CLI, free ports, an in-memory log
        // (CapturedLog).
        .target(
            name: "TestSupport",
            dependencies: [
                "JSON",
                // Nothing here uses them: they only make the exact pins of these two transitive
                // packages count as used, so SwiftPM does not warn; the shipped binary is unchanged.
                .product(name: "Atomics", package: "swift-atomics"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "JSONTests",
            dependencies: ["JSON", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AdmissionTests",
            dependencies: ["Admission", "JSON", "KubernetesAPI", "TestSupport", "YAML"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "WebhookServerTests",
            dependencies: [
                "WebhookServer", "Admission", "COpenSSL", "TestSupport",
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "YAMLTests",
            dependencies: ["YAML"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KubernetesAPITests",
            dependencies: ["KubernetesAPI"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KubeClientTests",
            dependencies: ["KubeClient", "KubernetesAPI", "TestSupport",
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "MetricsTestKit", package: "swift-metrics")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EventRecorderTests",
            dependencies: [
                "EventRecorder", "KubeClient", "KubernetesAPI", "TestSupport",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ScaleForwarderTests",
            dependencies: ["ScaleForwarder", "EventRecorder", "JSON", "KubeClient", "KubernetesAPI", "TestSupport", "YAML",
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "MetricsTestKit", package: "swift-metrics"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
            swiftSettings: swiftSettings
        ),
        // Runs the built kube-injector binary as a user would, against real clients and the fake API server.
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["kube-injector", "TestSupport"],
            // The `inject` goldens are read and (UPDATE_GOLDEN=1) rewritten in the source tree.
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
    ]
)
