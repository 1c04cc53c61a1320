import NIOCore
import NIOHTTP1

/// Writes a whole HTTP/1.1 response (status line, the few headers a webhook answer needs, body)
/// into one buffer. The webhook's answers are small and complete when written, so one buffer per
/// response replaces NIOHTTP1's encoder and the three pipeline writes (head, body, end) it takes.
enum HTTPResponseWriter {
    static func write(
        status: HTTPResponseStatus, contentType: StaticString, body: [UInt8], includeBody: Bool,
        version: HTTPVersion, connection: ConnectionHeader, allow: StaticString? = nil, into buffer: inout ByteBuffer
    ) {
        buffer.writeStaticString(version.minor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ")
        writeDecimal(Int(status.code), into: &buffer)
        buffer.writeInteger(UInt8(ascii: " "))
        buffer.writeString(status.reasonPhrase)
        buffer.writeStaticString("\r\ncontent-type: ")
        buffer.writeStaticString(contentType)
        buffer.writeStaticString("\r\ncontent-length: ")
        writeDecimal(body.count, into: &buffer)
        if let allow {
            // RFC 9110 §15.5.6: a 405 names the methods the resource supports.
            buffer.writeStaticString("\r\nallow: ")
            buffer.writeStaticString(allow)
        }
        switch connection {
        case .omitted: break
        case .keepAlive: buffer.writeStaticString("\r\nconnection: keep-alive")
        case .close: buffer.writeStaticString("\r\nconnection: close")
        }
        buffer.writeStaticString("\r\n\r\n")
        if includeBody { buffer.writeBytes(body) }
    }

    /// What the response says about the connection: HTTP/1.1 keeps it by default, 1.0 closes it.
    enum ConnectionHeader {
        case omitted
        case keepAlive
        case close
    }

    /// The header for a connection that `keepAlive` says stays open or not.
    static func connectionHeader(keepAlive: Bool, version: HTTPVersion) -> ConnectionHeader {
        if !keepAlive { return .close }
        return version.minor == 0 ? .keepAlive : .omitted
    }

    /// Small strings live inline: no allocation for a status code or a length.
    private static func writeDecimal(_ value: Int, into buffer: inout ByteBuffer) {
        buffer.writeString(String(value))
    }
}
