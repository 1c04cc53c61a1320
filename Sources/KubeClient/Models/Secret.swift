#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A core/v1 Secret; `data` values are base64 as the API sends them, `value(forKey:)` decodes one.
public struct Secret: Codable, Sendable, Equatable, KubernetesObject {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var data: [String: String]?
    public var stringData: [String: String]?
    public var type: String?

    public init(metadata: ObjectMeta, data: [String: String]? = nil, stringData: [String: String]? = nil,
                type: String? = nil) {
        self.apiVersion = "v1"
        self.kind = "Secret"
        self.metadata = metadata
        self.data = data
        self.stringData = stringData
        self.type = type
    }

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
