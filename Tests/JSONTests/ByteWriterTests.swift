@testable import JSON
import TestSupport
import XCTest

final class ByteWriterTests: XCTestCase {
    func testPiecesOfEverySizeComeOutInOrderAcrossGrowth() {
        var generator = SeededGenerator(seed: 16)
        var writer = ByteWriter(capacity: 1)
        var expected: [UInt8] = []
        for round in 0..<400 {
            switch round % 4 {
            case 0:
                let byte = UInt8.random(in: 0...255, using: &generator)
                writer.append(byte)
                expected.append(byte)
            case 1:
                let piece = (0..<Int.random(in: 0...70, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
                writer.append(piece)
                expected += piece
            case 2:
                writer.append(#"{"op":"add","path":"#)
                expected += Array(#"{"op":"add","path":"#.utf8)
            default:
                let count = Int.random(in: 0...40, using: &generator)
                writer.appendUninitialized(count) { space in
                    for index in space.indices { space[index] = UInt8(truncatingIfNeeded: index) }
                }
                expected += (0..<count).map { UInt8(truncatingIfNeeded: $0) }
            }
            let count = writer.count
            XCTAssertEqual(count, expected.count)
        }
        let seen = writer.withBytes { Array($0) }
        XCTAssertEqual(seen, expected)
        let finished = writer.finish()
        XCTAssertEqual(finished, expected)
    }

    func testBytesAlreadyWrittenAreCopiedToTheEndEvenWhenThatGrowsTheBuffer() {
        var writer = ByteWriter(capacity: 16)
        writer.append(Array("abcdefghij".utf8))
        writer.appendCopy(of: 2..<9)  // 17 bytes: past the first 16
        writer.appendCopy(of: 0..<2)
        let bytes = writer.finish()
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self), "abcdefghijcdefghiab")
    }
}
