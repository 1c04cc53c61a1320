@testable import Admission
import Foundation
import JSON
import TestSupport
import XCTest

final class Base64Tests: XCTestCase {
    private func encode(_ bytes: [UInt8]) -> String {
        var output = ByteWriter(capacity: 0)
        bytes.withUnsafeBufferPointer { Base64.encode($0, into: &output) }
        return String(decoding: output.finish(), as: UTF8.self)
    }

    func testBase64MatchesFoundation() {
        var generator = SeededGenerator(seed: 7)
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            XCTAssertEqual(encode(bytes), Data(bytes).base64EncodedString(), "length \(length)")
        }
    }
}
