import JSON
import YAML

/// A YAML document holds something JSON cannot: where, and what.
public struct YAMLConversionError: Error, Sendable, Equatable, CustomStringConvertible {
    public var mark: Mark
    public var problem: String

    public init(mark: Mark, problem: String) {
        self.mark = mark
        self.problem = problem
    }

    public var description: String { "\(mark): \(problem)" }
}
