/// Anything the API server stores: it has `metadata`, which the Reflector and watch need for resourceVersions.
public protocol KubernetesObject {
    var metadata: ObjectMeta { get }
}
