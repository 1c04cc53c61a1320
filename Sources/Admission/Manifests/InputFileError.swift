/// Why a file given to an offline command (manifests, or the cluster objects of `--objects`) could
/// not be read: the file, then what is wrong and what to change, with the document, item or line
/// when the reader knows it.
public struct InputFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file as the user named it.
    public var source: String
    public var problem: String

    public init(source: String, problem: String) {
        self.source = source
        self.problem = problem
    }

    public var description: String { "\(source): \(problem)" }
}
