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
        pub(crate) struct Stats {
            $( pub(crate) $name: AtomicU64, )*
        }

        /// A point-in-time copy of an emitter's counters.
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
        pub struct StatsSnapshot {
            $( $(#[$doc])* pub $name: u64, )*
        }

        impl Stats {
            pub(crate) fn snapshot(&self) -> StatsSnapshot {
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
    /// Frames this node handed to the transport.
    frames_sent,
    /// Frames this node received (well-formed or not).
    frames_received,
    /// Sequence numbers skipped by some sender: events that were lost on the way.
    gaps,
    /// Events dropped because their (sender, sequence) was already seen.
    duplicates,
    /// Frames dropped because they were garbage, truncated, of another version or oversized.
    malformed,
    /// Events this node could not send (its outbound buffer was full while no hub was reachable).
    dropped,
    /// Elections this node ran (1 at connect, one more per restart of its link).
    elections,
}

impl Stats {
    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }
}
