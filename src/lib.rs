//! # nanomitter
//!
//! A distributed EventEmitter for [actix](https://docs.rs/actix) actors over NNG
//! (nanomsg-next-gen). Actors in many processes share topics as if they shared one emitter.
//!
//! The first node to bind the address becomes the **hub** and relays every frame to every other
//! node; later nodes dial it. When the hub dies, each client's emitter actor crashes on purpose,
//! its supervisor restarts it, and the election runs again: one survivor binds, the rest dial it.
//!
//! ```no_run
//! use actix::prelude::*;
//! use nanomitter::{DistributedEvent, Emitter};
//!
//! struct Logger;
//! impl Actor for Logger { type Context = Context<Self>; }
//! impl Handler<DistributedEvent> for Logger {
//!     type Result = ();
//!     fn handle(&mut self, event: DistributedEvent, _: &mut Context<Self>) {
//!         println!("{} from {}: {}", event.topic(), event.service(), event.to_json());
//!     }
//! }
//!
//! #[actix::main]
//! async fn main() -> nanomitter::Result<()> {
//!     let emitter = Emitter::builder("worker").connect().await?;
//!     emitter.on("stockprice", Logger.start().recipient())?;
//!     let price = nanomitter::serde_json::json!({ "ticker": "AAPL", "price": 251.3 });
//!     emitter.emit_json("stockprice", &price)?;
//!     emitter.flush().await
//! }
//! ```
//!
//! The crate is the shell and the API around the protocol core, which lives in its own crate,
//! `nanomitter-protocol` (one node's state machine without I/O, the wire format, the topic
//! grammar, the trie, membership), and the transport, `nanomitter-nng` (the only `unsafe` code).
//! Modules here, one concept each: [`config`] (settings), `connect` (starting a node and waiting
//! for its first election), [`handle`] (the caller's API), [`messages`] (the same API as actix
//! messages), `emitter` (the supervised actor, a shell around the protocol core), `link` (the
//! connections and the election step), `mailbox` (the budget of frames waiting for the actor),
//! `registry` (listeners), `topic_cache` (its bounded cache of the topics in use),
//! `pattern_budget` (how many patterns a node may listen to), `outbox` (events handles accepted,
//! waiting for the actor in one buffer), `pending` (the bound on unacknowledged bytes), `pacing` (that bound kept where the delay it causes stays near a
//! target), [`event`] (what listeners receive, and the payload codecs),
//! [`error`], `subscription` (a listener that lasts as long as a value), `diagnosis` (why no hub
//! answered). [`topic`], [`trie`] and [`membership`] are the core's, re-exported. With the
//! cargo feature `nats`, `nats` is the NATS backend (`nats://` candidates). With `monitor`,
//! `monitor` is the node's monitoring endpoint (metrics, status, health, a dashboard); with
//! `metrics`, `metrics_export` hands the same figures to the `metrics` facade; both read
//! `observe` (what a node observes of itself and its cluster, and the metrics made of it).

#![warn(missing_docs)]
// Unsafe code lives in the `nanomitter-nng` crate alone (the bindings to NNG's C API).
#![forbid(unsafe_code)]

pub mod authorization;
pub mod config;
mod connect;
mod diagnosis;
mod emitter;
pub mod error;
pub mod event;
#[cfg(test)]
mod fuzz;
pub mod handle;
pub mod json_view;
mod link;
mod mailbox;
pub mod messages;
#[cfg(feature = "metrics")]
mod metrics_export;
#[cfg(feature = "monitor")]
mod monitor;
#[cfg(feature = "nats")]
pub mod nats;
#[cfg(feature = "observe")]
mod observe;
pub use nanomitter_protocol::{credential, membership, topic, trie};
mod outbox;
mod pacing;
mod pattern_budget;
mod pending;
mod registry;
mod subscription;
mod topic_cache;

/// The transport: safe byte streams over NNG.
use nanomitter_nng as nng;
/// The protocol core and the formats it speaks.
use nanomitter_protocol as protocol;
use nanomitter_protocol::{auth, framing, stats, wire};

pub use config::{EmitterBuilder, SlowConsumer, Tls, DEFAULT_ADDRESS, HEARTBEAT_TOPIC};
pub use emitter::Emitter;
pub use error::{Error, NoHub, Result, TransportError};
pub use event::{Codec, DistributedEvent};
pub use handle::{EmitterHandle, RoleWatch};
pub use membership::Peer;
/// The `tracing` target of the warnings about refused connections (a peer with another cluster
/// secret or none, a browser origin not allowed, a hub of another wire version): at most one
/// line per reason every 10 s, each with the count of those not written since. A program that
/// keeps other logs quiet may still let these through (the CLI does).
pub const REFUSALS_LOG_TARGET: &str = "nanomitter::refusals";
pub use nanomitter_protocol::auth::{AuthError, Secret, MIN_SECRET_LEN};
pub use nanomitter_protocol::stats::StatsSnapshot;
pub use nanomitter_protocol::Role;
pub use subscription::Subscription;
pub use topic::ANY_TOPIC;

/// The `serde_json` this crate is built with, for [`EmitterHandle::emit_json`] and
/// [`DistributedEvent::to_json`] callers: `nanomitter::serde_json::json!({ ... })` builds a
/// payload without a `serde_json` dependency of one's own (and without a version mismatch).
pub use serde_json;

/// The README's examples, compiled as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

impl Emitter {
    /// Starts building an emitter for a node of service `service_name`.
    ///
    /// ```no_run
    /// # async fn example() -> nanomitter::Result<()> {
    /// let emitter = nanomitter::Emitter::builder("worker")
    ///     .address("tcp://127.0.0.1:55555")
    ///     .connect()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn builder(service_name: impl Into<String>) -> EmitterBuilder {
        EmitterBuilder::new(service_name)
    }
}
