/// Why a client configuration could not be built, naming the file and the field a person must fix.
public enum ClientConfigurationError: Error, Sendable, CustomStringConvertible, Equatable {
    case unreadableFile(path: String, reason: String)
    case invalidYAML(path: String, reason: String)
    case missingField(path: String, field: String)
    case invalidField(path: String, field: String, reason: String)
    case contextNotFound(path: String, context: String)
    case clusterNotFound(path: String, cluster: String)
    case userNotFound(path: String, user: String)
    case unsupportedAuthentication(path: String, field: String)
    case notInCluster(reason: String)

    public var description: String {
        switch self {
        case .unreadableFile(let path, let reason):
            return "\(path): cannot read: \(reason)"
        case .invalidYAML(let path, let reason):
            return "\(path): not a valid kubeconfig: \(reason)"
        case .missingField(let path, let field):
            return "\(path): \(field) is missing"
        case .invalidField(let path, let field, let reason):
            return "\(path): \(field): \(reason)"
        case .contextNotFound(let path, let context):
            return "\(path): context \"\(context)\" is not in contexts"
        case .clusterNotFound(let path, let cluster):
            return "\(path): cluster \"\(cluster)\" is not in clusters"
        case .userNotFound(let path, let user):
            return "\(path): user \"\(user)\" is not in users"
        case .unsupportedAuthentication(let path, let field):
            return "\(path): \(field) is not supported; use token, tokenFile or client-certificate"
        case .notInCluster(let reason):
            return "in-cluster configuration unavailable: \(reason)"
        }
    }
}
