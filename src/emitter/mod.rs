//! The emitter actor: one per node, supervised, the shell around the backend that carries
//! events between nodes.
//!
//! Owns: the node's listeners and the hand-off of deliveries to them, the state its handles
//! watch, and the choice of backend: the embedded NNG hub (`hub`: the protocol core's
//! [`Node`](crate::protocol::Node) and its link, the default) or NATS (`nats`, cargo feature
//! `nats`). Every public message is handled once here (`api`) and reaches the backend through
//! the few operations they share (emit, flush, close, who else listens). It must not decide
//! anything of either protocol: the protocol core and the NATS tasks do.
//!
//! # Let it crash
//! With the NNG hub, when the core says the link is beyond repair (a client lost its hub or
//! heard nothing from it for three liveness intervals, a hub of an older epoch, a failed
//! socket), the actor stops itself. Its [`actix::Supervisor`] restarts it on the same state:
//! `restarting` drops the dead link, `started` runs the election again (bind or dial).
//! Listeners, sequence numbers and every frame not yet acknowledged by all members survive,
//! because they live in the actor; on the new link they are sent again and receivers drop what
//! they already have. The NATS client reconnects by itself: that backend never crashes the actor.
//!
//! The parts: `delivery` (handing events to listener mailboxes in order without ever pausing the
//! actor), `api` (the handlers of the public messages), `hub` and `nats` (the backends), and,
//! with monitoring or metrics, `observed` (what the node tells of itself and its cluster).

use crate::config::Config;
use crate::error::{Error, Result};
use crate::membership::Peer;
use crate::outbox::{Outbox, Record, Taken};
use crate::pattern_budget::PatternBudget;
use crate::pending::Pending;
use crate::protocol::identity::NodeKey;
use crate::registry::Registry;
use crate::stats::Stats;
use actix::prelude::*;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::{oneshot, watch};
use tracing::info;

mod api;
mod delivery;
mod hub;
#[cfg(feature = "nats")]
mod nats;
#[cfg(feature = "observe")]
mod observed;

/// Where the node stands, as its handles see it: a failed first election carries the error that
/// says why.
pub(crate) type LinkState = crate::protocol::LinkState<Error>;
pub(crate) use api::{Shutdown, TakeOutbox};
use delivery::Deliveries;
use hub::Hub;

/// What a node shares with its handles.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) stats: Arc<Stats>,
    pub(crate) pending: Pending,
    /// Events its handles accepted, waiting for the actor to take them.
    pub(crate) outbox: Outbox,
    /// The patterns its listeners hold, within the budget of its interest: a handle holds one
    /// before it says a listener was added.
    pub(crate) patterns: PatternBudget,
}

impl Shared {
    /// Reserves `bytes` under `max_pending_bytes` at once, or refuses with
    /// [`Error::Overflow`] (counted in `stats().overflows`): what `emit` and an `Emit` sent
    /// directly both do.
    pub(crate) fn reserve_or_overflow(&self, bytes: usize) -> Result<()> {
        if self.pending.try_reserve(bytes) {
            return Ok(());
        }
        Stats::add(&self.stats.overflows, 1);
        Err(Error::Overflow { pending: self.pending.held(), limit: self.pending.limit() })
    }
}

/// The actor that owns one node's link and listeners. Reach it through
/// [`EmitterHandle`](crate::EmitterHandle) or send it the messages of [`crate::messages`].
pub struct Emitter {
    /// The checked settings.
    config: Config,
    /// What the handles share: counters, the pending bound, the pattern budget.
    shared: Arc<Shared>,
    /// Where the node's state is published to its handles.
    state: watch::Sender<LinkState>,
    /// The listeners.
    registry: Registry,
    /// Deliveries issued and not yet taken by every listener.
    deliveries: Deliveries,
    /// `close` calls waiting for the node to leave.
    left_waiters: Vec<oneshot::Sender<()>>,
    /// What carries events between nodes.
    backend: Backend,
    /// The latest notices its listeners were told: the timeline monitoring shows.
    #[cfg(feature = "observe")]
    notices: crate::observe::Notices,
}

/// What carries events between nodes.
enum Backend {
    /// The embedded NNG hub.
    Hub(Box<Hub>),
    /// A NATS cluster.
    #[cfg(feature = "nats")]
    Nats(Box<nats::NatsSide>),
}

impl Backend {
    fn hub_mut(&mut self) -> Option<&mut Hub> {
        match self {
            Backend::Hub(hub) => Some(hub),
            #[cfg(feature = "nats")]
            Backend::Nats(_) => None,
        }
    }
}

impl Emitter {
    pub(crate) fn new(
        config: Config,
        node: u64,
        key: NodeKey,
        shared: Arc<Shared>,
        state: watch::Sender<LinkState>,
    ) -> Self {
        #[cfg(feature = "nats")]
        let backend = match &config.nats {
            Some(options) => Backend::Nats(Box::new(nats::NatsSide::new(&config, options, node))),
            None => Backend::Hub(Box::new(Hub::new(&config, node, key, &shared))),
        };
        #[cfg(not(feature = "nats"))]
        let backend = Backend::Hub(Box::new(Hub::new(&config, node, key, &shared)));
        Emitter {
            config,
            shared,
            state,
            registry: Registry::default(),
            deliveries: Deliveries::default(),
            left_waiters: Vec::new(),
            backend,
            #[cfg(feature = "observe")]
            notices: crate::observe::Notices::default(),
        }
    }

    /// Runs the backend until it has nothing more to do right now.
    fn perform(&mut self, ctx: &mut Context<Self>) {
        match &self.backend {
            Backend::Hub(_) => self.perform_hub(ctx),
            #[cfg(feature = "nats")]
            Backend::Nats(_) => self.perform_nats(ctx),
        }
    }

    /// The node closed, or is closing: it takes no more events nor listeners.
    fn is_closed(&self) -> bool {
        match &self.backend {
            Backend::Hub(hub) => hub.node.is_closed(),
            #[cfg(feature = "nats")]
            Backend::Nats(side) => side.is_closed(),
        }
    }

    /// The node left for good.
    fn has_left(&self) -> bool {
        match &self.backend {
            Backend::Hub(hub) => hub.node.has_left(),
            #[cfg(feature = "nats")]
            Backend::Nats(side) => side.has_left(),
        }
    }

    /// Hands an event to the backend; `reserved` is what it holds of `max_pending_bytes`.
    fn emit_event(
        &mut self,
        emit: crate::messages::Emit,
        reserved: usize,
        ctx: &mut Context<Self>,
    ) {
        match &mut self.backend {
            Backend::Hub(hub) => {
                hub.node.emit(&emit.topic, emit.codec, &emit.payload, reserved);
            }
            #[cfg(feature = "nats")]
            Backend::Nats(side) => side.emit(emit, reserved, &self.shared.stats),
        }
        self.perform(ctx);
    }

    /// Hands an event taken from the outbox to the backend, as [`Emitter::emit_event`] does
    /// (the caller performs once for all it took). `taken` holds the record's bytes, which the
    /// NATS backend shares instead of copying.
    #[cfg_attr(not(feature = "nats"), allow(unused_variables))]
    fn emit_record(&mut self, taken: &Taken, record: &Record<'_>, reserved: usize) {
        match &mut self.backend {
            Backend::Hub(hub) => {
                hub.node.emit(record.topic, record.codec, record.payload, reserved);
            }
            #[cfg(feature = "nats")]
            Backend::Nats(side) => side.emit(taken.emit(record), reserved, &self.shared.stats),
        }
    }

    /// Resolves once every event emitted before it is held by every member (NNG) or stored
    /// (NATS).
    fn flush(&mut self, ctx: &mut Context<Self>) -> oneshot::Receiver<Result<()>> {
        let (done, waiting) = oneshot::channel();
        match &mut self.backend {
            Backend::Hub(hub) => match hub.node.flush(Instant::now()) {
                Some(ticket) => {
                    hub.flush_waiters.insert(ticket, done);
                }
                None => {
                    let _ = done.send(Ok(()));
                }
            },
            #[cfg(feature = "nats")]
            Backend::Nats(side) => side.flush(done),
        }
        self.perform(ctx);
        waiting
    }

    /// Starts leaving: no more events; the backend says goodbye and the link closes.
    fn close_backend(&mut self, ctx: &mut Context<Self>) {
        match &mut self.backend {
            Backend::Hub(hub) => {
                hub.flush_waiters.clear();
                hub.node.close(Instant::now());
            }
            #[cfg(feature = "nats")]
            Backend::Nats(_) => self.close_nats(ctx),
        }
        self.perform(ctx);
    }

    /// How many listeners on other nodes an event on `topic` reaches, as far as this node knows.
    fn listeners_elsewhere(&self, topic: &str) -> usize {
        match &self.backend {
            Backend::Hub(hub) => hub.node.listeners_elsewhere(topic),
            #[cfg(feature = "nats")]
            Backend::Nats(side) => side.presence.listeners_elsewhere(topic),
        }
    }

    /// Every pattern other nodes listen to, with their listener counts.
    fn topics_elsewhere(&self) -> Vec<(String, u32)> {
        match &self.backend {
            Backend::Hub(hub) => hub.node.topics_elsewhere(),
            #[cfg(feature = "nats")]
            Backend::Nats(side) => side.presence.topics_elsewhere(),
        }
    }

    /// The other nodes this node knows of.
    fn peers(&self) -> Vec<Peer> {
        match &self.backend {
            Backend::Hub(hub) => hub.node.peers(),
            #[cfg(feature = "nats")]
            Backend::Nats(side) => side.presence.peers(),
        }
    }
}

impl Actor for Emitter {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        if self.has_left() {
            return;
        }
        if let Some(every) = self.config.heartbeat {
            ctx.run_interval(every, |act, ctx| act.emit_heartbeat(ctx));
        }
        #[cfg(feature = "metrics")]
        if let Some(every) = self.config.metrics_every {
            ctx.run_interval(every, |act, _| {
                let observation = act.observation();
                let families = crate::observe::families(&observation);
                crate::metrics_export::publish(&families, &observation.node.id);
            });
        }
        match &mut self.backend {
            Backend::Hub(hub) => hub.node.start_election(Instant::now()),
            #[cfg(feature = "nats")]
            Backend::Nats(_) => self.open_nats(ctx),
        }
        self.perform(ctx);
    }
}

impl Supervised for Emitter {
    fn restarting(&mut self, ctx: &mut Context<Self>) {
        let Some(hub) = self.backend.hub_mut() else { return };
        if !hub.node.has_left() {
            info!("link lost, restarting");
        }
        hub.restarted();
        self.perform(ctx);
    }
}
