import Logging
import ServiceLifecycle

/// Watches the certificate, key and client CA files and, when their contents change, builds a
/// new TLS context and hands it to the store for new connections; live connections keep theirs.
/// A pair that OpenSSL refuses (half-written, key not matching) is logged once and the old one
/// kept; the next change is tried again. Polling, not inotify: a Secret volume update is a
/// symlink swap of `..data` that inotify on the file paths would miss.
public final class CertificateReloader: Service {
    private let files: CertificateFiles
    private let store: ServingCertificateStore
    private let metrics: WebhookMetrics
    private let logger: Logger
    private let interval: Duration

    public init(
        files: CertificateFiles, store: ServingCertificateStore, metrics: WebhookMetrics,
        logger: Logger, interval: Duration = .seconds(2)
    ) {
        self.files = files
        self.store = store
        self.metrics = metrics
        self.logger = logger
        self.interval = interval
    }

    public func run() async throws {
        var served = try? files.readContents()
        var refused: CertificateFiles.Contents?
        while true {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
            } catch {
                return
            }
            if Task.isCancelled || Task.isShuttingDownGracefully { return }
            let contents: CertificateFiles.Contents
            do {
                contents = try files.readContents()
            } catch {
                // Between the steps of a Secret update a path can be briefly missing: try again later.
                logger.debug("certificate files not readable yet", metadata: ["error": "\(error)"])
                continue
            }
            if contents == served || contents == refused { continue }
            do {
                let context = try files.makeContext(from: contents)
                store.replace(with: context)
                served = contents
                refused = nil
                metrics.certificateReloaded(succeeded: true)
                metrics.servingCertificate(expiresAt: context.certificateExpiry)
                logger.info("serving a new certificate for new connections", metadata: [
                    "certificate": "\(files.certificatePath)", "notAfter": "\(context.certificateNotAfter)",
                ])
            } catch {
                refused = contents
                metrics.certificateReloaded(succeeded: false)
                logger.error("refused the changed certificate files; still serving the previous certificate", metadata: [
                    "error": "\(error)",
                ])
            }
        }
    }
}
