#if canImport(Glibc)
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Says why reading a file or standard input failed, in the operating system's words where it has them
/// ("No such file or directory"): FoundationEssentials has no `localizedDescription`.
package enum FileReadFailure {
    package static func reason(_ error: any Error) -> String {
        if let posix = error as? POSIXError {
            return String(cString: strerror(posix.code.rawValue))
        }
        guard let cocoa = error as? CocoaError else { return "\(error)" }
        if let posix = cocoa.underlying as? POSIXError {
            return String(cString: strerror(posix.code.rawValue))
        }
        switch cocoa.code {
        case .fileReadCorruptFile, .fileReadInapplicableStringEncoding: return "not UTF-8 text"
        default: return "\(cocoa)"
        }
    }
}
