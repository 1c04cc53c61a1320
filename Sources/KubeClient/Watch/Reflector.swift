import KubernetesAPI
import Logging
import Metrics

/// List then watch, forever, until cancelled: resumes from the last resourceVersion, relists on 410 Gone
/// (HTTP or an ERROR event with code 410), jittered exponential backoff on failure, renews timeoutSeconds.
/// ReflectorStateMachine decides what to do next; this loop does it. `kube_injector_watch_state{resource,state}`
/// is 1 for the state it is in (listing, watching, backing_off), 0 for the others.
public struct Reflector<T: Decodable & Sendable & KubernetesObject>: Sendable {
    private let client: KubernetesClient
    private let path: String
    private let query: [String: String]
    private let options: ReflectorOptions
    private let logger = Logger(label: "kube-injector.reflector")
    private let stateGauges: [String: Gauge]

    public init(client: KubernetesClient, path: String, query: [String: String] = [:],
                options: ReflectorOptions = .init()) {
        self.client = client
        self.path = path
        self.query = query
        self.options = options
        stateGauges = Self.stateGauges(path: path)
    }

    private static func stateGauges(path: String) -> [String: Gauge] {
        let resource = APIRequestTarget(method: "GET", path: path).resource
        return Dictionary(uniqueKeysWithValues: ["listing", "watching", "backing_off"].map {
            ($0, Gauge(label: "kube_injector_watch_state", dimensions: [("resource", resource), ("state", $0)]))
        })
    }

    /// Puts the watch-state gauges of a Reflector that will run on `path` on /metrics at 0 now, so a replica
    /// that has not started it yet (a follower) shows it as not watching rather than not at all.
    public static func registerMetrics(path: String) {
        for gauge in stateGauges(path: path).values { gauge.record(0) }
    }

    private func entered(_ state: String) {
        for (name, gauge) in stateGauges { gauge.record(name == state ? 1 : 0) }
    }

    /// Calls `handle` for each delta, in order: .listed([T]) after every (re)list (replace your cache),
    /// then .added/.modified/.deleted. Returns when the task is cancelled.
    public func run(_ handle: @Sendable (ReflectorDelta<T>) async -> Void) async {
        let backoff = options.backoff
        defer { for gauge in stateGauges.values { gauge.record(0) } }
        var machine = ReflectorStateMachine()
        var action = machine.start()
        while !Task.isCancelled {
            switch action {
            case .list:
                entered("listing")
                do {
                    let (items, resourceVersion) = try await listAll(resourceVersion: machine.listResourceVersion)
                    await handle(.listed(items))
                    action = machine.listSucceeded(resourceVersion: resourceVersion)
                } catch {
                    guard !Task.isCancelled else { return }
                    logger.warning("list failed, backing off", metadata: ["path": "\(path)", "error": "\(error)"])
                    action = machine.listFailed()
                }
            case .watch(let resourceVersion):
                entered("watching")
                action = await watch(from: resourceVersion, machine: &machine, handle)
            case .backOff(let failures):
                entered("backing_off")
                do {
                    try await Task.sleep(for: backoff.delay(failures: failures))
                } catch {
                    return   // cancelled
                }
                action = machine.backoffElapsed()
            }
        }
    }

    /// All pages of the list, and the resourceVersion of the snapshot they belong to. With resourceVersion
    /// "0" the API server answers from its cache and ignores limit, so no page size is asked for.
    private func listAll(resourceVersion listVersion: String) async throws -> ([T], String) {
        var items: [T] = []
        var pageQuery = query
        if !listVersion.isEmpty {
            pageQuery["resourceVersion"] = listVersion
        } else if let pageSize = options.pageSize {
            pageQuery["limit"] = String(pageSize)
        }
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
        let opened = ContinuousClock.now
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
            let tooSoon = ContinuousClock.now - opened < options.minimumWatchDuration
            if tooSoon {
                logger.warning("watch ended within \(options.minimumWatchDuration) of opening; backing off",
                               metadata: ["path": "\(path)"])
            }
            return machine.watchEnded(tooSoon: tooSoon)
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
