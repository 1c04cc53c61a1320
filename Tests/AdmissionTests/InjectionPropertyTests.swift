@testable import Admission
import JSON
import TestSupport
import XCTest

/// Random pods against random configurations, seeded so a failure can be replayed: the
/// response always echoes the uid, a returned patch always applies to the request object and
/// gives the patched object, and injecting the patched pod again changes nothing.
final class InjectionPropertyTests: XCTestCase {
    static let envNames = ["CLUSTER_NAME", "REGION", "LOG_LEVEL", "NODE_NAME", "OTEL_ENDPOINT", "PORT", "A/B~C"]
    static let initNames = ["agent-copy", "certs", "wait-db"]
    static let volumeNames = ["agent", "certs", "cache"]
    static let containerNames = ["app", "sidecar", "proxy", "worker", "log-shipper"]

    func testRandomPodsAndConfigurationsKeepTheInvariants() throws {
        var counts: [AdmissionOutcome.Result: Int] = [:]
        for seed in 1...400 {
            var generator = SeededGenerator(seed: UInt64(seed))
            let config = Self.randomConfiguration(&generator)
            let pod = Self.randomPod(&generator, profiles: config.profiles.map(\.name))
            let uid = "uid-\(seed)-\"ü\\"
            let controller = AdmissionController(configuration: config)
            let (outcome, patched) = controller.reviewReturningPatchedObject(ReviewBuilder.review(pod: pod, uid: uid))
            counts[outcome.result, default: 0] += 1
            XCTAssertEqual(outcome.failOpenReason != nil, outcome.result == .failedOpen, "seed \(seed)")
            let response = try JSONParser.parse(outcome.body)["response"]
            XCTAssertEqual(response?["uid"]?.stringValue, uid, "seed \(seed)")
            XCTAssertEqual(response?["allowed"], true, "seed \(seed)")
            switch outcome.result {
            case .injected:
                let patch = try XCTUnwrap(ReviewBuilder.patch(in: outcome.body), "seed \(seed)")
                let applied = try patch.applied(to: pod)
                XCTAssertEqual(applied, patched, "seed \(seed)")
                let again = controller.review(ReviewBuilder.review(pod: applied, uid: uid))
                XCTAssertEqual(again.result, .skipped, "seed \(seed): second injection was not a no-op")
                XCTAssertNil(try ReviewBuilder.patch(in: again.body), "seed \(seed)")
            case .skipped:
                XCTAssertNil(try ReviewBuilder.patch(in: outcome.body), "seed \(seed)")
            case .failedOpen:
                XCTAssertNil(try ReviewBuilder.patch(in: outcome.body), "seed \(seed)")
                XCTAssertNotNil(outcome.failure, "seed \(seed)")
                // The two reasons that mean a kube-injector bug must not come from any pod.
                let reason = try XCTUnwrap(outcome.failOpenReason, "seed \(seed)")
                XCTAssertFalse([.patchSelfCheck, .internalError].contains(reason), "seed \(seed): \(outcome.failure?.message ?? "")")
            case .error:
                XCTFail("seed \(seed): a valid review was answered as an error: \(String(decoding: outcome.body, as: UTF8.self))")
            }
        }
        // The generator must exercise injection mostly, and the other paths sometimes.
        XCTAssertGreaterThan(counts[.injected, default: 0], 200, "\(counts)")
        XCTAssertGreaterThan(counts[.skipped, default: 0], 0, "\(counts)")
        XCTAssertGreaterThan(counts[.failedOpen, default: 0], 0, "\(counts)")
    }

    // MARK: - Generators

    /// Init containers and volumes are derived from their names, so profiles that share one
    /// share its definition, as the configuration requires.
    static func initContainer(_ name: String) -> JSONValue {
        ["name": .string(name), "image": .string("registry.example.com/\(name):1"), "command": ["sh", "-c", "true"]]
    }

    static func volume(_ name: String) -> JSONValue {
        ["name": .string(name), "emptyDir": [:]]
    }

    static func randomConfiguration(_ generator: inout SeededGenerator) -> InjectionConfig {
        let profileCount = Int.random(in: 1...3, using: &generator)
        var profiles: [InjectionProfile] = []
        for index in 0..<profileCount {
            let containers = Bool.random(using: &generator)
                ? ["*"] : Array(containerNames.shuffled(using: &generator).prefix(Int.random(in: 1...3, using: &generator)))
            let env = envNames.shuffled(using: &generator).prefix(Int.random(in: 0...4, using: &generator)).map { name in
                ConfiguredObject(key: name, value: Bool.random(using: &generator)
                    ? ["name": .string(name), "value": .string("v\(index)")]
                    : ["name": .string(name), "valueFrom": ["fieldRef": ["fieldPath": "spec.nodeName"]]])
            }
            let inits = initNames.shuffled(using: &generator).prefix(Int.random(in: 0...2, using: &generator)).map {
                ConfiguredObject(key: $0, value: initContainer($0))
            }
            let volumes = volumeNames.shuffled(using: &generator).prefix(Int.random(in: 0...2, using: &generator))
            profiles.append(InjectionProfile(
                name: "profile-\(index)", containers: containers, env: Array(env), overrideEnv: Bool.random(using: &generator),
                initContainers: Array(inits), initContainerPosition: Bool.random(using: &generator) ? .first : .last,
                volumes: volumes.map { ConfiguredObject(key: $0, value: volume($0)) },
                volumeMounts: volumes.map { ConfiguredObject(key: "/mnt/\($0)", value: ["name": .string($0), "mountPath": .string("/mnt/\($0)")]) }))
        }
        let defaults = profiles.map(\.name).filter { _ in Bool.random(using: &generator) }
        return InjectionConfig(defaultProfiles: defaults, profiles: profiles)
    }

    static func randomPod(_ generator: inout SeededGenerator, profiles: [String]) -> JSONValue {
        var annotations = JSONObject()
        if Bool.random(using: &generator) { annotations["example.com/team~x"] = "payments" }
        switch Int.random(in: 0..<10, using: &generator) {
        case 0..<4: break
        case 4..<8: annotations[Annotations.inject] = .string(profiles.shuffled(using: &generator).prefix(Int.random(in: 1...2, using: &generator)).joined(separator: ", "))
        case 8: annotations[Annotations.inject] = "false"
        default: annotations[Annotations.inject] = "unknown-profile"
        }
        let containerCount = Int.random(in: 1...4, using: &generator)
        let containers: [JSONValue] = containerNames.shuffled(using: &generator).prefix(containerCount).map { name in
            var container = JSONObject([JSONMember(key: "name", value: .string(name)), JSONMember(key: "image", value: "img:1")])
            if Bool.random(using: &generator) {
                container["env"] = .array(envNames.shuffled(using: &generator).prefix(Int.random(in: 0...3, using: &generator)).map {
                    ["name": .string($0), "value": "existing"]
                })
            }
            if Int.random(in: 0..<4, using: &generator) == 0 {
                let volume = volumeNames.randomElement(using: &generator) ?? "agent"
                container["volumeMounts"] = [["name": .string(volume), "mountPath": .string("/mnt/\(volume)")]]
            }
            return .object(container)
        }
        var spec = JSONObject([JSONMember(key: "containers", value: .array(containers))])
        if Bool.random(using: &generator) {
            // Mostly the same definition as the profiles (already present), sometimes a different one (collision).
            spec["initContainers"] = .array(initNames.shuffled(using: &generator).prefix(Int.random(in: 0...2, using: &generator)).map { name in
                Int.random(in: 0..<5, using: &generator) == 0 ? ["name": .string(name), "image": "other:2"] : initContainer(name)
            })
        }
        if Bool.random(using: &generator) {
            spec["volumes"] = .array(volumeNames.shuffled(using: &generator).prefix(Int.random(in: 0...2, using: &generator)).map { volume($0) })
        }
        var metadata = JSONObject([JSONMember(key: "generateName", value: "random-"), JSONMember(key: "namespace", value: "default")])
        if !annotations.isEmpty || Bool.random(using: &generator) { metadata["annotations"] = .object(annotations) }
        return ["apiVersion": "v1", "kind": "Pod", "metadata": .object(metadata), "spec": .object(spec)]
    }
}
