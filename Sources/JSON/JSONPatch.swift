/// An RFC 6902 JSON Patch: reads, writes and applies one. The admission core applies its own
/// patches with it before answering, because the API server rejects a pod whose patch does not
/// apply even when the webhook's failurePolicy is Ignore.
public struct JSONPatch: Sendable, Equatable {
    public var operations: [JSONPatchOperation]

    public init(_ operations: [JSONPatchOperation]) {
        self.operations = operations
    }

    /// Reads a patch document (a JSON array of operation objects).
    public init(json: JSONValue) throws {
        guard let array = json.arrayValue else {
            throw JSONPatchError(operationIndex: nil, path: "", problem: "a JSON Patch must be a JSON array")
        }
        var operations: [JSONPatchOperation] = []
        operations.reserveCapacity(array.count)
        for (index, element) in array.enumerated() {
            operations.append(try JSONPatchOperation(json: element, index: index))
        }
        self.operations = operations
    }

    public var json: JSONValue { .array(operations.map(\.json)) }

    /// The compact JSON bytes of the patch, written straight from the operations.
    public func serialized() -> [UInt8] {
        // Operations carry whole configured objects (an init container): room for those too.
        var output = ByteWriter(capacity: 192 * operations.count + 2)
        write(into: &output)
        return output.finish()
    }

    public func write(into output: inout ByteWriter) {
        output.append(UInt8(ascii: "["))
        // Appends to one list share one pointer (the injector builds it once): its text is
        // copied from where it was first written. The token arrays' storage addresses are only
        // compared, never read through; `operations` keeps every array alive meanwhile.
        var previousPath: UnsafePointer<String>?
        var previousText = 0..<0
        for (index, operation) in operations.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            switch operation.op {
            case .add: output.append(#"{"op":"add","path":"#)
            case .remove: output.append(#"{"op":"remove","path":"#)
            case .replace: output.append(#"{"op":"replace","path":"#)
            case .move: output.append(#"{"op":"move","path":"#)
            case .copy: output.append(#"{"op":"copy","path":"#)
            case .test: output.append(#"{"op":"test","path":"#)
            }
            let path = operation.path.tokens.withUnsafeBufferPointer { $0.baseAddress }
            if let path, path == previousPath {
                output.appendCopy(of: previousText)
            } else {
                let start = output.count
                operation.path.writeJSONString(into: &output)
                previousPath = path
                previousText = start..<output.count
            }
            if let from = operation.from {
                output.append(#","from":"#)
                from.writeJSONString(into: &output)
            }
            if let value = operation.value {
                output.append(#","value":"#)
                JSONSerializer.write(value, into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
        output.append(UInt8(ascii: "]"))
    }

    /// Applies every operation in order; on the first failure the document is left as it was.
    public func apply(to document: inout JSONValue) throws {
        var working = document
        try applyInPlace(to: &working)
        document = working
    }

    /// Applies the operations straight to `document`, without the copy that makes `apply`
    /// all-or-nothing: after a failure the document may be partly patched.
    public func applyInPlace(to document: inout JSONValue) throws {
        var index = 0
        while index < operations.count {
            let operation = operations[index]
            // A run of appends to the same list (`add` at `.../-`) is applied in one walk down
            // the document: the same result as one walk per operation, and patches built by
            // the injector append several env vars to each container in a row.
            var runEnd = index + 1
            if operation.op == .add, operation.path.tokens.last == "-" {
                while runEnd < operations.count, operations[runEnd].op == .add,
                      operations[runEnd].path.tokens == operation.path.tokens {
                    runEnd += 1
                }
            }
            if runEnd - index > 1 {
                do {
                    if try Self.append(operations[index..<runEnd], at: operation.path, to: &document) {
                        index = runEnd
                        continue
                    }
                } catch var error as JSONPatchError {
                    error.operationIndex = index  // the run's first operation fails first
                    throw error
                }
                // The parent is not an array: one operation at a time, as RFC 6902 reads them.
            }
            do {
                try Self.apply(operation, to: &document)
            } catch var error as JSONPatchError {
                error.operationIndex = index
                throw error
            }
            index += 1
        }
    }

    public func applied(to document: JSONValue) throws -> JSONValue {
        var copy = document
        try apply(to: &copy)
        return copy
    }

    // MARK: - Operations

    static func apply(_ operation: JSONPatchOperation, to document: inout JSONValue) throws {
        let path = operation.path
        switch operation.op {
        case .add:
            try add(operation.value ?? .null, at: path, to: &document)
        case .remove:
            _ = try remove(at: path, from: &document)
        case .replace:
            try modify(&document, tokens: path.tokens[...], path: path) { target in
                target = operation.value ?? .null
            }
        case .move:
            let from = operation.from ?? JSONPointer(tokens: [])
            if from == path { return }
            if path.tokens.count > from.tokens.count, Array(path.tokens.prefix(from.tokens.count)) == from.tokens {
                throw JSONPatchError(operationIndex: nil, path: path.description, problem: "cannot move a value into one of its own children (from \"\(from)\")")
            }
            let value = try remove(at: from, from: &document)
            try add(value, at: path, to: &document)
        case .copy:
            let from = operation.from ?? JSONPointer(tokens: [])
            let value = try self.value(at: from, in: document)
            try add(value, at: path, to: &document)
        case .test:
            let actual = try value(at: path, in: document)
            guard actual == (operation.value ?? .null) else {
                throw JSONPatchError(operationIndex: nil, path: path.description, problem: "test failed: the value differs")
            }
        }
    }

    public static func value(at pointer: JSONPointer, in document: JSONValue) throws -> JSONValue {
        try value(at: pointer.tokens[...], of: pointer, in: document)
    }

    /// The value at `tokens`, the start of `pointer`'s tokens (errors name the whole pointer).
    public static func value(at tokens: ArraySlice<String>, of pointer: JSONPointer, in document: JSONValue) throws -> JSONValue {
        var current = document
        for token in tokens {
            current.materializeIfRaw()
            switch current {
            case .object(let object):
                guard let next = object[token] else {
                    throw JSONPatchError(operationIndex: nil, path: pointer.description, problem: "member \"\(token)\" does not exist")
                }
                current = next
            case .array(let array):
                let index = try arrayIndex(token, count: array.count, allowEnd: false, pointer: pointer)
                current = array[index]
            default:
                throw JSONPatchError(operationIndex: nil, path: pointer.description, problem: "cannot descend into a scalar at \"\(token)\"")
            }
        }
        return current
    }

    private static func add(_ value: JSONValue, at pointer: JSONPointer, to document: inout JSONValue) throws {
        guard let last = pointer.tokens.last else {
            document = value
            return
        }
        try modify(&document, tokens: pointer.tokens.dropLast(), path: pointer) { parent in
            // No `case let` bindings here: a bound copy would keep the storage shared and
            // turn the in-place change into a copy of the whole array.
            if parent.modifyObject({ $0[last] = value }) != nil { return }
            let inserted: Void? = try parent.modifyArray { array in
                let index = try arrayIndex(last, count: array.count, allowEnd: true, pointer: pointer)
                array.insert(value, at: index)
            }
            if inserted == nil {
                throw JSONPatchError(operationIndex: nil, path: pointer.description, problem: "the parent is neither an object nor an array")
            }
        }
    }

    /// Appends the values of `run` in order to the array at `pointer` without its final `-`
    /// token. False, with the document unchanged, when the parent exists but is not an array.
    private static func append(_ run: ArraySlice<JSONPatchOperation>, at pointer: JSONPointer, to document: inout JSONValue) throws -> Bool {
        var appended = false
        try modify(&document, tokens: pointer.tokens.dropLast(), path: pointer) { parent in
            let done: Void? = parent.modifyArray { array in
                array.reserveCapacity(array.count + run.count)
                for operation in run { array.append(operation.value ?? .null) }
            }
            appended = done != nil
        }
        return appended
    }

    private static func remove(at pointer: JSONPointer, from document: inout JSONValue) throws -> JSONValue {
        guard let last = pointer.tokens.last else {
            throw JSONPatchError(operationIndex: nil, path: "", problem: "cannot remove the whole document")
        }
        var removed: JSONValue = .null
        try modify(&document, tokens: pointer.tokens.dropLast(), path: pointer) { parent in
            let fromObject: Void? = try parent.modifyObject { object in
                guard let value = object.removeValue(forKey: last) else {
                    throw JSONPatchError(operationIndex: nil, path: pointer.description, problem: "member \"\(last)\" does not exist")
                }
                removed = value
            }
            if fromObject != nil { return }
            let fromArray: Void? = try parent.modifyArray { array in
                let index = try arrayIndex(last, count: array.count, allowEnd: false, pointer: pointer)
                removed = array.remove(at: index)
            }
            if fromArray == nil {
                throw JSONPatchError(operationIndex: nil, path: pointer.description, problem: "the parent is neither an object nor an array")
            }
        }
        return removed
    }

    /// Walks to the value at `tokens` and lets `body` change it in place. Each level is
    /// moved out of its parent while it changes, so nothing is copied on the way down.
    private static func modify(
        _ value: inout JSONValue, tokens: ArraySlice<String>, path: JSONPointer, _ body: (inout JSONValue) throws -> Void
    ) throws {
        guard let token = tokens.first else {
            try body(&value)
            return
        }
        let rest = tokens.dropFirst()
        let inObject: Void? = try value.modifyObject { object in
            guard let index = object.index(forKey: token) else {
                throw JSONPatchError(operationIndex: nil, path: path.description, problem: "member \"\(token)\" does not exist")
            }
            try object.modifyValue(at: index) { try modify(&$0, tokens: rest, path: path, body) }
        }
        if inObject != nil { return }
        let inArray: Void? = try value.modifyArray { array in
            let index = try arrayIndex(token, count: array.count, allowEnd: false, pointer: path)
            try modify(&array[index], tokens: rest, path: path, body)
        }
        if inArray == nil {
            throw JSONPatchError(operationIndex: nil, path: path.description, problem: "cannot descend into a scalar at \"\(token)\"")
        }
    }

    private static func arrayIndex(_ token: String, count: Int, allowEnd: Bool, pointer: JSONPointer) throws -> Int {
        if token == "-" {
            guard allowEnd else {
                throw JSONPatchError(operationIndex: nil, path: pointer.description, problem: "\"-\" names no existing element")
            }
            return count
        }
        let digits = token.utf8
        guard !digits.isEmpty, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              digits.count == 1 || digits.first != UInt8(ascii: "0"), let index = Int(token)
        else {
            throw JSONPatchError(operationIndex: nil, path: pointer.description, problem: "\"\(token)\" is not an array index")
        }
        guard index < count || (allowEnd && index == count) else {
            throw JSONPatchError(operationIndex: nil, path: pointer.description, problem: "index \(index) is out of range (the array has \(count) elements)")
        }
        return index
    }
}
