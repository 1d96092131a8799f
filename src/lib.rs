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
//! Modules, one concept each: [`config`] (settings), `connect` (starting a node and waiting for its
//! first election), [`handle`] (the caller's API), [`messages`] (the same API as actix messages),
//! `emitter` (the supervised actor, a shell around the protocol core), `link` (the socket and the
//! election step), `role` (hub, client or electing), `protocol` (one node's state machine without
//! I/O: election, sending, receiving, the hub's relay, announcements), [`topic`] (the topic grammar: topics, patterns, reserved `$` topics,
//! matching), [`trie`] (matching a topic against many patterns at once), [`membership`] (peers and
//! the changes told on reserved topics), `registry` (listeners), `topic_cache` (its bounded cache of the topics in
//! use), `pending` (the bound on
//! unacknowledged bytes), [`event`] (what listeners receive), `wire` (the frame format) and
//! `stats` (counters), `subscription` (a listener that lasts as long as a value), `diagnosis`
//! (why no hub answered).
//!
//! The frame codec (`wire`) is private: the crate's own tests and benches reach it through the
//! `simulation` feature, where it is not a stable API.

#![warn(missing_docs)]
// Unsafe code lives in the `nanomitter-nng` crate alone (the bindings to NNG's C API).
#![forbid(unsafe_code)]

mod auth;
pub mod config;
mod connect;
mod diagnosis;
mod emitter;
pub mod error;
pub mod event;
mod framing;
#[cfg(test)]
mod fuzz;
pub mod handle;
mod link;
mod mailbox;
/// The transport: safe byte streams over NNG.
use nanomitter_nng as nng;
pub mod membership;
pub mod messages;
mod pattern_budget;
mod pending;
mod protocol;
mod registry;
mod role;
#[cfg(feature = "simulation")]
#[doc(hidden)]
pub mod simulation;
mod stats;
mod subscription;
pub mod topic;
mod topic_cache;
pub mod trie;
// The frame codec: the crate's own tests and benches build and read frames by hand through the
// `simulation` feature. Not a stable API; private otherwise.
#[cfg(feature = "simulation")]
#[doc(hidden)]
pub mod wire;
#[cfg(not(feature = "simulation"))]
mod wire;

pub use auth::{AuthError, Secret, MIN_SECRET_LEN};
pub use config::{EmitterBuilder, SlowConsumer, Tls, DEFAULT_ADDRESS, HEARTBEAT_TOPIC};
pub use emitter::Emitter;
pub use error::{Error, NoHub, Result, TransportError};
pub use event::{Codec, DistributedEvent};
pub use handle::{EmitterHandle, RoleWatch};
pub use membership::Peer;
pub use role::Role;
pub use stats::StatsSnapshot;
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
