/// Position of each entry of a pod's list (env, volumes, init containers) by name. Short lists,
/// the usual case, are scanned, which beats hashing; long ones (a pod with 2,000 env vars) are
/// hashed so the injector stays linear in the pod's size.
struct NameIndex {
    private static let scanLimit = 16

    private var entries: [(name: String, position: Int)] = []
    private var table: [String: Int]?

    init(capacity: Int = 0) {
        if capacity > Self.scanLimit {
            table = Dictionary(minimumCapacity: capacity)
        } else if capacity > 0 {
            entries.reserveCapacity(capacity)
        }
    }

    /// Later entries with the same name win, as the API server's own lookups do.
    mutating func insert(_ name: String, at position: Int) {
        if table != nil {
            table?[name] = position
            return
        }
        entries.append((name, position))
        if entries.count > Self.scanLimit {
            var hashed = [String: Int](minimumCapacity: entries.count * 2)
            for entry in entries { hashed[entry.name] = entry.position }
            table = hashed
            entries = []
        }
    }

    subscript(name: String) -> Int? {
        if let table { return table[name] }
        var index = entries.count - 1
        while index >= 0 {
            if entries[index].name == name { return entries[index].position }
            index -= 1
        }
        return nil
    }
}
