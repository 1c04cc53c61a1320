/// Receives failure records from whoever runs the admission core. `report` must return at
/// once and never throw: it is called on the admission path.
public protocol FailureReporter: Sendable {
    func report(_ record: FailureRecord)
}
