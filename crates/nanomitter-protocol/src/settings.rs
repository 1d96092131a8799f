//! The settings the protocol core reads, and nothing else.
//!
//! Owns: [`Settings`], the part of an emitter's configuration that changes what a node decides
//! (who it is, where it looks for a hub, its budgets and timers), and [`SlowConsumer`]. It must
//! not hold what only the shell uses (the secret, TLS files, reconnect pacing, origins): the core
//! never sees them. The shell's builder checks and fills these in; the core trusts them.

use std::time::Duration;

/// What the hub does with a client that does not acknowledge what it was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlowConsumer {
    /// Wait for it, however long: everyone else slows down to its pace.
    Wait,
    /// The others do not wait for it: senders wait for it at most 100 ms, then send past it and
    /// keep their events for it (slowing down only once they keep all they may), the hub relays
    /// at once, and cuts it off once it left a frame unacknowledged this long,
    /// or acknowledged nothing new for a liveness interval while it lacks more than
    /// `window` x 64 frames or half of `max_pending_bytes` of what was relayed since it
    /// connected. It reconnects by itself and its listeners receive a `$lagged` notice with the
    /// number of events it missed.
    Evict(Duration),
}

/// One node's protocol settings, checked by whoever built them.
#[derive(Debug, Clone)]
pub struct Settings {
    /// This node's service name: carried by its events and hellos, so listeners and peers can
    /// tell who sent what.
    pub service: String,
    /// Candidate hub addresses, most preferred first (at least one): the election binds or dials
    /// them in this order, and a client probes the more preferred ones to move back to them.
    pub candidates: Vec<String>,
    /// The largest frame this node sends or accepts, in bytes: batches and announcements are cut
    /// to fit it.
    pub max_frame_size: usize,
    /// A batch of events is sent once it holds this many bytes (or nothing more is queued).
    pub batch_bytes: usize,
    /// Bytes of emitted events that may wait for every member's acknowledgement: the bound of a
    /// sender's retained events, and the lag past which an evicting hub cuts a member off.
    pub max_pending_bytes: usize,
    /// Events frames a sender may have in flight unacknowledged (and the hub toward its clients
    /// under [`SlowConsumer::Wait`]).
    pub window: usize,
    /// How often every node says hello; three silent intervals make a peer presumed dead.
    pub liveness_interval: Duration,
    /// What the hub does with clients too slow to acknowledge.
    pub slow_consumer: SlowConsumer,
    /// Whether listeners on the emitting node receive its own events.
    pub local_echo: bool,
    /// Whether events go only where some node listens: off, every event goes to every node.
    pub interest_routing: bool,
    /// How long a dialed candidate has to answer before the next is tried; also the pause
    /// before electing again when no candidate could be opened.
    pub election_timeout: Duration,
    /// How long closing may wait for silent members this node still owes events.
    pub close_linger: Duration,
}

impl Settings {
    /// The largest event (its wire size) one frame of this node can carry: what an emit past
    /// it is refused for.
    pub fn max_event_size(&self) -> usize {
        self.max_frame_size.saturating_sub(crate::wire::frame_overhead(&self.service))
    }

    /// The defaults for a node of service `service` on the one address `candidate`: frames of
    /// up to 16 MiB, batches of 1 MiB, 64 MiB pending, a window of 8 frames, a hello every
    /// second, slow clients evicted after 5 s, local echo and interest routing on, a dialed
    /// candidate given 1 s, closing lingering up to 5 s.
    pub fn new(service: impl Into<String>, candidate: impl Into<String>) -> Settings {
        Settings {
            service: service.into(),
            candidates: vec![candidate.into()],
            max_frame_size: 16 * 1024 * 1024,
            batch_bytes: 1024 * 1024,
            max_pending_bytes: 64 * 1024 * 1024,
            window: 8,
            liveness_interval: Duration::from_secs(1),
            slow_consumer: SlowConsumer::Evict(Duration::from_secs(5)),
            local_echo: true,
            interest_routing: true,
            election_timeout: Duration::from_secs(1),
            close_linger: Duration::from_secs(5),
        }
    }
}
