#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import YAML

/// Where the API server is and how to authenticate to it: from a kubeconfig file or the pod's service account.
public struct ClientConfiguration: Sendable {
    /// How the client proves who it is.
    public enum Credentials: Sendable, Equatable {
        case none
        case token(String)
        /// Re-read whenever the file changes: projected service-account tokens rotate.
        case tokenFile(String)
        case clientCertificate(certificatePEM: String, keyPEM: String)
    }

    /// "https://host:port", without a trailing slash.
    public var server: String
    /// nil: the system trust store.
    public var certificateAuthorityPEM: String?
    public var insecureSkipTLSVerify: Bool
    public var credentials: Credentials
    /// The in-cluster namespace file, or the kubeconfig context's namespace, else "default".
    public var namespace: String

    public init(server: String, certificateAuthorityPEM: String? = nil, insecureSkipTLSVerify: Bool = false,
                credentials: Credentials = .none, namespace: String = "default") {
        var server = server
        while server.hasSuffix("/") { server.removeLast() }
        self.server = server
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.credentials = credentials
        self.namespace = namespace
    }

    /// The pod's own service account: KUBERNETES_SERVICE_HOST/PORT, and token, ca.crt and namespace files.
    public static func inCluster(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        serviceAccountDirectory: String = "/var/run/secrets/kubernetes.io/serviceaccount"
    ) throws -> ClientConfiguration {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty else {
            throw ClientConfigurationError.notInCluster(reason: "KUBERNETES_SERVICE_HOST is not set")
        }
        guard let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty else {
            throw ClientConfigurationError.notInCluster(reason: "KUBERNETES_SERVICE_PORT is not set")
        }
        let directory = URL(fileURLWithPath: serviceAccountDirectory)
        let tokenPath = directory.appendingPathComponent("token").path
        guard FileManager.default.isReadableFile(atPath: tokenPath) else {
            throw ClientConfigurationError.notInCluster(reason: "\(tokenPath) is not readable")
        }
        let caPath = directory.appendingPathComponent("ca.crt").path
        let certificateAuthority = try readText(caPath)
        let namespacePath = directory.appendingPathComponent("namespace").path
        let namespace = (try? readText(namespacePath))?.trimmingWhitespaceAndNewlines()
        let hostPart = host.contains(":") ? "[\(host)]" : host   // IPv6 service address
        return ClientConfiguration(server: "https://\(hostPart):\(port)",
                                   certificateAuthorityPEM: certificateAuthority,
                                   credentials: .tokenFile(tokenPath),
                                   namespace: (namespace?.isEmpty == false ? namespace : nil) ?? "default")
    }

    /// A kubeconfig file: the given context, else current-context. Relative file paths in it are resolved
    /// against the file's directory, as kubectl does.
    public static func kubeconfig(path: String, context: String? = nil) throws -> ClientConfiguration {
        let text = try readText(path)
        let config: Kubeconfig
        do {
            config = try YAMLDecoder().decode(Kubeconfig.self, from: text)
        } catch {
            throw ClientConfigurationError.invalidYAML(path: path, reason: DecodingErrorMessage.describe(error))
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        func resolve(_ file: String) -> String {
            file.hasPrefix("/") ? file : directory.appendingPathComponent(file).path
        }

        guard let contextName = context ?? config.currentContext, !contextName.isEmpty else {
            throw ClientConfigurationError.missingField(path: path, field: "current-context")
        }
        guard let namedContext = config.contexts?.first(where: { $0.name == contextName }) else {
            throw ClientConfigurationError.contextNotFound(path: path, context: contextName)
        }
        guard let clusterName = namedContext.context?.cluster else {
            throw ClientConfigurationError.missingField(path: path, field: "contexts[\(contextName)].context.cluster")
        }
        guard let cluster = config.clusters?.first(where: { $0.name == clusterName })?.cluster else {
            throw ClientConfigurationError.clusterNotFound(path: path, cluster: clusterName)
        }
        guard let server = cluster.server, !server.isEmpty else {
            throw ClientConfigurationError.missingField(path: path, field: "clusters[\(clusterName)].cluster.server")
        }
        guard server.hasPrefix("https://") || server.hasPrefix("http://") else {
            throw ClientConfigurationError.invalidField(path: path, field: "clusters[\(clusterName)].cluster.server",
                                                  reason: "\"\(server)\" is not an https:// URL")
        }

        var certificateAuthority: String?
        if let data = cluster.certificateAuthorityData {
            certificateAuthority = try decodeBase64(data, path: path,
                                                    field: "clusters[\(clusterName)].cluster.certificate-authority-data")
        } else if let file = cluster.certificateAuthority {
            certificateAuthority = try readText(resolve(file))
        }

        var credentials = Credentials.none
        if let userName = namedContext.context?.user, !userName.isEmpty {
            guard let user = config.users?.first(where: { $0.name == userName })?.user else {
                throw ClientConfigurationError.userNotFound(path: path, user: userName)
            }
            credentials = try userCredentials(user, name: userName, path: path, resolve: resolve)
        }

        let namespace = namedContext.context?.namespace
        return ClientConfiguration(server: server, certificateAuthorityPEM: certificateAuthority,
                                   insecureSkipTLSVerify: cluster.insecureSkipTLSVerify ?? false,
                                   credentials: credentials,
                                   namespace: (namespace?.isEmpty == false ? namespace : nil) ?? "default")
    }

    /// --kubeconfig, then $KUBECONFIG (its first existing file), then ~/.kube/config, then in-cluster;
    /// nil when none applies.
    public static func discover(explicitPath: String?,
                                environment: [String: String] = ProcessInfo.processInfo.environment)
        throws -> ClientConfiguration? {
        if let explicitPath, !explicitPath.isEmpty {
            return try kubeconfig(path: explicitPath)
        }
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            let paths = list.split(separator: ":").map(String.init)
            if let first = paths.first(where: { FileManager.default.fileExists(atPath: $0) }) {
                return try kubeconfig(path: first)
            }
        }
        if let home = environment["HOME"], !home.isEmpty {
            let path = URL(fileURLWithPath: home).appendingPathComponent(".kube/config").path
            if FileManager.default.fileExists(atPath: path) {
                return try kubeconfig(path: path)
            }
        }
        if environment["KUBERNETES_SERVICE_HOST"].map({ !$0.isEmpty }) == true {
            return try inCluster(environment: environment)
        }
        return nil
    }

    private static func userCredentials(_ user: Kubeconfig.User, name: String, path: String,
                                        resolve: (String) -> String) throws -> Credentials {
        let field = "users[\(name)].user"
        if let token = user.token, !token.isEmpty {
            return .token(token)
        }
        if let tokenFile = user.tokenFile, !tokenFile.isEmpty {
            let resolved = resolve(tokenFile)
            guard FileManager.default.isReadableFile(atPath: resolved) else {
                throw ClientConfigurationError.unreadableFile(path: resolved, reason: "\(path): \(field).tokenFile")
            }
            return .tokenFile(resolved)
        }
        let certificate: String? = try user.clientCertificateData.map {
            try decodeBase64($0, path: path, field: "\(field).client-certificate-data")
        } ?? user.clientCertificate.map { try readText(resolve($0)) }
        let key: String? = try user.clientKeyData.map {
            try decodeBase64($0, path: path, field: "\(field).client-key-data")
        } ?? user.clientKey.map { try readText(resolve($0)) }
        switch (certificate, key) {
        case (let certificate?, let key?):
            return .clientCertificate(certificatePEM: certificate, keyPEM: key)
        case (.some, nil):
            throw ClientConfigurationError.missingField(path: path, field: "\(field).client-key")
        case (nil, .some):
            throw ClientConfigurationError.missingField(path: path, field: "\(field).client-certificate")
        case (nil, nil):
            break
        }
        if user.exec != nil {
            throw ClientConfigurationError.unsupportedAuthentication(path: path, field: "\(field).exec")
        }
        if user.authProvider != nil {
            throw ClientConfigurationError.unsupportedAuthentication(path: path, field: "\(field).auth-provider")
        }
        return .none
    }

    private static func readText(_ path: String) throws -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ClientConfigurationError.unreadableFile(path: path, reason: FileReadFailure.reason(error))
        }
    }

    private static func decodeBase64(_ value: String, path: String, field: String) throws -> String {
        let compact = value.filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: compact), let text = String(data: data, encoding: .utf8) else {
            throw ClientConfigurationError.invalidField(path: path, field: field, reason: "not base64-encoded PEM")
        }
        return text
    }
}
