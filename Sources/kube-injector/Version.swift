import ArgumentParser

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version.")
    static let current = "0.1.0"

    func run() {
        print("kube-injector \(Self.current)")
    }
}
