/// A TLS failure on an established connection, surfaced to write promises.
enum TLSConnectionError: Error, Equatable {
    case writeFailed(String)
}
