#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The bearer token for each request. A token file is re-read when the file it resolves to changes (identity or
/// modification time, following symlinks: the kubelet rotates a projected service-account token by pointing
/// `..data` at a new directory, which changes neither the `token` link nor its own times), when a minute has
/// passed, and on demand after a 401.
final class BearerTokenSource: Sendable {
    private struct Cached {
        var token: String?
        var version: FileVersion?
        var readAt: ContinuousClock.Instant?
    }

    private enum Source {
        case none
        case fixed(String)
        case file(String)
    }

    private let source: Source
    private let cache = LockedValue(Cached())

    init(credentials: ClientConfiguration.Credentials) {
        switch credentials {
        case .token(let token): source = .fixed(token)
        case .tokenFile(let path): source = .file(path)
        case .none, .clientCertificate: source = .none
        }
    }

    var rereadsFile: Bool {
        if case .file = source { return true }
        return false
    }

    /// The current token, nil when credentials carry none.
    func token(forceReread: Bool = false) throws -> String? {
        switch source {
        case .none: return nil
        case .fixed(let token): return token
        case .file(let path): return try fileToken(path: path, forceReread: forceReread)
        }
    }

    private func fileToken(path: String, forceReread: Bool) throws -> String {
        let now = ContinuousClock.now
        let version = FileVersion(resolving: path)
        return try cache.withLock { cached in
            if !forceReread, let token = cached.token, version != nil, cached.version == version,
               let readAt = cached.readAt, now - readAt < .seconds(60) {
                return token
            }
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw KubernetesError.transport("cannot read token file \(path): \(FileReadFailure.reason(error))")
            }
            let token = text.trimmingWhitespaceAndNewlines()
            cached = Cached(token: token, version: version, readAt: now)
            return token
        }
    }
}
