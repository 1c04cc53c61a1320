/// Why an occurrence never reached the API server; the `why` label of
/// `kube_injector_events_dropped_total`.
public enum DropReason: String, Sendable, Hashable, CaseIterable {
    /// The queue between callers and the worker was full.
    case queueFull = "queue_full"
    /// The worker already holds `backlogCapacity` distinct keys awaiting writes.
    case backlogFull = "backlog_full"
    /// The spam filter held the write back. The occurrence is still counted in the Event's
    /// `count`, which the next write for the same key carries.
    case spamFiltered = "spam_filtered"
    /// A dry-run admission request: Events would be a side effect.
    case dryRun = "dry_run"
    /// Recorded after the worker had stopped taking occurrences.
    case shutDown = "shut_down"
    /// Still held when the shutdown flush deadline ran out.
    case shutdownDeadline = "shutdown_deadline"
}
