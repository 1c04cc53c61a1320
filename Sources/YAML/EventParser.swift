import CYAML

/// libyaml's event parser over a copy of the input: hands out one `ParserEvent` at a time and
/// turns libyaml's error state into a `YAMLError`. All decisions about the events are the Composer's.
final class EventParser {
    private let parser: UnsafeMutablePointer<yaml_parser_t>
    /// libyaml reads the input in place, so it lives as long as the parser.
    private let input: UnsafeMutableBufferPointer<UInt8>
    private let length: Int

    init(utf8 bytes: some Collection<UInt8>) throws(YAMLError) {
        parser = .allocate(capacity: 1)
        input = .allocate(capacity: max(bytes.count, 1))
        length = bytes.count
        _ = input.initialize(from: bytes)
        guard yaml_parser_initialize(parser) == 1 else {
            parser.deallocate()
            input.deallocate()
            throw YAMLError(.outOfMemory, at: nil)
        }
        yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
        yaml_parser_set_input_string(parser, input.baseAddress, length)
    }

    deinit {
        yaml_parser_delete(parser)
        parser.deallocate()
        input.deallocate()
    }

    func next() throws(YAMLError) -> ParserEvent {
        var event = yaml_event_t()
        guard yaml_parser_parse(parser, &event) == 1 else { throw error() }
        defer { yaml_event_delete(&event) }
        let mark = Mark(event.start_mark)
        switch event.type {
        case YAML_STREAM_START_EVENT:
            return .streamStart
        case YAML_DOCUMENT_START_EVENT:
            return .documentStart(mark)
        case YAML_DOCUMENT_END_EVENT:
            return .documentEnd
        case YAML_ALIAS_EVENT:
            return .alias(Self.string(event.data.alias.anchor) ?? "", mark)
        case YAML_SCALAR_EVENT:
            let data = event.data.scalar
            let value = String(decoding: UnsafeBufferPointer(start: data.value, count: data.length), as: UTF8.self)
            let scalar = YAMLNode.Scalar(value: value, tag: Self.string(data.tag), style: Self.style(data.style), mark: mark)
            return .scalar(scalar, anchor: Self.string(data.anchor))
        case YAML_SEQUENCE_START_EVENT:
            let data = event.data.sequence_start
            return .sequenceStart(anchor: Self.string(data.anchor), tag: Self.string(data.tag), mark)
        case YAML_SEQUENCE_END_EVENT:
            return .sequenceEnd
        case YAML_MAPPING_START_EVENT:
            let data = event.data.mapping_start
            return .mappingStart(anchor: Self.string(data.anchor), tag: Self.string(data.tag), mark)
        case YAML_MAPPING_END_EVENT:
            return .mappingEnd
        default:
            // YAML_NO_EVENT: libyaml gives it only after the stream has ended.
            return .streamEnd
        }
    }

    private func error() -> YAMLError {
        let state = parser.pointee
        let problem = state.problem.map { String(cString: $0) } ?? "unknown problem"
        switch state.error {
        case YAML_MEMORY_ERROR:
            return YAMLError(.outOfMemory, at: nil)
        case YAML_READER_ERROR:
            // The reader knows a byte offset, not a line: count it out of the input.
            let detail = state.problem_value == -1 ? problem : "\(problem) (0x\(String(state.problem_value, radix: 16, uppercase: true)))"
            return YAMLError(.syntax(detail), at: mark(atOffset: state.problem_offset))
        default:
            // libyaml's words for a tab in indentation vary with what it was scanning ("found character
            // that cannot start any token", "found a tab character that violates indentation"); the
            // tab itself is the one thing to tell the reader about.
            if isTabInIndentation(atOffset: state.problem_mark.index) {
                return YAMLError(.tabIndentation, at: Mark(state.problem_mark))
            }
            let context = state.context.map { YAMLError.Context(text: String(cString: $0), mark: Mark(state.context_mark)) }
            return YAMLError(.syntax(problem), at: endOfInputIfPast(Mark(state.problem_mark)), context: context)
        }
    }

    /// libyaml places a problem at the end of the input after the last newline (or, without one, on
    /// a line of its own); name the end of the last line with text instead, where the problem is.
    private func endOfInputIfPast(_ mark: Mark) -> Mark {
        var end = length
        while end > 0, input[end - 1] == UInt8(ascii: "\n") || input[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        let last = self.mark(atOffset: end)
        return mark.line > last.line ? last : mark
    }

    /// True when the byte at `offset` is a tab with only spaces and tabs before it on its line.
    private func isTabInIndentation(atOffset offset: Int) -> Bool {
        guard offset >= 0, offset < length, input[offset] == UInt8(ascii: "\t") else { return false }
        var index = offset
        while index > 0 {
            let byte = input[index - 1]
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") { break }
            guard byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") else { return false }
            index -= 1
        }
        return true
    }

    private func mark(atOffset offset: Int) -> Mark {
        var line = 1
        var column = 1
        for byte in input.prefix(offset) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return Mark(line: line, column: column)
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    private static func style(_ style: yaml_scalar_style_t) -> YAMLNode.Scalar.Style {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: return .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: return .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: return .literal
        case YAML_FOLDED_SCALAR_STYLE: return .folded
        default: return .plain
        }
    }
}

extension Mark {
    /// libyaml counts from 0.
    init(_ mark: yaml_mark_t) {
        self.init(line: mark.line + 1, column: mark.column + 1)
    }
}
