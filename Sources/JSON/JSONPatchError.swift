/// Why a JSON Patch could not be read or applied.
public struct JSONPatchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Index of the failing operation in the patch, when known.
    public var operationIndex: Int?
    public var path: String
    public var problem: String

    public init(operationIndex: Int?, path: String, problem: String) {
        self.operationIndex = operationIndex
        self.path = path
        self.problem = problem
    }

    public var description: String {
        let operation = operationIndex.map { "operation \($0) " } ?? ""
        return "JSON Patch \(operation)at \"\(path)\": \(problem)"
    }
}
