/// A problem with `serve`'s arguments or the files they name; `serve` prints it and exits 2.
struct ServeUsageError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
