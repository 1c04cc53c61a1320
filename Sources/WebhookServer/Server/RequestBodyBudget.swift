import Synchronization

/// One budget for the request bodies in flight across every connection of the webhook, so that
/// a thousand clients each sending most of a 7 MiB body cannot take gigabytes between them.
/// A connection reserves its body's length from the request head before reading the body;
/// when the budget is used up it stops reading until a reservation fits (the request waits, it
/// is not refused). Reservations are released when the review is answered or abandoned.
final class RequestBodyBudget: Sendable {
    /// Bytes that may be reserved at once.
    let limit: Int
    private let reserved = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = limit
    }

    /// Reserves `bytes` if they fit. A request larger than the whole budget is let through when
    /// nothing else is reserved, so it waits rather than never being read.
    func tryReserve(_ bytes: Int) -> Bool {
        guard bytes > 0 else { return true }
        var current = reserved.load(ordering: .relaxed)
        while true {
            guard current == 0 || current + bytes <= limit else { return false }
            let (exchanged, original) = reserved.compareExchange(
                expected: current, desired: current + bytes, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
    }

    func release(_ bytes: Int) {
        guard bytes > 0 else { return }
        reserved.subtract(bytes, ordering: .relaxed)
    }

    /// Bytes reserved now.
    var inUse: Int {
        reserved.load(ordering: .relaxed)
    }
}
