/// Position of each entry of a pod's list (env, volumes, init containers) by name. Short lists,
/// the usual case, are scanned, which beats hashing; long ones (a pod with 2,000 env vars) are
/// hashed so the injector stays linear in the pod's size.
struct NameIndex {
    private static let scanLimit = 16

    private var names: [String] = []
    private var positions: [Int] = []
    private var table: [String: Int]?

    init(capacity: Int = 0) {
        if capacity > Self.scanLimit {
            table = Dictionary(minimumCapacity: capacity)
        } else {
            names.reserveCapacity(capacity)
            positions.reserveCapacity(capacity)
        }
    }

    /// Later entries with the same name win, as the API server's own lookups do.
    mutating func insert(_ name: String, at position: Int) {
        if table != nil {
            table?[name] = position
            return
        }
        names.append(name)
        positions.append(position)
        if names.count > Self.scanLimit {
            var hashed = [String: Int](minimumCapacity: names.count * 2)
            for (name, position) in zip(names, positions) { hashed[name] = position }
            table = hashed
            names = []
            positions = []
        }
    }

    subscript(name: String) -> Int? {
        if let table { return table[name] }
        var index = names.count - 1
        while index >= 0 {
            if names[index] == name { return positions[index] }
            index -= 1
        }
        return nil
    }
}
