import KubeClient
import KubernetesAPI
import Logging

/// An informer-style cache of HorizontalPodAutoscalers: a Reflector keeps it current, and a
/// lookup that misses (an Event can arrive before its HPA is listed) reads the HPA directly.
/// Uses autoscaling/v2, falling back to autoscaling/v1 where v2 is not served.
public actor HorizontalPodAutoscalerCache {
    private let client: KubernetesClient
    private let namespace: String?
    private let logger: Logger
    private var objects: [String: HorizontalPodAutoscaler] = [:]
    private var groupVersion: String?

    public init(client: KubernetesClient, namespace: String?, logger: Logger) {
        self.client = client
        self.namespace = namespace
        self.logger = logger
    }

    /// Lists and watches until cancelled.
    public func run() async {
        let version = await servedVersion()
        let reflector = Reflector<HorizontalPodAutoscaler>(client: client, path: collectionPath(version))
        await reflector.run { delta in
            await self.apply(delta)
        }
    }

    /// The HPA, from the cache or else read from the API server; nil when it does not exist.
    public func get(namespace: String, name: String) async throws -> HorizontalPodAutoscaler? {
        if let cached = objects[Self.key(namespace, name)] { return cached }
        let version = await servedVersion()
        do {
            let object = try await client.get(HorizontalPodAutoscaler.self,
                                              path: "/apis/\(version)/namespaces/\(namespace)/horizontalpodautoscalers/\(name)")
            objects[Self.key(namespace, name)] = object
            return object
        } catch KubernetesError.notFound {
            return nil
        }
    }

    private func apply(_ delta: ReflectorDelta<HorizontalPodAutoscaler>) {
        switch delta {
        case .listed(let items):
            objects = Dictionary(items.map { (Self.key($0), $0) }, uniquingKeysWith: { _, latest in latest })
        case .added(let object), .modified(let object):
            objects[Self.key(object)] = object
        case .deleted(let object):
            objects[Self.key(object)] = nil
        }
    }

    /// autoscaling/v2 unless the API server answers 404 for it (clusters before 1.23).
    private func servedVersion() async -> String {
        if let groupVersion { return groupVersion }
        var chosen = "autoscaling/v2"
        do {
            _ = try await client.list(HorizontalPodAutoscaler.self, path: collectionPath(chosen), query: ["limit": "1"])
        } catch KubernetesError.notFound {
            chosen = "autoscaling/v1"
            logger.info("autoscaling/v2 is not served; reading HorizontalPodAutoscalers through autoscaling/v1")
        } catch {
            // Not a verdict on the version: keep v2 and let the Reflector retry.
            logger.debug("could not probe autoscaling/v2", metadata: ["error": "\(error)"])
            return chosen
        }
        groupVersion = chosen
        return chosen
    }

    private func collectionPath(_ version: String) -> String {
        if let namespace { return "/apis/\(version)/namespaces/\(namespace)/horizontalpodautoscalers" }
        return "/apis/\(version)/horizontalpodautoscalers"
    }

    private static func key(_ object: HorizontalPodAutoscaler) -> String {
        key(object.metadata.namespace ?? "", object.metadata.name ?? "")
    }

    private static func key(_ namespace: String, _ name: String) -> String { namespace + "/" + name }
}
