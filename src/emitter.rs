//! The emitter actor: one per node, supervised, owner of the node's link.
//!
//! Owns: the listener registry, sequence numbers, batching of outgoing events into frames, the
//! queue of frames waiting for a hub, gap and duplicate detection of incoming events, the hub's
//! acknowledgements, and the crash-and-re-elect cycle. It must not do socket work itself (that is
//! the link's) nor encode bytes by hand (that is the wire module's).
//!
//! # Let it crash
//! When a client loses its hub, or a socket fails, the actor stops itself. Its
//! [`Supervisor`](actix::Supervisor) restarts it on the same state: `restarting` drops the dead
//! link, `started` runs the election again (bind or dial). Listeners, sequence numbers and frames
//! not yet sent survive, because they live in the actor, not in the link.

use crate::config::{Config, HEARTBEAT_TOPIC};
use crate::error::{Error, Result};
use crate::event::{Codec, DistributedEvent};
use crate::link::{FromLink, Link, LinkEvent, Role};
use crate::messages::{Emit, Flush, ListenerCount, On, Once, RemoveAllListeners, RemoveListener};
use crate::registry::Registry;
use crate::stats::Stats;
use crate::wire::{self, EventsBatch, Frame};
use actix::prelude::*;
use bytestring::ByteString;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use tokio::sync::{oneshot, watch};
use tracing::{debug, error, info, warn};

/// Where the emitter stands, published to its handles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LinkState {
    Electing,
    Up(Role),
    Failed(Error),
    Closed,
}

/// A finished frame waiting for the transport.
struct PendingFrame {
    bytes: Vec<u8>,
    events: u64,
}

/// The actor that owns one node's link and listeners. Reach it through
/// [`EmitterHandle`](crate::EmitterHandle) or send it the messages of [`crate::messages`].
pub struct Emitter {
    config: Config,
    service: ByteString,
    node: u64,
    stats: Arc<Stats>,
    state: watch::Sender<LinkState>,
    registry: Registry,
    generation: u64,
    link: Option<Link>,
    linked: bool,
    next_seq: u64,
    batch: Option<EventsBatch>,
    outbox: VecDeque<PendingFrame>,
    outbox_bytes: usize,
    flush_scheduled: bool,
    acked_seq: u64,
    flush_waiters: Vec<(u64, oneshot::Sender<()>)>,
    last_seen: HashMap<u64, u64>,
    acks_due: HashMap<u64, u64>,
    closing: bool,
}

impl Emitter {
    pub(crate) fn new(
        config: Config,
        node: u64,
        stats: Arc<Stats>,
        state: watch::Sender<LinkState>,
    ) -> Self {
        Emitter {
            service: ByteString::from(config.service.as_str()),
            config,
            node,
            stats,
            state,
            registry: Registry::default(),
            generation: 0,
            link: None,
            linked: false,
            next_seq: 0,
            batch: None,
            outbox: VecDeque::new(),
            outbox_bytes: 0,
            flush_scheduled: false,
            acked_seq: 0,
            flush_waiters: Vec::new(),
            last_seen: HashMap::new(),
            acks_due: HashMap::new(),
            closing: false,
        }
    }

    fn elect(&mut self, ctx: &mut Context<Self>) {
        self.generation += 1;
        Stats::add(&self.stats.elections, 1);
        let generation = self.generation;
        match Link::elect(
            &self.config,
            generation,
            ctx.address().recipient(),
            self.stats.clone(),
        ) {
            Ok(link) => {
                let role = link.role();
                self.link = Some(link);
                info!(address = %self.config.address, ?role, generation, node = self.node, "election won a role");
                if role == Role::Hub {
                    self.link_up(ctx);
                } else {
                    ctx.run_later(self.config.election_timeout, move |act, ctx| {
                        if act.generation == generation && !act.linked {
                            warn!(address = %act.config.address, "no hub answered the dial, electing again");
                            ctx.stop();
                        }
                    });
                }
            }
            Err(error) => {
                error!(%error, "election failed");
                self.state.send_replace(LinkState::Failed(error));
            }
        }
    }

    fn link_up(&mut self, ctx: &mut Context<Self>) {
        let Some(role) = self.link.as_ref().map(Link::role) else {
            return;
        };
        self.linked = true;
        self.state.send_replace(LinkState::Up(role));
        info!(?role, "link up");
        self.send_outbox(ctx);
    }

    fn role(&self) -> Role {
        match (&self.link, self.linked) {
            (Some(link), true) => link.role(),
            _ => Role::Electing,
        }
    }

    /// Assigns the next sequence number, echoes locally and queues the event for the network.
    fn accept(&mut self, emit: Emit, ctx: &mut Context<Self>) {
        let size = emit.wire_size();
        if size + wire::frame_overhead(&self.service) > self.config.max_frame_size {
            Stats::add(&self.stats.dropped, 1);
            warn!(topic = %emit.topic, size, "dropped an event larger than max_frame_size");
            return;
        }
        self.next_seq += 1;
        let seq = self.next_seq;
        Stats::add(&self.stats.emitted, 1);
        if self.config.local_echo {
            let event = DistributedEvent {
                topic: emit.topic.clone(),
                service: self.service.clone(),
                node: self.node,
                seq,
                codec: emit.codec,
                payload: emit.payload.clone(),
            };
            Stats::add(&self.stats.delivered, self.registry.dispatch(&event));
        }
        if self
            .batch
            .as_ref()
            .is_some_and(|b| b.len() + size > self.config.batch_bytes)
        {
            self.seal_batch();
        }
        let (node, service) = (self.node, &self.service);
        let batch = self
            .batch
            .get_or_insert_with(|| EventsBatch::new(node, service, size));
        if let Err(error) = batch.push(seq, emit.codec, &emit.topic, &emit.payload) {
            Stats::add(&self.stats.dropped, 1);
            warn!(%error, "dropped an event the wire format cannot carry");
            return;
        }
        if batch.len() >= self.config.batch_bytes {
            self.seal_batch();
            self.send_outbox(ctx);
        } else if !self.flush_scheduled {
            // Runs once the mailbox is drained: everything emitted until then shares the frame.
            self.flush_scheduled = true;
            ctx.notify(FlushBatch);
        }
    }

    fn emit_heartbeat(&mut self, ctx: &mut Context<Self>) {
        let data = serde_json::json!({ "service": self.config.service });
        match Emit::encoded(HEARTBEAT_TOPIC, Codec::Json, &data) {
            Ok(emit) => self.accept(emit, ctx),
            Err(error) => error!(%error, "cannot encode the heartbeat"),
        }
    }

    /// Moves the batch being filled to the outbox; keeps the outbox within its byte bound.
    fn seal_batch(&mut self) {
        let Some(batch) = self.batch.take() else {
            return;
        };
        let events = batch.count();
        let bytes = batch.finish();
        self.outbox_bytes += bytes.len();
        self.outbox.push_back(PendingFrame { bytes, events });
        while self.outbox_bytes > self.config.max_pending_bytes {
            let Some(oldest) = self.outbox.pop_front() else {
                break;
            };
            self.outbox_bytes -= oldest.bytes.len();
            Stats::add(&self.stats.dropped, oldest.events);
            warn!(
                events = oldest.events,
                "no hub for too long: dropped the oldest queued frame"
            );
        }
    }

    /// Sends queued frames while the link is up. A failed send crashes the link.
    fn send_outbox(&mut self, ctx: &mut Context<Self>) {
        let Some(link) = self.link.as_ref().filter(|_| self.linked) else {
            return;
        };
        while let Some(frame) = self.outbox.front() {
            if let Err(error) = link.send(&frame.bytes) {
                warn!(%error, "send failed, restarting the link");
                ctx.stop();
                return;
            }
            Stats::add(&self.stats.frames_sent, 1);
            self.outbox_bytes -= frame.bytes.len();
            self.outbox.pop_front();
        }
        if link.role() == Role::Hub {
            self.acked_seq = self.next_seq;
            self.release_flush_waiters();
        }
    }

    fn release_flush_waiters(&mut self) {
        let acked = self.acked_seq;
        let (released, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut self.flush_waiters)
            .into_iter()
            .partition(|(seq, _)| *seq <= acked);
        self.flush_waiters = waiting;
        for (_, done) in released {
            let _ = done.send(());
        }
    }

    fn receive_events(&mut self, events: Vec<DistributedEvent>, ctx: &mut Context<Self>) {
        for event in events {
            if event.node == self.node {
                continue;
            }
            let last = self.last_seen.entry(event.node).or_insert(0);
            if event.seq <= *last {
                Stats::add(&self.stats.duplicates, 1);
                continue;
            }
            if *last != 0 && event.seq > *last + 1 {
                let missed = event.seq - *last - 1;
                Stats::add(&self.stats.gaps, missed);
                warn!(
                    sender = event.node,
                    missed, "events from a sender were lost"
                );
            }
            *last = event.seq;
            Stats::add(&self.stats.events_received, 1);
            if self.role() == Role::Hub {
                if self.acks_due.is_empty() {
                    ctx.notify(SendAcks);
                }
                self.acks_due.insert(event.node, event.seq);
            }
            Stats::add(&self.stats.delivered, self.registry.dispatch(&event));
        }
    }

    fn receive_ack(&mut self, acks: &[(u64, u64)]) {
        if let Some(&(_, seq)) = acks.iter().find(|(sender, _)| *sender == self.node) {
            self.acked_seq = self.acked_seq.max(seq);
            self.release_flush_waiters();
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
        self.link = None;
        self.linked = false;
        self.flush_scheduled = false;
        self.acks_due.clear();
    }
}

/// Sends the batch being filled (queued by the emitter for itself when the batch starts).
#[derive(Message)]
#[rtype(result = "()")]
struct FlushBatch;

impl Handler<FlushBatch> for Emitter {
    type Result = ();

    fn handle(&mut self, _: FlushBatch, ctx: &mut Context<Self>) {
        self.flush_scheduled = false;
        self.seal_batch();
        self.send_outbox(ctx);
    }
}

/// The hub acknowledges what it received since its last ack, in one frame to every client.
#[derive(Message)]
#[rtype(result = "()")]
struct SendAcks;

impl Handler<SendAcks> for Emitter {
    type Result = ();

    fn handle(&mut self, _: SendAcks, _ctx: &mut Context<Self>) {
        let acks: Vec<(u64, u64)> = self.acks_due.drain().collect();
        let Some(link) = self.link.as_ref() else {
            return;
        };
        match link.send(&wire::encode_ack(self.node, &acks)) {
            Ok(()) => Stats::add(&self.stats.frames_sent, 1),
            Err(error) => warn!(%error, "hub could not send acks"),
        }
    }
}

impl Handler<FromLink> for Emitter {
    type Result = ();

    fn handle(&mut self, message: FromLink, ctx: &mut Context<Self>) {
        if message.generation != self.generation || self.closing {
            return;
        }
        match (message.event, self.link.as_ref().map(Link::role)) {
            (LinkEvent::PeerUp, Some(Role::Client)) if !self.linked => self.link_up(ctx),
            (LinkEvent::PeerUp, _) => debug!("a peer connected"),
            (LinkEvent::PeerDown, Some(Role::Client)) => {
                warn!(address = %self.config.address, "lost the hub");
                ctx.stop();
            }
            (LinkEvent::PeerDown, _) => debug!("a peer disconnected"),
            (LinkEvent::Frame(Frame::Events(events)), _) => self.receive_events(events, ctx),
            (LinkEvent::Frame(Frame::Ack(ack)), _) => self.receive_ack(&ack.acks),
            (LinkEvent::Failed(reason), _) => {
                error!(%reason, "socket failed, restarting the link");
                ctx.stop();
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
        self.registry.add(&on.topic, on.recipient, false);
    }
}

impl Handler<Once> for Emitter {
    type Result = ();

    fn handle(&mut self, once: Once, _: &mut Context<Self>) {
        self.registry.add(&once.topic, once.recipient, true);
    }
}

impl Handler<RemoveListener> for Emitter {
    type Result = bool;

    fn handle(&mut self, remove: RemoveListener, _: &mut Context<Self>) -> bool {
        self.registry.remove(&remove.topic, &remove.recipient)
    }
}

impl Handler<RemoveAllListeners> for Emitter {
    type Result = ();

    fn handle(&mut self, remove: RemoveAllListeners, _: &mut Context<Self>) {
        self.registry.remove_all(remove.topic.as_deref());
    }
}

impl Handler<ListenerCount> for Emitter {
    type Result = usize;

    fn handle(&mut self, count: ListenerCount, _: &mut Context<Self>) -> usize {
        self.registry.listener_count(&count.topic)
    }
}

impl Handler<Flush> for Emitter {
    type Result = ResponseFuture<Result<()>>;

    fn handle(&mut self, _: Flush, ctx: &mut Context<Self>) -> Self::Result {
        self.seal_batch();
        self.send_outbox(ctx);
        let target = self.next_seq;
        if target <= self.acked_seq {
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
        self.closing = true;
        self.state.send_replace(LinkState::Closed);
        self.flush_waiters.clear();
        ctx.stop();
    }
}
