import ArgumentParser

@main
struct KubeInjector: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kube-injector",
        abstract: "A Kubernetes mutating admission webhook that injects env vars, init containers and volumes into pods, and never blocks one.",
        version: "kube-injector \(Version.current)",
        subcommands: [Serve.self, Replay.self, Inject.self, CheckConfig.self, Version.self]
    )

    /// ArgumentParser answers bad usage with 64 (EX_USAGE); the documented contract is exit 2 for
    /// bad usage or configuration, as most Unix tools do.
    static func main() async {
        do {
            var command = try parseAsRoot()
            // No subcommand: ArgumentParser's "Missing required subcommand." with the help on stderr,
            // and exit 2 as for any other bad usage (its default prints help and exits 0).
            if command is KubeInjector {
                StandardStream.writeError("Error: Missing required subcommand.\n\n" + helpMessage() + "\n")
                exit(withError: ExitCode(2))
            }
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
