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
    /// Events the NATS backend gave up on: the stream did not acknowledge them within half its
    /// duplicate window (`flush` and `close` then fail with `Error::NotStored`).
    not_stored,
}

impl Stats {
    /// Adds `n` to `counter`.
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }
}
