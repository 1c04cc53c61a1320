#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KubernetesAPI

// Base64 decoding needs Foundation, which the API models do without.
extension Secret {
    /// The decoded bytes of `data[key]` (or `stringData[key]`); nil when absent or not valid base64.
    public func bytes(forKey key: String) -> [UInt8]? {
        if let encoded = data?[key] {
            return Data(base64Encoded: encoded).map { [UInt8]($0) }
        }
        return stringData?[key].map { Array($0.utf8) }
    }

    /// The decoded UTF-8 text of `data[key]` (or `stringData[key]`); nil when absent or not text.
    public func value(forKey key: String) -> String? {
        guard let bytes = bytes(forKey: key) else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }
}
