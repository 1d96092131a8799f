//! The protocol core: one node's state machine, with no I/O.
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
//! and carries the actions out; `tests/simulation.rs` drives many nodes over a simulated network
//! under seeded fault schedules, deterministically.
//!
//! The parts, by what each owns: `node` (the state every part shares, the inputs, the action
//! queue, timers), `election` (candidates, bind or dial, epochs, crashing on purpose, stepping
//! down), `sending` (this node's own events: acceptance, windows, re-sends, flush), `receiving`
//! (events from others: admission, acknowledgements, re-send requests, notices of loss),
//! `hub_side` (what only the hub does: relaying, end-to-end acknowledgements, connections,
//! eviction), `announcer` (hellos, interest announcements, membership notices); and the plain
//! data they use: `sender`, `receiver`, `relay`, `routing`, `interest`. In tests, `footprint`
//! counts what a node holds that its peers can grow.

mod announcer;
mod claims;
mod election;
#[cfg(test)]
mod footprint;
pub(crate) mod hashing;
mod hub_side;
mod interest;
mod leaving;
mod node;
mod receiver;
mod receiving;
mod relay;
mod routing;
#[cfg(test)]
mod scripted;
mod sender;
mod sending;

#[cfg(test)]
pub(crate) use footprint::{Footprint, RelayFootprint};
#[cfg(test)]
pub(crate) use interest::CLUSTER_INTEREST;
pub(crate) use node::{Action, ConnId, LinkState, Node, OpenedAs};
#[cfg(test)]
pub(crate) use relay::MAX_AWAITED_ON_WORD;
#[cfg(feature = "simulation")]
pub(crate) use sender::RETAINED_PER_WINDOW;
