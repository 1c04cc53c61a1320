import ArgumentParser

@main
struct KubeInjector: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kube-injector",
        abstract: "A Kubernetes mutating admission webhook that injects env vars, init containers and volumes into pods, and never blocks one.",
        subcommands: [Serve.self, Version.self, Replay.self, CheckConfig.self]
    )
}
