//! Counters of what an emitter did, readable from any thread.
//!
//! Owns: the atomic counters and their snapshot type. It must not decide when a counter moves:
//! the emitter, the link and the receive path bump them where the thing happens.

use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};

macro_rules! counters {
    ($( $(#[$doc:meta])* $name:ident ),* $(,)?) => {
        /// Live counters, shared between the emitter actor and the threads that feed it.
        #[derive(Debug, Default)]
        pub struct Stats {
            $( $(#[$doc])* pub $name: AtomicU64, )*
        }

        /// A point-in-time copy of an emitter's counters.
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
        pub struct StatsSnapshot {
            $( $(#[$doc])* pub $name: u64, )*
        }

        impl Stats {
            /// The counters as they are now.
            pub fn snapshot(&self) -> StatsSnapshot {
                StatsSnapshot { $( $name: self.$name.load(Ordering::Relaxed), )* }
            }
        }
    };
}

counters! {
    /// Events accepted by `emit` on this node.
    emitted,
    /// Event deliveries to local listeners (one event to three listeners counts three).
    delivered,
    /// Events that arrived from other nodes.
    events_received,
    /// Frames this node relayed as the hub.
    relayed,
    /// Bytes of the frames this node relayed as the hub.
    relayed_bytes,
    /// Events this node did not send because no other node listens to their topic.
    suppressed,
    /// Events this node, as the hub, did not relay because no other client listens to them.
    filtered,
    /// Frames this node handed to the transport.
    frames_sent,
    /// Frames this node received (well-formed or not).
    frames_received,
    /// Events that never arrived and never will: their sender no longer held them when this
    /// node asked again (reported to listeners on `$lagged`).
    gaps,
    /// Requests this node sent to re-send missing events.
    nacks,
    /// Frames this node sent again (after a lost hub, a new member or a request).
    resent,
    /// Emits refused with `Error::Overflow` because too many events were not yet acknowledged.
    overflows,
    /// Clients this node cut off as the hub (too slow to acknowledge, or silent).
    evictions,
    /// Events dropped because their (sender, sequence) was already seen.
    duplicates,
    /// Frames dropped because they were garbage, truncated, of another version, oversized, or
    /// out of protocol (a second joining hello on one connection).
    malformed,
    /// Events dropped before sending: larger than a frame can hold.
    dropped,
    /// Elections this node ran (1 at connect, one more per restart of its link).
    elections,
    /// Connections closed for failing the cluster-secret handshake, a frame's tag or the frame
    /// size limit.
    refused,
    /// Frames a member sent in another node's name, or as if it were the hub (dropped by the
    /// hub).
    impersonations,
    /// Events frames the hub refused from a member with a scoped credential because an event
    /// in them is on a topic its credential does not let it publish (the hub then closes its
    /// connection).
    forbidden,
    /// Frames the hub dropped because a member sent them faster than the protocol does: hellos
    /// faster than the liveness beat, requests to re-send faster than a member asks.
    throttled,
    /// What was refused or narrowed for being past a budget (see the README's Security
    /// section): members to await named after the hub's opening grace period or past its
    /// bound, members owed word past its bound, connections past the most clients a hub takes
    /// or while the process was out of file descriptors (one per attempt, every 100 ms), and
    /// announcements past the budget of all nodes' interests (kept as listening to every topic).
    over_budget,
    /// Events frames this node sent past its window of frames not yet held by every member,
    /// once that window had not moved for 100 ms: some member was not acknowledging them.
    past_window,
    /// Bytes of the frames this node sent of its own (events, acknowledgements, hellos,
    /// requests, announcements); what it relayed as the hub is `relayed_bytes`.
    bytes_sent,
    /// Bytes of the frames this node received (well-formed or not).
    bytes_received,
    /// `$lagged` notices told to this node's listeners: each says some events were lost for
    /// good (their number is in `gaps`).
    lagged_notices,
    /// Times this node learned of a new hub (itself included): the first hub, and one more per
    /// hub change after an election.
    hub_changes,
    /// Of `evictions`: clients cut off for leaving a frame unacknowledged for the eviction
    /// delay (`SlowConsumer::Evict`).
    evicted_unacknowledged,
    /// Of `evictions`: clients cut off for falling too far behind while acknowledging nothing.
    evicted_behind,
    /// Of `evictions`: clients cut off for being silent for three liveness intervals.
    evicted_silent,
    /// Of `evictions`: connections closed because they stopped reading and their writer queue
    /// filled.
    evicted_stuck,
    /// Flushes that had to wait for members to hold what was emitted before them (the others
    /// resolved at once).
    flush_waits,
    /// Events the NATS backend gave up on: the stream did not acknowledge them within half its
    /// duplicate window (`flush` and `close` then fail with `Error::NotStored`).
    not_stored,
}

impl Stats {
    /// Adds `n` to `counter`.
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// Counts one client cut off for `reason`: in `evictions` and in the reason's own counter.
    pub fn evicted(&self, reason: EvictionReason) {
        Stats::add(&self.evictions, 1);
        let of_reason = match reason {
            EvictionReason::Unacknowledged => &self.evicted_unacknowledged,
            EvictionReason::Behind => &self.evicted_behind,
            EvictionReason::Silent => &self.evicted_silent,
            EvictionReason::Stuck => &self.evicted_stuck,
        };
        Stats::add(of_reason, 1);
    }
}

/// Why the hub cut a client off: each has its own counter (see [`Stats::evicted`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvictionReason {
    /// It left a frame unacknowledged for the eviction delay.
    Unacknowledged,
    /// It fell too far behind while acknowledging nothing.
    Behind,
    /// It was silent for three liveness intervals.
    Silent,
    /// Its connection stopped reading and its writer queue filled.
    Stuck,
}

impl EvictionReason {
    /// Every reason, in a fixed order.
    pub const ALL: [EvictionReason; 4] = [
        EvictionReason::Unacknowledged,
        EvictionReason::Behind,
        EvictionReason::Silent,
        EvictionReason::Stuck,
    ];

    /// Its name in lower case, as monitoring shows it.
    pub fn name(self) -> &'static str {
        match self {
            EvictionReason::Unacknowledged => "unacknowledged",
            EvictionReason::Behind => "behind",
            EvictionReason::Silent => "silent",
            EvictionReason::Stuck => "stuck",
        }
    }

    /// How many clients were cut off for this reason, in `snapshot`.
    pub fn count(self, snapshot: &StatsSnapshot) -> u64 {
        match self {
            EvictionReason::Unacknowledged => snapshot.evicted_unacknowledged,
            EvictionReason::Behind => snapshot.evicted_behind,
            EvictionReason::Silent => snapshot.evicted_silent,
            EvictionReason::Stuck => snapshot.evicted_stuck,
        }
    }
}
