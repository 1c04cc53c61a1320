/// The injection configuration: named profiles and the defaults for pods that name none.
public struct InjectionConfig: Sendable {
    public init() {}
}
