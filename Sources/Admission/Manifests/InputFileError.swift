/// Why a file given to an offline command (manifests, or the cluster objects of `--objects`) could
/// not be read: the file, then what is wrong and what to change, with the document, item or line
/// when the reader knows it.
public struct InputFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file as the user named it.
    public var source: String
    /// Where in the file, counted from 1, when the problem is at a place in the text.
    public var line: Int?
    public var column: Int?
    public var problem: String

    public init(source: String, line: Int? = nil, column: Int? = nil, problem: String) {
        self.source = source
        self.line = line
        self.column = column
        self.problem = problem
    }

    /// `FILE:LINE:COLUMN: problem`, as compilers write it, so editors and terminals can jump there.
    public var description: String {
        var place = source
        if let line {
            place += ":\(line)"
            if let column { place += ":\(column)" }
        }
        return "\(place): \(problem)"
    }
}
