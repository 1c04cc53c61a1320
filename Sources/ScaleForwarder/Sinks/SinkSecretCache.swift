import KubeClient
import KubernetesAPI

/// Sink Secrets read when needed and reused for a short while, so a burst of scales costs one GET.
/// A Secret that is missing or invalid is remembered for the same while, with its reason.
public actor SinkSecretCache {
    private let client: KubernetesClient
    private let ttl: Duration
    private let allowHTTP: Bool
    private let clock = ContinuousClock()
    private var entries: [SinkReference: (result: Result<SinkSpec, SinkConfigurationError>, expires: ContinuousClock.Instant)] = [:]

    public init(client: KubernetesClient, ttl: Duration, allowHTTP: Bool) {
        self.client = client
        self.ttl = ttl
        self.allowHTTP = allowHTTP
    }

    public func spec(for reference: SinkReference) async throws(SinkConfigurationError) -> SinkSpec {
        let now = clock.now
        if let entry = entries[reference], entry.expires > now {
            return try entry.result.get()
        }
        let result: Result<SinkSpec, SinkConfigurationError>
        do {
            let secret = try await client.get(Secret.self,
                                              path: "/api/v1/namespaces/\(reference.namespace)/secrets/\(reference.secretName)")
            var values: [String: [UInt8]] = [:]
            for key in ["url", "headers", "body"] {
                if let bytes = secret.bytes(forKey: key) { values[key] = bytes }
            }
            do {
                result = .success(try SinkSpec(secretData: values, allowHTTP: allowHTTP))
            } catch {
                result = .failure(.invalidSecret(reference, error))
            }
        } catch KubernetesError.notFound {
            result = .failure(.secretNotFound(reference))
        } catch KubernetesError.forbidden {
            result = .failure(.secretForbidden(reference))
        } catch {
            // Transient: not cached, the next scale tries again.
            throw .secretUnreadable(reference, String(describing: error))
        }
        entries[reference] = (result, now + ttl)
        if entries.count > 1024 {
            entries = entries.filter { $0.value.expires > now }
        }
        return try result.get()
    }
}

/// Why an HPA's scales cannot be sent: its annotation, or the Secret it names. Never holds Secret values.
public enum SinkConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    case annotation(SinkReferenceError)
    case secretNotFound(SinkReference)
    case secretForbidden(SinkReference)
    case secretUnreadable(SinkReference, String)
    case invalidSecret(SinkReference, SinkSpecError)

    public var description: String {
        switch self {
        case .annotation(let error): return error.description
        case .secretNotFound(let reference): return "Secret \(reference) named by annotation hpa-event does not exist"
        case .secretForbidden(let reference):
            return "Secret \(reference) cannot be read by kube-injector's service account (RBAC get on secrets)"
        case .secretUnreadable(let reference, let why): return "Secret \(reference) could not be read: \(why)"
        case .invalidSecret(let reference, let error): return "Secret \(reference): \(error)"
        }
    }

    /// Worth reporting on the HPA: the owner has something to fix. A read that failed for a
    /// passing reason is not.
    public var isPermanent: Bool {
        if case .secretUnreadable = self { return false }
        return true
    }
}
