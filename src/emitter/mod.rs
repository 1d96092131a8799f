//! The emitter actor: one per node, supervised, owner of the node's link.
//!
//! Owns: the glue between the link (frames in, frames out), the sending side ([`Outbound`]), the
//! receiving side ([`Inbound`]), the hub's relay state ([`Hub`]) when this node is the hub,
//! membership, listeners, and the crash-and-re-elect cycle. It must not encode bytes by hand (the
//! wire module's), do socket work (the link's), or decide relay windows and acknowledgements
//! itself (the hub module's): it carries out what they decide.
//!
//! # Let it crash
//! When a client loses its hub, hears nothing from it for three liveness intervals, meets a hub
//! of an older election epoch, or its socket fails, the actor stops itself. Its
//! [`Supervisor`](actix::Supervisor) restarts it on the same state: `restarting` drops the dead
//! link, `started` runs the election again (bind or dial). Listeners, sequence numbers and every
//! frame not yet acknowledged by all members survive, because they live in the actor; on the new
//! link they are sent again and receivers drop what they already have.
//!
//! The actor's parts: `election` (candidates, bind or dial, stepping down), `outgoing` (emitted
//! events, windows, acks, announcements), `incoming` (frames received, relaying at the hub),
//! `members` (notices and liveness checks) and `api` (the public messages). This file holds the
//! state they share and the actor's lifecycle.

use crate::config::{Config, SlowConsumer, HEARTBEAT_TOPIC};
use crate::error::{Error, Result};
use crate::event::{Codec, DistributedEvent, Fields};
use crate::hub::{Hub, Queued};
use crate::inbound::{Admit, Inbound};
use crate::interest::Interests;
use crate::link::{probe, FromLink, Link, LinkEvent, Received};
use crate::membership::{self, Change, Membership, Peer};
use crate::messages::{
    Emit, Flush, ListenerCount, Many, On, Once, Peers, RemoveAllListeners, RemoveListener, Topics,
};
use crate::outbound::Outbound;
use crate::pending::Pending;
use crate::registry::{Blocked, Registry};
use crate::role::Role;
use crate::routing::{route, Relay};
use crate::stats::Stats;
use crate::wire::{self, Ack, Frame, Hello, Interest, Joining, Left, LeftReason, Nack};
use actix::prelude::*;
use bytes::Bytes;
use bytestring::ByteString;
use nng::Pipe;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{oneshot, watch};
use tracing::{debug, error, info, warn};

mod api;
mod election;
mod incoming;
mod members;
mod outgoing;

pub(crate) use api::Shutdown;

/// How long a receiver waits before asking again for the same missing events.
const NACK_INTERVAL: Duration = Duration::from_millis(50);
/// How often a busy node repeats its acknowledgements: a lost one would otherwise stall a
/// sender whose window is full, since nothing new would come to acknowledge.
const ACK_REFRESH: Duration = Duration::from_millis(50);
/// How long a node that left still counts as listening to what it listened to.
const DEPARTED_INTERESTS_KEPT: Duration = Duration::from_secs(60);
/// How long after its last events frame a node counts as busy.
const BUSY_FOR: Duration = Duration::from_secs(2);

/// Where the emitter stands, published to its handles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LinkState {
    Electing,
    /// Linked, in this role, on this candidate address.
    Up(Role, String),
    Failed(Error),
    Closed,
}

/// What a node shares with its handles.
pub(crate) struct Shared {
    pub(crate) stats: Arc<Stats>,
    pub(crate) pending: Pending,
}

/// The actor that owns one node's link and listeners. Reach it through
/// [`EmitterHandle`](crate::EmitterHandle) or send it the messages of [`crate::messages`].
pub struct Emitter {
    config: Config,
    node: u64,
    service: ByteString,
    shared: Arc<Shared>,
    state: watch::Sender<LinkState>,
    registry: Registry,
    outbound: Outbound,
    inbound: Inbound,
    membership: Membership,
    /// What the other nodes listen to.
    interests: Interests,
    /// The registry version last announced to the cluster (`None`: announce on the next chance).
    announced: Option<u64>,
    /// The version of this node's own announcements.
    interest_version: u64,
    /// Whether this node knows the interests of the cluster it joined (a client learns them from
    /// the hub after joining; until then it sends everything).
    interests_complete: bool,
    generation: u64,
    link: Option<Link>,
    linked: bool,
    /// Whether this node was ever part of a cluster (then a new election has members to await).
    ever_linked: bool,
    /// The candidate address of the current link.
    candidate: usize,
    failed_candidates: usize,
    probing: bool,
    hub: Option<Hub<Pipe, Relay>>,
    /// A client's events frames that arrived before the hub's hello told it where to start.
    before_hub_hello: Option<Vec<wire::Events>>,
    epoch: u64,
    last_from_hub: Instant,
    linked_at: Instant,
    busy_until: Instant,
    work_scheduled: bool,
    flush_waiters: Vec<(u64, oneshot::Sender<()>)>,
    closing: bool,
}

impl Emitter {
    pub(crate) fn new(
        config: Config,
        node: u64,
        shared: Arc<Shared>,
        state: watch::Sender<LinkState>,
    ) -> Self {
        Emitter {
            outbound: Outbound::new(node, &config.service, config.batch_bytes, config.window),
            service: ByteString::from(config.service.as_str()),
            config,
            node,
            shared,
            state,
            registry: Registry::default(),
            inbound: Inbound::default(),
            membership: Membership::default(),
            interests: Interests::default(),
            announced: None,
            interest_version: 0,
            interests_complete: false,
            generation: 0,
            link: None,
            linked: false,
            ever_linked: false,
            candidate: 0,
            failed_candidates: 0,
            probing: false,
            hub: None,
            before_hub_hello: None,
            epoch: 0,
            last_from_hub: Instant::now(),
            linked_at: Instant::now(),
            busy_until: Instant::now(),
            work_scheduled: false,
            flush_waiters: Vec::new(),
            closing: false,
        }
    }
}

/// Relays a client's frame as routing has it for the other clients (as it came when routing is
/// off), and counts it. Returns whether NNG took it. The one way a hub relays: in order from its
/// queue, or at once as a repair.
fn relay_routed(
    link: &Link,
    hub: &Hub<Pipe, Relay>,
    interests: &Interests,
    routing: bool,
    stats: &Stats,
    origin: Pipe,
    relay: Relay,
) -> bool {
    let targets = if routing { hub.client_nodes_except(origin) } else { Vec::new() };
    let (message, left_out) = route(&targets, interests, relay);
    Stats::add(&stats.filtered, left_out);
    let bytes = message.len() as u64;
    match link.relay(message) {
        Ok(()) => {
            Stats::add(&stats.relayed, 1);
            Stats::add(&stats.relayed_bytes, bytes);
            true
        }
        Err(error) => {
            warn!(%error, "hub could not relay a frame");
            false
        }
    }
}

impl Actor for Emitter {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        if self.closing {
            return;
        }
        self.elect(ctx);
        ctx.run_interval(self.config.liveness_interval, |act, ctx| act.tick(ctx));
        ctx.run_interval(ACK_REFRESH, |act, _| act.refresh_acks());
        if let Some(every) = self.config.heartbeat {
            ctx.run_interval(every, |act, ctx| act.emit_heartbeat(ctx));
        }
    }
}

impl Supervised for Emitter {
    fn restarting(&mut self, _ctx: &mut Context<Self>) {
        if !self.closing {
            info!(generation = self.generation, "link lost, restarting");
            self.state.send_replace(LinkState::Electing);
        }
        if self.hub.take().is_some() {
            // A hub that steps down is no longer the hub anyone should wait for.
            self.peer_left(self.node, LeftReason::Closed);
        } else if let Some(hub) = self.membership.hub() {
            self.peer_left(hub, LeftReason::Closed);
        }
        self.link = None;
        self.linked = false;
        self.probing = false;
        self.before_hub_hello = None;
        self.work_scheduled = false;
    }
}

/// Deferred work, run once the mailbox is drained: send what is ready, acknowledge what arrived.
#[derive(Message)]
#[rtype(result = "()")]
struct Work;

impl Handler<Work> for Emitter {
    type Result = ();

    fn handle(&mut self, _: Work, _: &mut Context<Self>) {
        self.work_scheduled = false;
        self.announce_interest();
        self.pump();
        self.send_acks();
    }
}

impl Handler<FromLink> for Emitter {
    type Result = ();

    fn handle(&mut self, message: FromLink, ctx: &mut Context<Self>) {
        if message.generation != self.generation || self.closing {
            return;
        }
        match message.event {
            LinkEvent::PeerUp(pipe) => match self.hub.as_mut() {
                Some(hub) => {
                    hub.connected(pipe, Instant::now());
                    debug!("a client connected");
                    self.send_hello(Joining::No);
                    self.tell_interests();
                }
                None if !self.linked => self.link_up(ctx),
                None => {}
            },
            LinkEvent::PeerDown(pipe) => self.peer_down(pipe, ctx),
            LinkEvent::Frame(received) => self.receive(received, ctx),
            LinkEvent::Failed(reason) => {
                error!(%reason, "socket failed");
                self.crash(ctx, "socket failed");
            }
        }
    }
}
