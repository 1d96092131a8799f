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

use crate::config::{Config, SlowConsumer, HEARTBEAT_TOPIC};
use crate::error::{Error, Result};
use crate::event::{Codec, DistributedEvent, Fields};
use crate::hub::{Hub, Queued};
use crate::inbound::{Admit, Inbound};
use crate::interest::Interests;
use crate::link::{probe, FromLink, Link, LinkEvent, Received, Role};
use crate::membership::{self, Change, Membership, Peer};
use crate::messages::{
    Emit, Flush, ListenerCount, Many, On, Once, Peers, RemoveAllListeners, RemoveListener, Topics,
};
use crate::outbound::Outbound;
use crate::pending::Pending;
use crate::registry::{Blocked, Registry};
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

    // ----- election and link lifecycle -------------------------------------------------------

    /// Runs the election over the candidates, most preferred first.
    fn elect(&mut self, ctx: &mut Context<Self>) {
        Stats::add(&self.shared.stats.elections, 1);
        self.failed_candidates = 0;
        self.try_candidate(0, ctx);
    }

    /// Binds candidate `index` (hub) or dials it (client); if no hub answers the dial in time,
    /// the next candidate is tried, and after the last the election starts over.
    fn try_candidate(&mut self, index: usize, ctx: &mut Context<Self>) {
        self.generation += 1;
        self.candidate = index;
        self.link = None;
        let generation = self.generation;
        let address = self.config.candidates[index].clone();
        let to = ctx.address().recipient();
        match Link::open(&self.config, &address, generation, to, self.shared.stats.clone()) {
            Ok(link) => {
                let role = link.role();
                self.link = Some(link);
                info!(%address, ?role, generation, node = %membership::hex(self.node), "election step");
                if role == Role::Hub {
                    self.become_hub();
                    self.link_up(ctx);
                } else {
                    if !self.ever_linked {
                        // A first-time client starts where the first hub hello it gets says,
                        // which may come before its own `PeerUp`: hold events until then.
                        self.before_hub_hello = Some(Vec::new());
                    }
                    ctx.run_later(self.config.election_timeout, move |act, ctx| {
                        if act.generation == generation && !act.linked {
                            warn!(%address, "no hub answered");
                            act.next_candidate(index, ctx);
                        }
                    });
                }
            }
            Err(error) => {
                self.failed_candidates += 1;
                if self.failed_candidates == self.config.candidates.len() {
                    error!(%error, "election failed");
                    self.state.send_replace(LinkState::Failed(error));
                } else {
                    warn!(%error, "candidate unusable");
                    self.next_candidate(index, ctx);
                }
            }
        }
    }

    fn next_candidate(&mut self, index: usize, ctx: &mut Context<Self>) {
        if index + 1 < self.config.candidates.len() {
            self.try_candidate(index + 1, ctx);
        } else {
            self.crash(ctx, "no candidate answered, electing again");
        }
    }

    /// A hub on a less preferred candidate asks whether a more preferred one can be had; if so
    /// it steps down, and the election (of everyone) lands there.
    fn probe_preferred(&mut self, ctx: &mut Context<Self>) {
        if self.hub.is_none() || self.candidate == 0 || self.probing {
            return;
        }
        self.probing = true;
        let (generation, addr) = (self.generation, ctx.address());
        for index in 0..self.candidate {
            let addr = addr.clone();
            let address = self.config.candidates[index].clone();
            probe(address, self.config.election_timeout, move |live| {
                addr.do_send(Preferred { generation, index, live });
            });
        }
    }

    /// Takes over as hub: a new epoch, and the members of the previous cluster are awaited.
    fn become_hub(&mut self) {
        self.epoch += 1;
        let old_hub = self.membership.hub();
        let awaited: HashSet<u64> =
            self.membership.nodes().filter(|n| Some(*n) != old_hub).collect();
        if let Some(old_hub) = old_hub {
            self.peer_left(old_hub, LeftReason::Closed);
        }
        let now = Instant::now();
        // Members of the cluster this node was in (known to it or not, the old hub too if it
        // only stepped down) rejoin within a few reconnect intervals: hold acks that long.
        let hold = if self.ever_linked { self.config.election_timeout / 4 } else { Duration::ZERO };
        let grace = self.config.election_timeout * 2;
        info!(epoch = self.epoch, awaited = awaited.len(), "this node is the hub");
        self.hub = Some(Hub::new(self.node, self.config.window, awaited, now + hold, grace));
        let change = self.membership.this_node_is_hub(self.node, &self.config.service);
        self.member_change(change);
    }

    fn link_up(&mut self, ctx: &mut Context<Self>) {
        let Some(role) = self.link.as_ref().map(Link::role) else {
            return;
        };
        let joining = if self.ever_linked { Joining::Again } else { Joining::Fresh };
        self.announced = None;
        self.interests_complete = role == Role::Hub;
        self.linked = true;
        self.ever_linked = true;
        self.last_from_hub = Instant::now();
        self.linked_at = Instant::now();
        let address = self.config.candidates[self.candidate].clone();
        self.state.send_replace(LinkState::Up(role, address));
        info!(?role, "link up");
        self.send_hello(joining);
        // Whatever the previous hub did not see acknowledged by everyone goes out again.
        self.resend_from(0);
        self.schedule_work(ctx);
    }

    /// The link is beyond repair: crash, and let the supervisor restart the election.
    fn crash(&mut self, ctx: &mut Context<Self>, why: &str) {
        warn!(address = %self.config.candidates[self.candidate], why, "restarting the link");
        ctx.stop();
    }

    // ----- sending ---------------------------------------------------------------------------

    fn send_frame(&self, bytes: &[u8]) -> bool {
        let Some(link) = self.link.as_ref().filter(|_| self.linked) else {
            return false;
        };
        match link.send(bytes) {
            Ok(()) => {
                Stats::add(&self.shared.stats.frames_sent, 1);
                true
            }
            Err(error) => {
                warn!(%error, "send failed");
                false
            }
        }
    }

    /// A hub's hello tells what it relayed so far (where a new client starts); a joining
    /// client's tells what it holds (so the hub knows what it is owed).
    fn send_hello(&self, joining: Joining) {
        let received = match &self.hub {
            Some(hub) => hub.relayed(),
            None if joining != Joining::No => self.inbound.delivered(),
            None => Vec::new(),
        };
        let hello = Hello {
            node: self.node,
            epoch: self.epoch,
            hub: self.hub.is_some(),
            joining,
            service: self.config.service.clone(),
            last_seq: self.outbound.last_sent(),
            received,
        };
        self.send_frame(&hello.encode());
    }

    /// Sends again the frames in flight from `from_seq` on (outside the hub's window: the
    /// window may be waiting for exactly these).
    fn resend_from(&mut self, from_seq: u64) {
        let Some(link) = self.link.as_ref().filter(|_| self.linked) else { return };
        let (node, mut hub) = (self.node, self.hub.as_mut());
        let resent = self.outbound.resend_from(from_seq, |bytes, last_seq, retained_from| {
            if link.send(bytes).is_err() {
                return false;
            }
            if let Some(hub) = hub.as_mut() {
                hub.resent(node, last_seq, retained_from);
            }
            true
        });
        Stats::add(&self.shared.stats.resent, resent as u64);
        Stats::add(&self.shared.stats.frames_sent, resent as u64);
    }

    /// Moves frames out as far as the windows allow: the hub's relay queue first, then this
    /// node's own events.
    fn pump(&mut self) {
        let Some(link) = self.link.as_ref().filter(|_| self.linked) else {
            return;
        };
        let stats = &self.shared.stats;
        let now = Instant::now();
        match self.hub.as_mut() {
            Some(hub) => {
                while let Some(queued) = hub.next_relay() {
                    let Queued { origin, sender, last_seq, retained_from, message } = queued;
                    let targets = routing_targets(self.config.interest_routing, hub, origin);
                    let (message, left_out) = route(&targets, &self.interests, message);
                    Stats::add(&stats.filtered, left_out);
                    let bytes = message.len() as u64;
                    match link.relay(message) {
                        Ok(()) => {
                            Stats::add(&stats.relayed, 1);
                            Stats::add(&stats.relayed_bytes, bytes);
                        }
                        Err(error) => warn!(%error, "hub could not relay a frame"),
                    }
                    hub.sent(Some(origin), sender, last_seq, retained_from, now);
                }
                let node = self.node;
                let sent = self.outbound.send_waiting(|bytes, last_seq, retained_from| {
                    if !hub.has_room() || link.send(bytes).is_err() {
                        return false;
                    }
                    hub.sent(None, node, last_seq, retained_from, now);
                    true
                });
                Stats::add(&stats.frames_sent, sent as u64);
            }
            None => {
                let sent = self.outbound.send_waiting(|bytes, _, _| link.send(bytes).is_ok());
                Stats::add(&stats.frames_sent, sent as u64);
            }
        }
    }

    /// Runs [`Work`] once the mailbox is drained: what arrived until then shares one frame, one
    /// acknowledgement.
    fn schedule_work(&mut self, ctx: &mut Context<Self>) {
        if !self.work_scheduled {
            self.work_scheduled = true;
            ctx.notify(Work);
        }
    }

    fn send_acks(&mut self) {
        let now = Instant::now();
        match self.hub.as_mut() {
            Some(hub) => {
                let acks = hub.take_upstream_acks(now);
                if acks.is_empty() {
                    return;
                }
                if let Some(&(_, seq)) = acks.iter().find(|(sender, _)| *sender == self.node) {
                    self.acknowledged(seq);
                }
                let frame = Ack { node: self.node, epoch: self.epoch, acks };
                self.send_frame(&frame.encode());
            }
            None => {
                let acks = self.inbound.take_new_acks();
                if !acks.is_empty() {
                    let frame = Ack { node: self.node, epoch: self.epoch, acks };
                    self.send_frame(&frame.encode());
                }
            }
        }
    }

    /// Every member holds this node's events up to `seq`.
    fn acknowledged(&mut self, seq: u64) {
        debug!(seq, "acknowledged by every member");
        let released = self.outbound.ack(seq);
        self.shared.pending.release(released);
        let acked = self.outbound.acked();
        let (done, waiting): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.flush_waiters).into_iter().partition(|(s, _)| *s <= acked);
        self.flush_waiters = waiting;
        for (_, tx) in done {
            let _ = tx.send(());
        }
    }

    /// Repeats this node's acknowledgements while it is busy (see [`ACK_REFRESH`]).
    fn refresh_acks(&mut self) {
        if !self.linked || Instant::now() > self.busy_until {
            return;
        }
        let acks = match &self.hub {
            Some(hub) => hub.announced(),
            None => self.inbound.delivered(),
        };
        if !acks.is_empty() {
            self.send_frame(&Ack { node: self.node, epoch: self.epoch, acks }.encode());
        }
    }

    // ----- emitting --------------------------------------------------------------------------

    fn accept(&mut self, emit: Emit, ctx: &mut Context<Self>) {
        if emit.wire_size() + wire::frame_overhead(&self.service) > self.config.max_frame_size {
            Stats::add(&self.shared.stats.dropped, 1);
            self.shared.pending.release(emit.reserved);
            warn!(topic = %emit.topic, size = emit.wire_size(), "dropped an event larger than max_frame_size");
            return;
        }
        let seq = if self.others_listen(&emit.topic) {
            match self.outbound.push(emit.codec, &emit.topic, &emit.payload, emit.reserved) {
                Ok(seq) => seq,
                Err(error) => {
                    Stats::add(&self.shared.stats.dropped, 1);
                    self.shared.pending.release(emit.reserved);
                    warn!(%error, "dropped an event the wire format cannot carry");
                    return;
                }
            }
        } else {
            Stats::add(&self.shared.stats.suppressed, 1);
            self.shared.pending.release(emit.reserved);
            self.outbound.skip()
        };
        Stats::add(&self.shared.stats.emitted, 1);
        if self.config.local_echo {
            let event = DistributedEvent::new(Fields {
                topic: emit.topic,
                service: self.service.clone(),
                node: self.node,
                seq,
                codec: emit.codec,
                payload: emit.payload,
            });
            let mut blocked = Blocked::default();
            let delivered = self.registry.dispatch(&event, &mut blocked);
            Stats::add(&self.shared.stats.delivered, delivered);
            self.wait_for(blocked, ctx);
        }
        self.schedule_work(ctx);
    }

    /// Whether some other node may listen to `topic`. When in doubt (no link, the cluster's
    /// interests not learned yet, a peer that has not announced its own), yes.
    fn others_listen(&self, topic: &str) -> bool {
        if !self.config.interest_routing || !self.linked || !self.interests_complete {
            return true;
        }
        if self.membership.nodes().any(|node| !self.interests.knows(node)) {
            return true;
        }
        self.interests.wanted_by_other_than(self.node, topic)
    }

    /// Tells the cluster this node's patterns, if they changed since it last did. Subscriptions
    /// are announced at once, so other nodes start sending within one round trip.
    fn announce_interest(&mut self) {
        let version = self.registry.version();
        if !self.linked || self.announced == Some(version) {
            return;
        }
        if version == 0 && self.linked_at.elapsed() < self.config.liveness_interval {
            // Nothing subscribed yet, just after linking: wait a beat before saying so, since
            // an empty announcement now would cut off what the first subscriptions, made right
            // after `connect`, are about to ask for. Until then others send everything here.
            return;
        }
        self.announced = Some(version);
        self.interest_version += 1;
        let interest = Interest {
            node: self.node,
            version: self.interest_version,
            patterns: self.registry.announced_patterns(),
        };
        self.send_frame(&interest.encode());
    }

    fn receive_interest(&mut self, interest: Interest, message: Option<nng::Message>) {
        if interest.node == self.node {
            return;
        }
        let changed = self.interests.set(&interest);
        if self.hub.is_some() {
            if let (true, Some(link), Some(message)) = (changed, self.link.as_ref(), message) {
                let _ = link.relay(message);
            }
        } else if Some(interest.node) == self.membership.hub() {
            // The hub sends every interest it knows, then its own, to a client that joins.
            self.interests_complete = true;
        }
    }

    /// The hub tells a client that just connected what everyone listens to, its own last.
    fn tell_interests(&mut self) {
        let known: Vec<Vec<u8>> = self.interests.all().map(Interest::encode).collect();
        for frame in known {
            self.send_frame(&frame);
        }
        self.announced = None;
        self.announce_interest();
    }

    fn emit_heartbeat(&mut self, ctx: &mut Context<Self>) {
        let data = serde_json::json!({ "service": self.config.service });
        match Emit::encoded(HEARTBEAT_TOPIC, Codec::Json, &data) {
            Ok(emit) => self.accept(emit, ctx),
            Err(error) => error!(%error, "cannot encode the heartbeat"),
        }
    }

    /// Pauses this actor until full listener mailboxes took their events, in order: a slow
    /// listener slows this node's acknowledgements, and so its senders, instead of piling up.
    fn wait_for(&mut self, blocked: Blocked, ctx: &mut Context<Self>) {
        if blocked.is_empty() {
            return;
        }
        let deliveries = blocked.deliveries;
        ctx.wait(
            async move {
                for (recipient, event) in deliveries {
                    let _ = recipient.send(event).await;
                }
            }
            .into_actor(self),
        );
    }

    // ----- receiving -------------------------------------------------------------------------

    fn receive(&mut self, received: Received, ctx: &mut Context<Self>) {
        let Received { frame, from, message } = received;
        let now = Instant::now();
        if let (Some(hub), Some(pipe)) = (self.hub.as_mut(), from) {
            hub.heard(pipe, now);
        } else {
            self.last_from_hub = now;
        }
        match frame {
            Frame::Interest(interest) => self.receive_interest(interest, message),
            Frame::Events(events) => match self.before_hub_hello.as_mut() {
                Some(early) => early.push(events),
                None => self.receive_events(events, from, message, ctx),
            },
            Frame::Ack(ack) => self.receive_ack(ack, from),
            Frame::Hello(hello) => self.receive_hello(hello, from, message, ctx),
            Frame::Nack(nack) => {
                if nack.sender == self.node {
                    self.resend_from(nack.from_seq);
                } else if let (Some(link), Some(message)) = (self.link.as_ref(), message) {
                    let _ = link.relay(message);
                }
            }
            Frame::Left(left) => match (self.hub.as_mut(), from) {
                // A client saying goodbye.
                (Some(hub), Some(pipe)) => hub.leaving(pipe, LeftReason::Closed),
                (None, _) if left.epoch >= self.epoch => {
                    self.peer_left(left.node, left.reason);
                }
                _ => {}
            },
        }
        self.schedule_work(ctx);
    }

    fn receive_events(
        &mut self,
        frame: wire::Events,
        from: Option<Pipe>,
        message: Option<nng::Message>,
        ctx: &mut Context<Self>,
    ) {
        let sender = frame.node;
        if sender == self.node {
            return;
        }
        self.busy_until = Instant::now() + BUSY_FOR;
        let mut blocked = Blocked::default();
        let covers = frame.covers_from..=frame.covers_to;
        let (lost, admit) = self.inbound.frame(sender, frame.retained_from, covers);
        if let Some(missed) = lost {
            Stats::add(&self.shared.stats.gaps, missed);
            warn!(sender = %membership::hex(sender), missed, "events were lost for good");
            let notice = self.notice(
                membership::LAGGED,
                serde_json::json!({ "sender": membership::hex(sender), "missed": missed }),
            );
            self.registry.notify_all(&notice, &mut blocked);
        }
        match admit {
            Admit::Deliver { after } => {
                let (mut delivered, mut received) = (0, 0);
                for event in frame.events.iter().filter(|e| e.seq() > after) {
                    received += 1;
                    delivered += self.registry.dispatch(event, &mut blocked);
                }
                let stats = &self.shared.stats;
                Stats::add(&stats.events_received, received);
                Stats::add(&stats.delivered, delivered);
                Stats::add(&stats.duplicates, frame.events.len() as u64 - received);
            }
            Admit::Gap => {
                let from_seq = self.inbound.nack_due(sender, Instant::now(), NACK_INTERVAL);
                self.ask_again(sender, from_seq);
            }
        }
        if let (Some(hub), Some(held)) = (self.hub.as_mut(), self.inbound.delivered_from(sender)) {
            hub.delivered_here(sender, held);
        }
        self.wait_for(blocked, ctx);
        if let (Some(origin), Some(message)) = (from, message) {
            self.relay(origin, Relay { message, frame });
        }
    }

    /// The hub queues a client's events frame behind its window, or relays a repair at once.
    fn relay(&mut self, origin: Pipe, relay: Relay) {
        let Some(hub) = self.hub.as_mut() else { return };
        let (sender, last_seq) = (relay.frame.node, relay.frame.covers_to);
        let retained_from = relay.frame.retained_from;
        let queued = Queued { origin, sender, last_seq, retained_from, message: relay };
        let (Some(repair), Some(link)) = (hub.receive(queued), self.link.as_ref()) else { return };
        let stats = &self.shared.stats;
        let (message, left_out) =
            route(&hub.client_nodes_except(origin), &self.interests, repair.message);
        Stats::add(&stats.filtered, left_out);
        let bytes = message.len() as u64;
        if link.relay(message).is_ok() {
            Stats::add(&stats.relayed, 1);
            Stats::add(&stats.relayed_bytes, bytes);
            hub.resent(sender, last_seq, retained_from);
        }
    }

    fn ask_again(&mut self, sender: u64, from_seq: Option<u64>) {
        let Some(from_seq) = from_seq else { return };
        debug!(sender = %membership::hex(sender), from_seq, "asking for missing events");
        Stats::add(&self.shared.stats.nacks, 1);
        self.send_frame(&Nack { node: self.node, sender, from_seq }.encode());
    }

    fn receive_ack(&mut self, ack: Ack, from: Option<Pipe>) {
        match (self.hub.as_mut(), from) {
            (Some(hub), Some(pipe)) => hub.acked(pipe, &ack.acks),
            (None, _) if ack.epoch >= self.epoch => {
                if let Some(&(_, seq)) = ack.acks.iter().find(|(sender, _)| *sender == self.node) {
                    self.acknowledged(seq);
                }
            }
            _ => return,
        }
        self.pump();
    }

    fn receive_hello(
        &mut self,
        hello: Hello,
        from: Option<Pipe>,
        message: Option<nng::Message>,
        ctx: &mut Context<Self>,
    ) {
        if hello.node == self.node {
            return;
        }
        if let (Some(hub), Some(pipe)) = (self.hub.as_mut(), from) {
            hub.hello(pipe, &hello, Instant::now());
            if hello.epoch > self.epoch {
                self.epoch = hello.epoch;
                return self.crash(ctx, "a client knows a newer hub election: this hub is stale");
            }
            if let (Some(link), Some(message)) = (self.link.as_ref(), message) {
                let _ = link.relay(message);
            }
        } else if hello.hub {
            if hello.epoch < self.epoch {
                return self.crash(ctx, "the hub is of an older election (stale)");
            }
            self.epoch = hello.epoch;
            if let Some(early) = self.before_hub_hello.take() {
                for &(sender, seq) in &hello.received {
                    self.inbound.start_after(sender, seq);
                }
                for events in early {
                    self.receive_events(events, None, None, ctx);
                }
            }
        }
        if hello.joining != Joining::No {
            // A member (re)joined: whatever it may miss is still in flight here.
            self.resend_from(0);
        }
        let changes = self.membership.hello(&hello, Instant::now());
        for change in changes {
            self.member_change(Some(change));
        }
        let behind = self.inbound.behind(hello.node, hello.last_seq, Instant::now(), NACK_INTERVAL);
        self.ask_again(hello.node, behind);
    }

    // ----- membership and notices ------------------------------------------------------------

    /// An event from this node on a reserved topic, never sent over the network.
    fn notice(&self, topic: &'static str, data: serde_json::Value) -> DistributedEvent {
        DistributedEvent::new(Fields {
            topic: ByteString::from_static(topic),
            service: self.service.clone(),
            node: self.node,
            seq: 0,
            codec: Codec::Json,
            payload: Bytes::from(data.to_string()),
        })
    }

    /// A node left: forget it, and tell the listeners.
    fn peer_left(&mut self, node: u64, reason: LeftReason) {
        self.interests.depart(node, Instant::now());
        let change = self.membership.left(node, reason);
        self.member_change(change);
    }

    fn member_change(&mut self, change: Option<Change>) {
        let Some(change) = change else { return };
        debug!(topic = change.topic, data = %change.data, "membership");
        let notice = self.notice(change.topic, change.data);
        let mut blocked = Blocked::default();
        let delivered = self.registry.dispatch(&notice, &mut blocked);
        Stats::add(&self.shared.stats.delivered, delivered);
        // Notices are rare and small: a full mailbox gets them later, without pausing the node.
        for (recipient, event) in blocked.deliveries {
            recipient.do_send(event);
        }
    }

    fn peer_down(&mut self, pipe: Pipe, ctx: &mut Context<Self>) {
        let Some(hub) = self.hub.as_mut() else {
            return self.crash(ctx, "lost the hub");
        };
        let Some((node, reason)) = hub.disconnected(pipe, Instant::now()) else {
            return;
        };
        let left = Left { epoch: self.epoch, node, reason };
        self.send_frame(&left.encode());
        self.peer_left(node, reason);
        self.pump();
    }

    // ----- periodic checks -------------------------------------------------------------------

    fn tick(&mut self, ctx: &mut Context<Self>) {
        if !self.linked {
            return;
        }
        self.send_hello(Joining::No);
        self.announce_interest();
        let now = Instant::now();
        let silent_after = self.config.liveness_interval * 3;
        self.probe_preferred(ctx);
        self.interests.forget_departed(now, DEPARTED_INTERESTS_KEPT);
        let Some(hub) = self.hub.as_mut() else {
            if now.duration_since(self.last_from_hub) >= silent_after {
                self.crash(ctx, "the hub went silent");
            }
            return;
        };
        let evict_after = match self.config.slow_consumer {
            SlowConsumer::Wait => None,
            SlowConsumer::Evict(after) => Some(after),
        };
        let overdue = hub.overdue(now, evict_after, silent_after);
        let missing = hub.take_missing(now);
        for (pipe, node, reason) in overdue {
            warn!(node = ?node.map(membership::hex), ?reason, "cutting off a client");
            Stats::add(&self.shared.stats.evictions, 1);
            hub.leaving(pipe, reason);
            if let Some(link) = &self.link {
                link.cut_off(pipe);
            }
        }
        for node in missing {
            self.send_frame(&Left { epoch: self.epoch, node, reason: LeftReason::Silent }.encode());
            self.peer_left(node, LeftReason::Silent);
        }
        self.schedule_work(ctx);
    }
}

/// The clients a frame from `origin` goes to, as routing sees them (none: routing is off, the
/// frame goes as it came).
fn routing_targets(routing: bool, hub: &Hub<Pipe, Relay>, origin: Pipe) -> Vec<Option<u64>> {
    if routing {
        hub.client_nodes_except(origin)
    } else {
        Vec::new()
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

/// The answer of a probe of a more preferred candidate.
#[derive(Message)]
#[rtype(result = "()")]
struct Preferred {
    generation: u64,
    index: usize,
    live: bool,
}

impl Handler<Preferred> for Emitter {
    type Result = ();

    fn handle(&mut self, answer: Preferred, ctx: &mut Context<Self>) {
        if answer.generation != self.generation {
            return;
        }
        self.probing = false;
        if answer.live && self.hub.is_some() && answer.index < self.candidate {
            let address = &self.config.candidates[answer.index];
            info!(%address, "a more preferred candidate can be had, stepping down");
            self.crash(ctx, "a more preferred candidate is live");
        }
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

impl Handler<Emit> for Emitter {
    type Result = ();

    fn handle(&mut self, emit: Emit, ctx: &mut Context<Self>) {
        self.accept(emit, ctx);
    }
}

impl Handler<On> for Emitter {
    type Result = ();

    fn handle(&mut self, on: On, _: &mut Context<Self>) {
        self.registry.add(&on.topic, on.recipient, None);
        self.announce_interest();
    }
}

impl Handler<Once> for Emitter {
    type Result = ();

    fn handle(&mut self, once: Once, _: &mut Context<Self>) {
        self.registry.add(&once.topic, once.recipient, Some(1));
        self.announce_interest();
    }
}

impl Handler<Many> for Emitter {
    type Result = ();

    fn handle(&mut self, many: Many, _: &mut Context<Self>) {
        self.registry.add(&many.topic, many.recipient, Some(many.times));
        self.announce_interest();
    }
}

impl Handler<RemoveListener> for Emitter {
    type Result = bool;

    fn handle(&mut self, remove: RemoveListener, _: &mut Context<Self>) -> bool {
        let removed = self.registry.remove(&remove.topic, &remove.recipient);
        self.announce_interest();
        removed
    }
}

impl Handler<RemoveAllListeners> for Emitter {
    type Result = ();

    fn handle(&mut self, remove: RemoveAllListeners, _: &mut Context<Self>) {
        self.registry.remove_all(remove.topic.as_deref());
        self.announce_interest();
    }
}

impl Handler<ListenerCount> for Emitter {
    type Result = usize;

    fn handle(&mut self, count: ListenerCount, _: &mut Context<Self>) -> usize {
        let here = self.registry.listener_count(&count.topic);
        let elsewhere = if count.cluster { self.interests.listener_count(&count.topic) } else { 0 };
        here + elsewhere
    }
}

impl Handler<Topics> for Emitter {
    type Result = MessageResult<Topics>;

    fn handle(&mut self, topics: Topics, _: &mut Context<Self>) -> Self::Result {
        let mut all = self.registry.patterns();
        if topics.cluster {
            for (pattern, listeners) in self.interests.topics() {
                match all.iter_mut().find(|(p, _)| *p == pattern) {
                    Some((_, n)) => *n += listeners,
                    None => all.push((pattern, listeners)),
                }
            }
            all.sort();
        }
        MessageResult(all)
    }
}

impl Handler<Peers> for Emitter {
    type Result = MessageResult<Peers>;

    fn handle(&mut self, _: Peers, _: &mut Context<Self>) -> Self::Result {
        MessageResult(
            self.membership.peers().into_iter().filter(|p: &Peer| p.node != self.node).collect(),
        )
    }
}

impl Handler<Flush> for Emitter {
    type Result = ResponseFuture<Result<()>>;

    fn handle(&mut self, _: Flush, _: &mut Context<Self>) -> Self::Result {
        self.outbound.seal();
        self.pump();
        self.send_acks();
        let target = self.outbound.last_framed();
        if target <= self.outbound.acked() {
            return Box::pin(async { Ok(()) });
        }
        let (done, waiting) = oneshot::channel();
        self.flush_waiters.push((target, done));
        Box::pin(async move { waiting.await.map_err(|_| Error::Closed) })
    }
}

/// Stops the emitter for good: its link closes and it never elects again.
#[derive(Message)]
#[rtype(result = "()")]
pub(crate) struct Shutdown;

impl Handler<Shutdown> for Emitter {
    type Result = ();

    fn handle(&mut self, _: Shutdown, ctx: &mut Context<Self>) {
        if self.hub.is_none() {
            // Goodbye: the hub need not keep events for this node.
            let left = Left { epoch: self.epoch, node: self.node, reason: LeftReason::Closed };
            self.send_frame(&left.encode());
        }
        self.closing = true;
        self.state.send_replace(LinkState::Closed);
        self.flush_waiters.clear();
        ctx.stop();
    }
}
