import Admission
import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KubeClient

/// `kube-injector check-config`: validates an injection configuration and summarises it, so a
/// ConfigMap can be checked before it is rolled out.
struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate an injection configuration file and print a summary (exit code 2 when invalid).")

    @Argument(help: "Injection configuration (YAML), or - for standard input.")
    var file: String

    func run() throws {
        let injection = try ConfigurationFile.load(path: file)
        print("\(file == "-" ? "<stdin>" : file): valid")
        let defaults = injection.defaultProfiles.isEmpty ? "none (opt-in only)" : injection.defaultProfiles.joined(separator: ", ")
        print("defaultProfiles: \(defaults)")
        print("operations: \(injection.operations.joined(separator: ", "))")
        for profile in injection.profiles {
            let containers = profile.targetsAllContainers ? "all containers" : "containers " + profile.containers.joined(separator: ", ")
            print(
                "profile \(profile.name): \(containers); \(profile.env.count) env (\(profile.overrideEnv ? "overriding" : "keeping") existing), "
                    + "\(profile.initContainers.count) init container(s) \(profile.initContainerPosition.rawValue), "
                    + "\(profile.volumes.count) volume(s), \(profile.volumeMounts.count) volume mount(s)")
        }
        // The strictest Pod Security level a namespace may enforce and still admit what each
        // profile injects, judged on its own parts (a pod-level securityContext can only help).
        print("Pod Security level each profile's injected parts satisfy:")
        for profile in injection.profiles {
            print("profile \(profile.name): \(PodSecurityEvaluator.strictestLevel(ofInjectedPartsOf: profile).rawValue)")
        }
    }
}

/// Reads the injection configuration named on the command line; a problem is printed with
/// the file's path and ends the command with exit code 2.
enum ConfigurationFile {
    static func load(path: String?) throws -> InjectionConfig {
        guard let path else { return .demo }
        // "-" and /dev/stdin read standard input; the name in messages says so.
        let source = path == "-" ? "<stdin>" : path
        let bytes: [UInt8]
        do {
            bytes = try StandardStream.readFile(path)
        } catch {
            Replay.standardError("\(source): cannot read the configuration: \(FileReadFailure.reason(error))")
            throw ExitCode(2)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            Replay.standardError("\(source): cannot read the configuration: not UTF-8 text")
            throw ExitCode(2)
        }
        do {
            return try InjectionConfig.load(yaml: text, source: source)
        } catch let error as InjectionConfigError {
            Replay.standardError("\(error)")
            throw ExitCode(2)
        }
    }
}
