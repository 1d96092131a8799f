//! The protocol core of nanomitter: one node's state machine, with no I/O, and the formats it
//! speaks.
//!
//! Owns: every decision of the protocol — the election (candidates, epochs, fencing), the sending
//! side (sequence numbers, batches, windows, re-sends), the receiving side (exactly-once, in-order
//! admission, acknowledgements, re-send requests, `$lagged`), the hub's relay (what it took, its window, routing,
//! end-to-end acknowledgements, who is a member), interest announcements and membership notices.
//! It must not touch actix, NNG, threads or the clock: a [`Node`] is fed inputs, each with the
//! current time `now` (an emit, a frame received on a connection, a connection up or down, a
//! timeout, listeners having taken their events), and answers with [`Action`]s (open a candidate,
//! send this frame, relay that frame to every client but one, cut a connection off, deliver this
//! event to the listeners, crash and re-elect...). The emitter actor is a thin shell that feeds it
//! and carries the actions out; the `simulation` tests drive many nodes over a simulated network
//! under seeded fault schedules, deterministically, and the `fuzz` tests feed the decoder and the
//! core arbitrary input. This crate depends on no actor system, transport, runtime or thread: the
//! same code runs under the simulation, the fuzz targets and in every node.
//!
//! The parts, by what each owns: `node` (the state every part shares, the inputs, the action
//! queue, timers), `election` (candidates, bind or dial, epochs, crashing on purpose, stepping
//! down), `sending` (this node's own events: acceptance, windows, re-sends, flush), `receiving`
//! (events from others: admission, acknowledgements, re-send requests, notices of loss),
//! `hub_side` (what only the hub does: relaying, end-to-end acknowledgements, connections,
//! eviction), `announcer` (hellos, interest announcements, membership notices); and the plain
//! data they use: `sender`, `receiver`, `relay`, `routing`, `interest`, `claims`, `leaving`. In
//! tests, `footprint` counts what a node holds that its peers can grow.
//!
//! What the core speaks and shares with its shell, public: [`settings`] (what the core reads of
//! the configuration), [`wire`] (the frame format), [`carried`] (the events of a frame, read in place), [`framing`] (frames on a byte stream, with
//! their tags), [`auth`] (the handshake on the cluster secret), [`credential`] (scoped credentials signed with
//! it), [`identity`] (the key a node proves its id with), [`refusal`] (why a connection is refused
//! before it opens), [`event`] (an event and its
//! codec byte), [`topic`] (the grammar), [`trie`] (many patterns matched at once),
//! [`membership`] (peers and the notices about them), [`role`], [`stats`] (counters), [`report`]
//! (what a node tells of itself and its members, for monitoring) and
//! [`hashing`] (the maps' hasher, seeded for a deterministic run).

#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod announcer;
pub mod auth;
pub mod carried;
mod claims;
pub mod credential;
mod election;
pub mod event;
#[cfg(test)]
mod footprint;
pub mod framing;
#[cfg(test)]
mod fuzz;
pub mod hashing;
mod hub_side;
pub mod identity;
mod interest;
mod leaving;
pub mod membership;
mod node;
mod receiver;
mod receiving;
pub mod refusal;
mod relay;
pub mod report;
pub mod role;
mod routing;
#[cfg(test)]
mod scripted;
mod sender;
mod sending;
pub mod settings;
#[cfg(test)]
mod simulation;
pub mod stats;
pub mod topic;
pub mod trie;
pub mod wire;

pub use event::{Codec, Event};
pub use node::{Action, ConnId, LinkState, Node, OpenedAs};
pub use role::Role;
pub use settings::{Settings, SlowConsumer};
