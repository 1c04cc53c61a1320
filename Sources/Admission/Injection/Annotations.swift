/// The annotation keys the injector reads and writes on pods.
public enum Annotations {
    /// Profiles a pod asks for: comma-separated names; `"false"` opts out; absent uses defaultProfiles.
    public static let inject = "kube-injector.io/inject"
    /// Set by the injector: `{"profiles":[...],"hash":"..."}`; a pod carrying it is never injected again.
    public static let status = "kube-injector.io/status"
}
