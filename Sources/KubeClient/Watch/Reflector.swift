import Logging

/// List then watch, forever, until cancelled: resumes from the last resourceVersion, relists on 410 Gone
/// (HTTP or an ERROR event with code 410), jittered exponential backoff on failure, renews timeoutSeconds.
/// ReflectorStateMachine decides what to do next; this loop does it.
public struct Reflector<T: Decodable & Sendable & KubernetesObject>: Sendable {
    private let client: KubernetesClient
    private let path: String
    private let query: [String: String]
    private let options: ReflectorOptions
    private let logger = Logger(label: "kube-injector.reflector")

    public init(client: KubernetesClient, path: String, query: [String: String] = [:],
                options: ReflectorOptions = .init()) {
        self.client = client
        self.path = path
        self.query = query
        self.options = options
    }

    /// Calls `handle` for each delta, in order: .listed([T]) after every (re)list (replace your cache),
    /// then .added/.modified/.deleted. Returns when the task is cancelled.
    public func run(_ handle: @Sendable (ReflectorDelta<T>) async -> Void) async {
        let backoff = Backoff(initial: options.initialBackoff, maximum: options.maximumBackoff, jitter: options.jitter)
        var machine = ReflectorStateMachine()
        var action = machine.start()
        while !Task.isCancelled {
            switch action {
            case .list:
                do {
                    let (items, resourceVersion) = try await listAll()
                    await handle(.listed(items))
                    action = machine.listSucceeded(resourceVersion: resourceVersion)
                } catch {
                    guard !Task.isCancelled else { return }
                    logger.warning("list failed, backing off", metadata: ["path": "\(path)", "error": "\(error)"])
                    action = machine.listFailed()
                }
            case .watch(let resourceVersion):
                action = await watch(from: resourceVersion, machine: &machine, handle)
            case .backOff(let failures):
                do {
                    try await Task.sleep(for: backoff.delay(failures: failures))
                } catch {
                    return   // cancelled
                }
                action = machine.backoffElapsed()
            }
        }
    }

    /// All pages of the list, and the resourceVersion of the snapshot they belong to.
    private func listAll() async throws -> ([T], String) {
        var items: [T] = []
        var pageQuery = query
        if let pageSize = options.pageSize { pageQuery["limit"] = String(pageSize) }
        var resourceVersion: String?
        while true {
            let page = try await client.list(T.self, path: path, query: pageQuery)
            items += page.items
            resourceVersion = resourceVersion ?? page.metadata.resourceVersion
            guard let next = page.metadata.continue, !next.isEmpty else { break }
            pageQuery["continue"] = next
        }
        return (items, resourceVersion ?? "")
    }

    private func watch(from resourceVersion: String, machine: inout ReflectorStateMachine,
                       _ handle: @Sendable (ReflectorDelta<T>) async -> Void) async -> ReflectorStateMachine.Action {
        let timeout = Int.random(in: options.timeoutSeconds)
        let stream = client.watch(T.self, path: path, resourceVersion: resourceVersion, timeoutSeconds: timeout,
                                  allowBookmarks: options.allowWatchBookmarks, query: query)
        do {
            for try await event in stream {
                switch event {
                case .added(let object):
                    await handle(.added(object))
                    machine.observed(resourceVersion: object.metadata.resourceVersion)
                case .modified(let object):
                    await handle(.modified(object))
                    machine.observed(resourceVersion: object.metadata.resourceVersion)
                case .deleted(let object):
                    await handle(.deleted(object))
                    machine.observed(resourceVersion: object.metadata.resourceVersion)
                case .bookmark(let version):
                    machine.observed(resourceVersion: version)
                case .error(let status):
                    if status.code == 410 {
                        logger.info("watch expired, relisting", metadata: ["path": "\(path)"])
                        return machine.gone()
                    }
                    logger.warning("watch ended with an error", metadata: ["path": "\(path)",
                                                                           "message": "\(status.message ?? "")"])
                    return machine.watchFailed()
                }
            }
            return machine.watchEnded()
        } catch KubernetesError.gone {
            return machine.gone()
        } catch {
            if !Task.isCancelled {
                logger.warning("watch failed, backing off", metadata: ["path": "\(path)", "error": "\(error)"])
            }
            return machine.watchFailed()
        }
    }
}
