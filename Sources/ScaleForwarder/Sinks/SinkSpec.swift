#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JSON
import KubeClient

/// Where and how to send the scales of the HPAs that name one Secret: the Secret's `url`,
/// `headers` (a JSON object of strings) and `body` (a JSON template), validated.
/// Header values are credentials: they are never logged and `description` leaves them out.
public struct SinkSpec: Sendable, Equatable, CustomStringConvertible {
    public var url: String
    public var headers: [String: String]
    public var body: BodyTemplate

    public init(url: String, headers: [String: String], body: BodyTemplate) {
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// Decodes the Secret's values (already base64-decoded). `allowHTTP` permits `http://` URLs.
    public init(secretData: [String: [UInt8]], allowHTTP: Bool) throws(SinkSpecError) {
        func text(_ key: String) throws(SinkSpecError) -> String {
            guard let bytes = secretData[key] else { throw .missingKey(key) }
            guard let value = String(validating: bytes, as: UTF8.self) else { throw .notUTF8(key) }
            return value.trimmingWhitespaceAndNewlines()
        }

        let url = try text("url")
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty else {
            throw .invalidURL
        }
        switch scheme {
        case "https": break
        case "http" where allowHTTP: break
        case "http": throw .httpNotAllowed
        default: throw .unsupportedScheme(scheme)
        }
        if components.user != nil || components.password != nil {
            // Credentials in a URL end up in logs and proxies; headers are the place for them.
            throw .credentialsInURL
        }

        var headers: [String: String] = [:]
        if secretData["headers"] != nil {
            let headersText = try text("headers")
            if !headersText.isEmpty {
                guard case .object(let members) = try? JSONParser.parse(headersText) else {
                    throw .headersNotAnObject
                }
                for member in members.members {
                    let name = member.key
                    guard case .string(let value) = member.value else { throw .headerValueNotAString(name: name) }
                    guard Self.isToken(name) else { throw .invalidHeaderName(name) }
                    // Scalars, not Characters: "\r\n" is one Character and would match neither.
                    guard !value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) else {
                        throw .invalidHeaderValue(name: name)
                    }
                    headers[name] = value
                }
            }
        }

        let bodyText = try text("body")
        let body: BodyTemplate
        do {
            body = try BodyTemplate(parsing: bodyText)
        } catch {
            // Line and column within the value as read, surrounding whitespace trimmed.
            let (line, column) = error.lineAndColumn(in: Array(bodyText.utf8))
            throw .bodyNotJSON("not valid JSON at line \(line), column \(column): \(error.problem)")
        }
        self.init(url: url, headers: headers, body: body)
    }

    /// The request for one scale; `Content-Type: application/json` unless the Secret sets one.
    public func request(for scale: ScaleEvent) -> SinkRequest {
        var headers = headers
        if !headers.keys.contains(where: { $0.lowercased() == "content-type" }) {
            headers["Content-Type"] = "application/json"
        }
        return SinkRequest(url: url, headers: headers, body: body.renderedBody(scale))
    }

    /// Scheme and host only (a path or query can be the credential, as Slack's webhooks are),
    /// and header names only.
    public var description: String {
        let components = URLComponents(string: url)
        let shownURL = "\(components?.scheme ?? "?")://\(components?.host ?? "?")"
        return "\(shownURL) headers=[\(headers.keys.sorted().joined(separator: ","))]"
    }

    /// RFC 9110 token characters.
    private static func isToken(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy { scalar in
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                || "!#$%&'*+-.^_`|~".unicodeScalars.contains(scalar)
        }
    }
}

/// A rendered request for one scale, ready for the transport.
public struct SinkRequest: Sendable, Equatable {
    public var url: String
    public var headers: [String: String]
    public var body: [UInt8]
}

/// Why a sink Secret cannot be used; never includes a Secret value.
public enum SinkSpecError: Error, Sendable, Equatable, CustomStringConvertible {
    case missingKey(String)
    case notUTF8(String)
    case invalidURL
    case httpNotAllowed
    case unsupportedScheme(String)
    case credentialsInURL
    case headersNotAnObject
    case headerValueNotAString(name: String)
    case invalidHeaderName(String)
    case invalidHeaderValue(name: String)
    case bodyNotJSON(String)

    public var description: String {
        switch self {
        case .missingKey(let key): return "the Secret has no \(key) key"
        case .notUTF8(let key): return "the Secret's \(key) is not UTF-8 text"
        case .invalidURL: return "the Secret's url is not an absolute URL with a host"
        case .httpNotAllowed: return "the Secret's url is http://; use https:// or set allowHTTP in the forwarder options"
        case .unsupportedScheme(let scheme): return "the Secret's url has scheme \(scheme); only https (and http when allowed) are supported"
        case .credentialsInURL: return "the Secret's url carries user credentials; put them in headers instead"
        case .headersNotAnObject: return "the Secret's headers is not a JSON object of strings"
        case .headerValueNotAString(let name): return "the Secret's header \(name) does not have a string value"
        case .invalidHeaderName(let name): return "the Secret's header name \"\(name)\" is not a valid HTTP header name"
        case .invalidHeaderValue(let name): return "the Secret's header \(name) has a line break or NUL in its value"
        case .bodyNotJSON(let detail): return "the Secret's body is \(detail)"
        }
    }
}
