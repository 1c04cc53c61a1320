/// Why a file of cluster objects (`--objects`) could not be read: the file, which document or
/// item, and what to change.
public struct ClusterObjectsError: Error, Sendable, Equatable, CustomStringConvertible {
    public var source: String
    public var problem: String

    public init(source: String, problem: String) {
        self.source = source
        self.problem = problem
    }

    public var description: String { "\(source): \(problem)" }
}
