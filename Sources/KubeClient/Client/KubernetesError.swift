#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KubernetesAPI

/// Typed errors decoded from Kubernetes `Status` bodies, plus transport and decoding failures.
public enum KubernetesError: Error, Sendable, CustomStringConvertible {
    case notFound(Status)
    case conflict(Status)
    case gone(Status)
    /// 422: the object failed validation; `Status.details.causes` names the fields.
    case invalid(Status)
    case forbidden(Status)
    case unauthorized(Status)
    /// 429: `retryAfter` comes from the Retry-After header, else from `details.retryAfterSeconds`.
    case tooManyRequests(retryAfter: Duration?, Status)
    /// 403 because the namespace is being deleted: nothing new can be created there, retrying will not help.
    case namespaceTerminating(Status)
    /// 5xx.
    case server(code: Int, Status)
    case other(code: Int, Status)
    /// Connect, TLS, timeout, dropped connection: the request may or may not have reached the server.
    case transport(String)
    /// A response body that is not what the caller asked for.
    case decoding(String)

    /// Worth trying again later: transport failures, 429 and 5xx.
    public var isRetryable: Bool {
        switch self {
        case .transport, .tooManyRequests, .server: return true
        default: return false
        }
    }

    /// The Status the server sent, when it sent one.
    public var status: Status? {
        switch self {
        case .notFound(let s), .conflict(let s), .gone(let s), .invalid(let s), .forbidden(let s),
             .unauthorized(let s), .tooManyRequests(_, let s), .namespaceTerminating(let s),
             .server(_, let s), .other(_, let s):
            return s
        case .transport, .decoding:
            return nil
        }
    }

    /// The HTTP status code, when the server answered.
    public var code: Int? {
        switch self {
        case .notFound: return 404
        case .conflict: return 409
        case .gone: return 410
        case .invalid: return 422
        case .forbidden, .namespaceTerminating: return 403
        case .unauthorized: return 401
        case .tooManyRequests: return 429
        case .server(let code, _), .other(let code, _): return code
        case .transport, .decoding: return nil
        }
    }

    public var description: String {
        switch self {
        case .transport(let message): return "Kubernetes API unreachable: \(message)"
        case .decoding(let message): return "Kubernetes API response not understood: \(message)"
        case .tooManyRequests(let retryAfter, let status):
            let wait = retryAfter.map { ", retry after \($0)" } ?? ""
            return "Kubernetes API throttled the request (429\(wait)): \(status.message ?? "no message")"
        case .namespaceTerminating(let status):
            return "namespace is being terminated (403): \(status.message ?? "no message")"
        default:
            let status = self.status
            return "Kubernetes API answered \(code ?? 0) \(status?.reason ?? ""): \(status?.message ?? "no message")"
        }
    }

    /// Maps an HTTP failure to its typed error. `body` is decoded as a Status when it is one;
    /// otherwise a Status is made up from the code so callers always have one.
    static func from(code: Int, headers: [String: String], body: [UInt8]) -> KubernetesError {
        let decoded = try? JSONDecoder().decode(Status.self, from: Data(body))
        let status = decoded ?? Status(code: code, reason: nil,
                                       message: String(decoding: body.prefix(512), as: UTF8.self))
        switch code {
        case 401: return .unauthorized(status)
        case 403:
            if isNamespaceTerminating(status) { return .namespaceTerminating(status) }
            return .forbidden(status)
        case 404: return .notFound(status)
        case 409: return .conflict(status)
        case 410: return .gone(status)
        case 422: return .invalid(status)
        case 429: return .tooManyRequests(retryAfter: retryAfter(headers: headers, status: status), status)
        case 500...599: return .server(code: code, status)
        default: return .other(code: code, status)
        }
    }

    static func isNamespaceTerminating(_ status: Status) -> Bool {
        if status.details?.causes?.contains(where: { $0.reason == "NamespaceTerminating" }) == true { return true }
        return status.reason == "Forbidden" && (status.message?.contains("because it is being terminated") ?? false)
    }

    /// Retry-After in seconds (the API server never sends the HTTP-date form); falls back to the Status.
    static func retryAfter(headers: [String: String], status: Status) -> Duration? {
        if let header = headers["retry-after"]?.trimmingWhitespace(), let seconds = Int(header),
           seconds >= 0 {
            return .seconds(seconds)
        }
        return status.details?.retryAfterSeconds.map { .seconds(max(0, $0)) }
    }
}
