import ArgumentParser

@main
struct KubeInjector: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kube-injector",
        abstract: "A Kubernetes mutating admission webhook that injects env vars, init containers and volumes into pods, and never blocks one.",
        subcommands: [Serve.self, Replay.self, CheckConfig.self, Version.self]
    )

    /// ArgumentParser answers bad usage with 64 (EX_USAGE); the documented contract is exit 2 for
    /// bad usage or configuration, as most Unix tools do.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                StandardStream.writeError(fullMessage(for: error) + "\n")
                exit(withError: ExitCode(2))   // silent: ArgumentParser prints nothing for an ExitCode
            }
            exit(withError: error)
        }
    }
}
