/// One failed Pod Security check for one subject: the check's ID and its forbidden reason as
/// pod-security-admission names them (`allowPrivilegeEscalation`, "allowPrivilegeEscalation != false").
public struct PodSecurityViolation: Sendable, Hashable, CustomStringConvertible {
    public var checkID: String
    public var reason: String
    public var subject: PodSecuritySubject

    public init(checkID: String, reason: String, subject: PodSecuritySubject) {
        self.checkID = checkID
        self.reason = reason
        self.subject = subject
    }

    public var description: String { "\(subject): \(reason)" }
}
