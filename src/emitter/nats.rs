//! NATS as the emitter's backend: numbering and handing over this node's events, delivering
//! what the reading tasks bring once each, answering `flush` from the stream's
//! acknowledgements, and membership from beacons.
//!
//! Owns: the [`NatsSide`] state the actor keeps and the handler of the tasks' reports. It must
//! not talk to NATS itself (the `nats` module's tasks do) nor decide what is a copy or a loss
//! (the order module's).

use super::{Emitter, LinkState};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::membership::LAGGED;
use crate::messages::Emit;
use crate::nats::consumer::Incoming;
use crate::nats::presence::{Beacon, Presence};
use crate::nats::publisher::Outgoing;
use crate::nats::session::{self, Channels, Ends, FromNats, NatsLink, Opening};
use crate::nats::{Mode, NatsOptions, Order, Subjects, Verdict};
use crate::protocol::event::{Event, Fields};
use crate::stats::Stats;
use crate::Role;
use actix::prelude::*;
use bytestring::ByteString;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::oneshot;
use tracing::warn;

/// Most topics a node numbers its events on before it forgets them all and numbers from 1 again
/// (receivers take a number that goes back as a new start, not a loss).
const MAX_NUMBERED_TOPICS: usize = 65_536;

/// A delivery issued and not yet taken: its number, where its event was read (a stream and its
/// sequence), and whether it holds a permit of the untaken bound.
type Untaken = (u64, Option<(u16, u64)>, bool);

/// The NATS backend's state in the actor.
pub(super) struct NatsSide {
    /// The settings.
    options: NatsOptions,
    /// This node's id.
    node: u64,
    /// Its service name, as every event and notice of this node carries it (shared, not copied
    /// per event).
    service: ByteString,
    /// The subject space.
    subjects: Subjects,
    /// The stream this node's events go to.
    own_stream: u16,
    /// The actor's ends of the channels to the tasks.
    channels: Channels,
    /// The tasks' ends, until the connection is opened.
    ends: Option<Ends>,
    /// The connection and its tasks, once opened.
    link: Option<NatsLink>,
    /// The sequence number of the last event emitted.
    emitted: u64,
    /// Per topic, the number of the last event emitted on it (core mode's loss count); keyed
    /// by the emitted topic itself, so counting an event allocates nothing.
    topic_numbers: HashMap<ByteString, u64>,
    /// The last event the stream acknowledged or that was given up: what `flush` waits for.
    settled_upto: u64,
    /// Events given up so far, and the last cause.
    not_stored: (u64, String),
    /// Flushes waiting: the last event before each, the events given up when it was asked, and
    /// where the answer goes.
    flush_waiters: VecDeque<(u64, u64, oneshot::Sender<Result<()>>)>,
    /// What to deliver, once each.
    order: Order,
    /// The number of the last delivery issued.
    delivered: u64,
    /// Deliveries issued and not yet taken, in order.
    untaken: VecDeque<Untaken>,
    /// Per stream, the sequence of the last event listeners took.
    taken_positions: Vec<u64>,
    /// The peers, from their beacons.
    pub(super) presence: Presence,
    /// The registry version last told to the tasks.
    patterns_told: Option<u64>,
    /// `close` was asked: no more events.
    closing: bool,
    /// The node left.
    left: bool,
}

impl NatsSide {
    pub(super) fn new(config: &Config, options: &NatsOptions, node: u64) -> Self {
        let subjects = Subjects::new(&options.prefix, options.streams);
        let (channels, ends) = Channels::new(node, &config.core.service, options.streams);
        NatsSide {
            own_stream: subjects.stream_of(node),
            subjects,
            options: options.clone(),
            node,
            service: config.core.service.as_str().into(),
            channels,
            ends: Some(ends),
            link: None,
            emitted: 0,
            topic_numbers: HashMap::new(),
            settled_upto: 0,
            not_stored: (0, String::new()),
            flush_waiters: VecDeque::new(),
            order: Order::default(),
            delivered: 0,
            untaken: VecDeque::new(),
            taken_positions: vec![0; usize::from(options.streams)],
            presence: Presence::new(node, options.presence_interval),
            patterns_told: None,
            closing: false,
            left: false,
        }
    }

    /// This node's id.
    #[cfg(feature = "observe")]
    pub(super) fn node(&self) -> u64 {
        self.node
    }

    pub(super) fn is_closed(&self) -> bool {
        self.closing
    }

    pub(super) fn has_left(&self) -> bool {
        self.left
    }

    /// Numbers an event and hands it to the publishing task.
    pub(super) fn emit(&mut self, emit: Emit, reserved: usize, stats: &Stats) {
        self.emitted += 1;
        if self.topic_numbers.len() >= MAX_NUMBERED_TOPICS
            && !self.topic_numbers.contains_key(&emit.topic)
        {
            self.topic_numbers.clear();
        }
        let topic_seq = self.topic_numbers.entry(emit.topic.clone()).or_default();
        *topic_seq += 1;
        let subject = self.subjects.event(self.own_stream, &emit.topic);
        let fields = Fields {
            topic: emit.topic,
            service: self.service.clone(),
            node: self.node,
            seq: self.emitted,
            codec: emit.codec,
            payload: emit.payload,
        };
        let body = crate::nats::body::encode(&fields, *topic_seq);
        let marker = (self.options.mode == Mode::Core).then(|| {
            let marker = Fields { seq: 0, payload: bytes::Bytes::new(), ..fields };
            crate::nats::body::encode(&marker, *topic_seq)
        });
        Stats::add(&stats.emitted, 1);
        let outgoing = Outgoing { seq: self.emitted, subject, body, reserved, marker };
        if self.channels.publish.send(outgoing).is_err() {
            warn!("the publishing task is gone");
        }
    }

    /// Answers once every event emitted so far is stored, or some were given up.
    pub(super) fn flush(&mut self, done: oneshot::Sender<Result<()>>) {
        if self.settled_upto >= self.emitted {
            let _ = done.send(Ok(()));
        } else {
            self.flush_waiters.push_back((self.emitted, self.not_stored.0, done));
        }
    }

    /// The publishing task settled the events up to `upto`.
    fn settled(&mut self, upto: u64) {
        self.settled_upto = self.settled_upto.max(upto);
        while let Some((ticket, _, _)) = self.flush_waiters.front() {
            if *ticket > self.settled_upto {
                break;
            }
            let Some((_, given_up_before, done)) = self.flush_waiters.pop_front() else { break };
            let given_up = self.not_stored.0 - given_up_before;
            let answer = if given_up == 0 {
                Ok(())
            } else {
                Err(Error::NotStored { events: given_up, cause: self.not_stored.1.clone() })
            };
            let _ = done.send(answer);
        }
    }
}

impl Emitter {
    fn nats(&mut self) -> Option<&mut NatsSide> {
        match &mut self.backend {
            super::Backend::Nats(side) => Some(side),
            super::Backend::Hub(_) => None,
        }
    }

    /// Connects in the background; the node is `Electing` until it is connected.
    pub(super) fn open_nats(&mut self, ctx: &mut Context<Self>) {
        let addr = ctx.address();
        let report: session::Reporter = Arc::new(move |message| addr.do_send(message));
        let (candidates, connect_timeout, stats) = (
            self.config.core.candidates.clone(),
            self.config.connect_timeout,
            self.shared.stats.clone(),
        );
        let liveness = self.config.core.liveness_interval;
        let Some(side) = self.nats() else { return };
        let Some(ends) = side.ends.take() else { return };
        let expire_every = liveness.min(side.options.presence_interval);
        let opening = Opening {
            candidates,
            options: side.options.clone(),
            node: side.node,
            connect_timeout,
            stats,
            report,
        };
        let opening = async move {
            match tokio::time::timeout(connect_timeout, session::open(opening, ends)).await {
                Ok(opened) => opened,
                Err(_) => Err(Error::Nats {
                    doing: "connecting".into(),
                    cause: format!("no NATS server answered within {connect_timeout:?}"),
                }),
            }
        };
        ctx.spawn(opening.into_actor(self).map(|opened, act, ctx| act.nats_opened(opened, ctx)));
        ctx.run_interval(expire_every, |act, ctx| act.expire_peers(ctx));
    }

    fn nats_opened(&mut self, opened: Result<NatsLink>, ctx: &mut Context<Self>) {
        match opened {
            Ok(link) => {
                let server = link.server();
                let Some(side) = self.nats() else { return };
                side.taken_positions = link.recorded.clone();
                side.channels.positions.send_replace(link.recorded.clone());
                side.link = Some(link);
                self.state.send_replace(LinkState::Up(Role::Client, server));
                self.perform(ctx);
            }
            Err(error) => {
                warn!(%error, "cannot connect to NATS");
                self.state.send_replace(LinkState::Failed(error));
            }
        }
    }

    /// Tells the tasks of new patterns, and gives back the room of what listeners took.
    pub(super) fn perform_nats(&mut self, _ctx: &mut Context<Self>) {
        let version = self.registry.version();
        let patterns = self.registry.announced_patterns();
        let taken = self.deliveries.newly_taken();
        let Some(side) = self.nats() else { return };
        if side.patterns_told != Some(version) {
            side.patterns_told = Some(version);
            side.channels.patterns.send_replace(patterns.iter().map(|(p, _)| p.clone()).collect());
            side.channels.beacon.send_modify(|beacon| beacon.patterns = patterns);
        }
        if let Some(taken) = taken {
            let mut permits = 0;
            let mut moved = false;
            while let Some(&(number, position, permit)) = side.untaken.front() {
                if number > taken {
                    break;
                }
                side.untaken.pop_front();
                permits += usize::from(permit);
                if let Some((stream, seq)) = position {
                    side.taken_positions[usize::from(stream)] = seq;
                    moved = true;
                }
            }
            side.channels.untaken.add_permits(permits);
            if moved && side.options.stable_name.is_some() {
                side.channels.positions.send_replace(side.taken_positions.clone());
            }
        }
    }

    /// Issues a delivery of `event`, noting where it was read and whether it holds a permit.
    fn deliver_read(
        &mut self,
        event: Event,
        position: Option<(u16, u64)>,
        permit: bool,
        ctx: &mut Context<Self>,
    ) {
        let Some(side) = self.nats() else { return };
        side.delivered += 1;
        let number = side.delivered;
        side.untaken.push_back((number, position, permit));
        self.deliver(number, event.into(), ctx);
    }

    /// Delivers a notice on a reserved topic (here only).
    fn deliver_notice(
        &mut self,
        topic: &'static str,
        data: serde_json::Value,
        ctx: &mut Context<Self>,
    ) {
        let Some(side) = self.nats() else { return };
        let notice = Event::notice(topic, side.service.clone(), side.node, &data);
        self.deliver_read(notice, None, false, ctx);
    }

    /// Events the reading tasks brought, in the order read.
    fn received(&mut self, events: Vec<Incoming>, ctx: &mut Context<Self>) {
        let stats = self.shared.stats.clone();
        let local_echo = self.config.core.local_echo;
        for Incoming { decoded, position } in events {
            let Some(side) = self.nats() else { return };
            let event = decoded.event;
            let sender = event.node();
            Stats::add(&stats.events_received, 1);
            if event.seq() == 0 {
                // A marker (core mode): it tells of losses at the tail, and is not an event.
                side.channels.untaken.add_permits(1);
                let missed = match side.options.mode {
                    Mode::Core => side.order.marker(sender, event.topic(), decoded.topic_seq),
                    Mode::JetStream => 0,
                };
                if missed > 0 {
                    Stats::add(&stats.gaps, missed);
                    let data = serde_json::json!({ "sender": sender, "missed": missed });
                    self.deliver_notice(LAGGED, data, ctx);
                }
                continue;
            }
            let verdict = match side.options.mode {
                Mode::JetStream => side.order.admit_stored(sender, event.seq()),
                Mode::Core => side.order.admit_live(sender, event.topic(), decoded.topic_seq),
            };
            let own = sender == side.node && !local_echo;
            match verdict {
                Verdict::Duplicate => {
                    Stats::add(&stats.duplicates, 1);
                    side.channels.untaken.add_permits(1);
                    continue;
                }
                Verdict::DeliverAfterLoss(missed) => {
                    Stats::add(&stats.gaps, missed);
                    let data = serde_json::json!({ "sender": sender, "missed": missed });
                    self.deliver_notice(LAGGED, data, ctx);
                }
                Verdict::Deliver => {}
            }
            if own {
                self.deliver_read_skipped(position);
            } else {
                self.deliver_read(event, position, true, ctx);
            }
        }
        self.perform(ctx);
    }

    /// An event of this node, read back while it does not echo its own: its place is taken at
    /// once.
    fn deliver_read_skipped(&mut self, position: Option<(u16, u64)>) {
        let Some(side) = self.nats() else { return };
        side.channels.untaken.add_permits(1);
        if let Some((stream, seq)) = position {
            if side.untaken.is_empty() {
                side.taken_positions[usize::from(stream)] = seq;
            }
        }
    }

    fn expire_peers(&mut self, ctx: &mut Context<Self>) {
        let Some(side) = self.nats() else { return };
        let gone = side.presence.expire(Instant::now());
        for (topic, data) in gone {
            self.deliver_notice(topic, data, ctx);
        }
        self.perform(ctx);
    }

    /// Leaves: no more events, a last record of the positions and a goodbye beacon, then the
    /// connection closes and whoever waits for the close hears of it.
    pub(super) fn close_nats(&mut self, _ctx: &mut Context<Self>) {
        let linger = self.config.core.close_linger;
        let waiters = std::mem::take(&mut self.left_waiters);
        let Some(side) = self.nats() else { return };
        if side.left {
            return;
        }
        side.closing = true;
        side.left = true;
        side.flush_waiters.clear();
        let goodbye = Beacon { left: true, ..side.channels.beacon.borrow().clone() };
        let positions = side.taken_positions.clone();
        let link = side.link.take();
        self.state.send_replace(LinkState::Closed);
        actix::spawn(async move {
            if let Some(link) = link {
                link.close(positions, goodbye, linger).await;
            }
            for done in waiters {
                let _ = done.send(());
            }
        });
    }
}

impl Handler<FromNats> for Emitter {
    type Result = ();

    fn handle(&mut self, message: FromNats, ctx: &mut Context<Self>) {
        let Some(side) = self.nats() else { return };
        match message {
            FromNats::Up => {
                if let Some(link) = &side.link {
                    let server = link.server();
                    self.state.send_replace(LinkState::Up(Role::Client, server));
                }
            }
            FromNats::Down => {
                if side.link.is_some() && !side.closing {
                    self.state.send_replace(LinkState::Electing);
                }
            }
            FromNats::Stored { upto, reserved } => {
                side.settled(upto);
                self.shared.pending.release(reserved);
            }
            FromNats::NotStored { upto, reserved, events, cause } => {
                side.not_stored.0 += events;
                side.not_stored.1 = cause;
                side.settled(upto);
                Stats::add(&self.shared.stats.not_stored, events);
                self.shared.pending.release(reserved);
            }
            FromNats::Events(events) => return self.received(events, ctx),
            FromNats::Expired { missed } => {
                Stats::add(&self.shared.stats.gaps, missed);
                let data = serde_json::json!({ "sender": 0, "missed": missed, "expired": true });
                self.deliver_notice(LAGGED, data, ctx);
            }
            FromNats::Beacon(beacon) => {
                if let Some((topic, data)) = side.presence.heard(Instant::now(), beacon) {
                    self.deliver_notice(topic, data, ctx);
                }
            }
        }
        self.perform(ctx);
    }
}
