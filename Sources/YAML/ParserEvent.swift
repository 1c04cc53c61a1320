/// One of libyaml's parse events, copied out of C memory so libyaml can free its own.
enum ParserEvent {
    case streamStart
    case streamEnd
    case documentStart(Mark)
    case documentEnd
    case alias(String, Mark)
    case scalar(YAMLNode.Scalar, anchor: String?)
    case sequenceStart(anchor: String?, tag: String?, Mark)
    case sequenceEnd
    case mappingStart(anchor: String?, tag: String?, Mark)
    case mappingEnd
}
