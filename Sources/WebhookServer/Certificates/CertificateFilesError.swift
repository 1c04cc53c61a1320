/// A certificate/key/CA file set that cannot be served, with the paths so a person can act.
public struct CertificateFilesError: Error, CustomStringConvertible {
    public var files: CertificateFiles
    public var problem: TLSConfigurationError

    public var description: String {
        var paths = "--tls-cert \(files.certificatePath) --tls-key \(files.privateKeyPath)"
        if let ca = files.clientCAPath { paths += " --client-ca \(ca)" }
        return "\(paths): \(problem)"
    }
}
