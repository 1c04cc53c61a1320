/// The meta/v1 Status body the API server sends with every failure (and in watch ERROR events).
public struct Status: Codable, Sendable, Equatable {
    /// One cause of a failure: a field and what is wrong with it, or a machine-readable reason.
    public struct Cause: Codable, Sendable, Equatable {
        public var reason: String?
        public var message: String?
        public var field: String?

        public init(reason: String? = nil, message: String? = nil, field: String? = nil) {
            self.reason = reason
            self.message = message
            self.field = field
        }
    }

    /// What the failure was about, and for 429/5xx how long to wait.
    public struct Details: Codable, Sendable, Equatable {
        public var name: String?
        public var group: String?
        public var kind: String?
        public var uid: String?
        public var causes: [Cause]?
        public var retryAfterSeconds: Int?

        public init(name: String? = nil, group: String? = nil, kind: String? = nil, uid: String? = nil,
                    causes: [Cause]? = nil, retryAfterSeconds: Int? = nil) {
            self.name = name
            self.group = group
            self.kind = kind
            self.uid = uid
            self.causes = causes
            self.retryAfterSeconds = retryAfterSeconds
        }
    }

    public var status: String?
    public var code: Int?
    /// Machine-readable: NotFound, AlreadyExists, Conflict, Invalid, Expired, Gone, TooManyRequests, Forbidden...
    public var reason: String?
    public var message: String?
    public var details: Details?

    public init(status: String? = "Failure", code: Int? = nil, reason: String? = nil, message: String? = nil,
                details: Details? = nil) {
        self.status = status
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
    }
}
