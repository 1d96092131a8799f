//! One node's protocol state, its inputs and its actions.
//!
//! Owns: the state every part of the core shares, the public inputs of the state machine, the
//! queue of [`Action`]s it answers with, and its timers (`poll_timeout` / `handle_timeout`). It
//! must not carry out any action itself, read a clock or hold a socket or an actor: the caller
//! passes `now` and performs what `poll_action` returns, in order.

use crate::announcer::OwnInterest;
use crate::claims::LossClaims;
use crate::election::Phase;
use crate::event::Event;
use crate::hashing::{Map, Set};
use crate::identity::{Bindings, NodeKey};
use crate::interest::Interests;
use crate::leaving::Owed;
use crate::membership::{Membership, Peer};
use crate::receiver::Receiver;
use crate::role::Role;
use crate::sender::Sender;
use crate::settings::{Settings, SlowConsumer};
use crate::stats::Stats;
use crate::wire::{Frame, Received};
use bytes::Bytes;
use bytestring::ByteString;
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A connection of the hub to one client, named by the transport (an NNG pipe id).
pub type ConnId = u64;

/// How long a receiver waits before asking again for the same missing events.
pub(super) const NACK_INTERVAL: Duration = Duration::from_millis(50);
/// How often a busy node repeats its acknowledgements: a lost one would otherwise stall a
/// sender whose window is full, since nothing new would come to acknowledge.
pub(super) const ACK_REFRESH: Duration = Duration::from_millis(50);
/// How long after its last events frame a node counts as busy (and repeats acknowledgements).
pub(super) const BUSY_FOR: Duration = Duration::from_secs(2);
/// How long a node that left is remembered: its interests still count (it may only be cut off
/// and come back owed what it listens to), and what it sent is still known, for this long.
/// After it, every trace of the node is dropped, so state does not grow with departed nodes.
pub(super) const DEPARTED_KEPT: Duration = Duration::from_secs(60);

/// The node's timers, by what each is for. None is stored apart from the state it belongs to:
/// each is read where it lives (the election phase, the sender, the node's own fields), so a
/// timer cannot disagree with its state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Timer {
    /// The election step's deadline: a dialed candidate that did not answer in time, or the end
    /// of the pause after no candidate could be opened.
    Election,
    /// Acknowledgements are repeated while busy: a lost one would otherwise stall a sender
    /// whose window is full.
    AckRefresh,
    /// The window of frames not yet held by every member has not moved for a while: the
    /// sender goes past it (under [`SlowConsumer::Evict`]).
    PastWindow,
    /// The liveness beat: a hello, and the checks of who went silent.
    Beat,
    /// A closing node stops lingering for the members it owes word of its events.
    Closing,
}

impl Timer {
    /// Every timer, in the order they run when several are due at once.
    const ALL: [Timer; 5] =
        [Timer::Election, Timer::AckRefresh, Timer::PastWindow, Timer::Beat, Timer::Closing];
}

/// What a successful `Open` of a candidate made of this node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenedAs {
    /// It bound the address.
    Hub,
    /// The address was taken: it dials it, and is a client once the hub's connection is up.
    Client,
}

/// Where a node stands, published to its handles. The core says `Failed(())`; the shell, which
/// knows why its last candidate could not be opened, fills in its own error (`F`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkState<F = ()> {
    /// Running the election: no link yet, or the last one was lost.
    Electing,
    /// Linked, in this role, on this candidate address.
    Up(Role, String),
    /// The first election failed: no candidate could be opened, and none ever was.
    Failed(F),
    /// Closed for good: it left the cluster and never elects again.
    Closed,
}

impl<F> LinkState<F> {
    /// The same state, with the failure `F` turned into `G`.
    pub fn map_failure<G>(self, failure: impl FnOnce(F) -> G) -> LinkState<G> {
        match self {
            LinkState::Electing => LinkState::Electing,
            LinkState::Up(role, address) => LinkState::Up(role, address),
            LinkState::Failed(why) => LinkState::Failed(failure(why)),
            LinkState::Closed => LinkState::Closed,
        }
    }
}

/// What the caller must do for the node, in the order given.
#[derive(Debug)]
pub enum Action {
    /// Bind `address` (this node becomes the hub) or, if it is taken, dial it; answer with
    /// [`Node::opened`] and tag every later report of that link with `attempt`.
    Open {
        /// Which election step this is.
        attempt: u64,
        /// The candidate address.
        address: String,
    },
    /// Send a frame on the link: a client's goes to the hub, the hub's to every client.
    Send(Bytes),
    /// The hub relays a client's frame to every client except the one it came from.
    Relay {
        /// The connection the frame came from.
        except: ConnId,
        /// The frame, as it came.
        frame: Bytes,
    },
    /// The hub sends a frame to one client only (an events frame cut to what it listens to).
    SendTo {
        /// The client's connection.
        to: ConnId,
        /// The frame.
        frame: Bytes,
    },
    /// Close one client's connection (the hub cuts off a slow or silent client).
    CutOff(ConnId),
    /// Hand an event to this node's matching listeners, in the order given. Report with
    /// [`Node::listeners_took`] the number of the last delivery every listener took: what this
    /// node acknowledges follows it.
    Deliver {
        /// The delivery's number: 1, 2, 3... on this node, one after the other.
        number: u64,
        /// The event.
        event: Event,
    },
    /// Ask whether a hub can be had at the more preferred candidate `index`; answer with
    /// [`Node::probe_answer`].
    Probe {
        /// The election step the answer belongs to.
        attempt: u64,
        /// The candidate's place among the candidates.
        index: usize,
        /// The candidate address.
        address: String,
    },
    /// Give back bytes the handles reserved under `max_pending_bytes`.
    Release(usize),
    /// The flush with this ticket is done: every member holds what was emitted before it.
    Flushed(u64),
    /// The node's state changed.
    State(LinkState),
    /// The link is beyond repair: drop it and restart (the actor crashes on purpose, its
    /// supervisor restarts it), then call [`Node::restarted`] and [`Node::start_election`].
    Crash(&'static str),
}

/// Deliveries handed out and how far listeners have taken them: acknowledgements follow what
/// listeners took, not what arrived, so a slow listener slows its senders (backpressure) instead
/// of stopping the node.
#[derive(Debug, Default)]
pub(super) struct Deliveries {
    /// Number of `Deliver` actions issued so far.
    pub(super) issued: u64,
    /// How far listeners took them, as last reported.
    pub(super) taken: u64,
    /// Per sender, the last sequence number admitted up to each delivery number, oldest first.
    pub(super) marks: VecDeque<(u64, u64, u64)>,
}

/// One node's protocol state machine. See the [crate docs](crate).
pub struct Node {
    /// What this node was configured with: who it is, its candidates, budgets and timers.
    pub(super) settings: Settings,
    /// This node's id, carried by every frame it sends.
    pub(super) id: u64,
    /// What proves this node's right to `id`: its first hello on each connection to a hub
    /// carries it, so that no other process can take the id while this node is not linked.
    pub(super) key: NodeKey,
    /// The keys, by hash, that other members' ids are bound to (see [`crate::identity`]): a hub
    /// refuses a first hello in a bound id without its key; a client keeps what its hub told,
    /// for the day it becomes the hub.
    pub(super) bindings: Bindings,
    /// This node's service name, shared by the events it delivers to itself (local echo) and
    /// its notices, so that each does not copy it.
    pub(super) service: ByteString,
    /// The counters the shell publishes (`stats()`): the core counts what it refused, dropped
    /// and sent where it happens.
    pub(super) stats: Arc<Stats>,
    /// What the caller has yet to do, in order.
    pub(super) actions: VecDeque<Action>,
    /// Where the election and the link stand.
    pub(super) phase: Phase,
    /// Tags the link of the current election step; reports of older links are ignored.
    pub(super) attempt: u64,
    /// Candidates that could not be opened in the current election.
    pub(super) failed_candidates: usize,
    /// The election epoch this node knows of: a hub of an older one is stale.
    pub(super) epoch: u64,
    /// Whether this node was ever linked (then it rejoins owed what it missed, and a new hub it
    /// becomes awaits the members of its old cluster).
    pub(super) ever_linked: bool,
    /// This node's own events.
    pub(super) sender: Sender,
    /// The latest sequence number of this node's own events that every member holds.
    pub(super) cluster_acked: u64,
    /// The latest sequence number of this node's own events that its own listeners took (local
    /// echo); `u64::MAX` without local echo.
    pub(super) own_taken: u64,
    /// Reservations of events no other node listens to, released once local listeners took
    /// them: (sequence number, bytes).
    pub(super) echo_held: VecDeque<(u64, usize)>,
    /// Events from other nodes.
    pub(super) receiver: Receiver,
    /// What each sender may still claim it lost of its own events (see [`LossClaims`]).
    pub(super) loss_claims: LossClaims,
    /// The deliveries handed to the shell and how far listeners took them: acknowledgements
    /// follow what listeners took, not what arrived.
    pub(super) deliveries: Deliveries,
    /// The peers this node heard from, for `peers()` and the `$peer.*` notices.
    pub(super) membership: Membership,
    /// The clients of the hub this node last heard, as the hub listed them (or, if this node was
    /// the hub, its own clients and those it still awaited): if this node takes over, it awaits
    /// them too, including those whose own hello it never heard.
    pub(super) hub_members: Set<u64>,
    /// What the other nodes listen to.
    pub(super) interests: Interests,
    /// This node's own patterns, and what it told the cluster of them.
    pub(super) own_interest: OwnInterest,
    /// Whether this node knows the interests of the cluster it joined (a client learns them from
    /// the hub after joining; until then it sends everything).
    pub(super) interests_complete: bool,
    /// When the current interval of re-sends on request began, and the lowest sequence number
    /// re-sent within it.
    pub(super) last_resend: Option<(Instant, u64)>,
    /// Nodes that left, and when: their traces are dropped after [`DEPARTED_KEPT`].
    pub(super) departed: Map<u64, Instant>,
    /// Members that went away without a goodbye and may come back lacking this node's events.
    pub(super) owed: Map<u64, Owed>,
    /// Set by `close` while the node lingers for members it owes word of its events.
    pub(super) closing_until: Option<Instant>,
    /// Flushes waiting: (last sequence number to be held by everyone, ticket).
    pub(super) flush_waiters: Vec<(u64, u64)>,
    /// The ticket the next flush gets: the shell answers `Flushed(ticket)` to its caller.
    pub(super) next_flush_ticket: u64,
    /// When the next liveness beat (hello, checks) is due, while linked.
    pub(super) next_beat: Option<Instant>,
    /// When acknowledgements are next repeated, while busy.
    pub(super) next_ack_refresh: Option<Instant>,
    /// Until when this node counts as busy (events arrived recently).
    pub(super) busy_until: Instant,
}

impl Node {
    /// A node of id `id`, which it proves with `key`, with these settings, not yet electing
    /// (call [`start_election`](Node::start_election)), counting into `stats`. A node that
    /// restarts keeps its id and its key.
    pub fn new(settings: Settings, id: u64, key: NodeKey, stats: Arc<Stats>, now: Instant) -> Node {
        Node {
            sender: Sender::new(
                id,
                &settings.service,
                settings.batch_bytes,
                settings.window,
                matches!(settings.slow_consumer, SlowConsumer::Evict(_)),
            ),
            service: ByteString::from(settings.service.as_str()),
            own_taken: if settings.local_echo { 0 } else { u64::MAX },
            settings,
            id,
            key,
            bindings: Bindings::default(),
            stats,
            actions: VecDeque::new(),
            phase: Phase::Idle,
            attempt: 0,
            failed_candidates: 0,
            epoch: 0,
            ever_linked: false,
            cluster_acked: 0,
            echo_held: VecDeque::new(),
            receiver: Receiver::default(),
            loss_claims: LossClaims::default(),
            deliveries: Deliveries::default(),
            membership: Membership::default(),
            hub_members: Set::default(),
            interests: Interests::default(),
            own_interest: OwnInterest::default(),
            interests_complete: false,
            last_resend: None,
            departed: Map::default(),
            owed: Map::default(),
            closing_until: None,
            flush_waiters: Vec::new(),
            next_flush_ticket: 0,
            next_beat: None,
            next_ack_refresh: None,
            busy_until: now,
        }
    }

    /// The next thing to do, if any.
    pub fn poll_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }

    pub(super) fn act(&mut self, action: Action) {
        self.actions.push_back(action);
    }

    /// A frame arrived on the link of `attempt`: from the hub (`from` is `None` on a client), or
    /// on the hub from the client connection `from`; the hub relays its bytes as they came.
    pub fn receive(
        &mut self,
        now: Instant,
        attempt: u64,
        from: Option<ConnId>,
        received: Received,
    ) {
        if attempt != self.attempt || !self.phase.is_open() {
            return;
        }
        let (frame, raw) = received.into_parts();
        if self.phase.is_dialing() {
            // The hub's frames can overtake the report of its connection.
            self.link_up(now);
        }
        match (self.phase.hub_mut(), from) {
            (Some(hub), Some(conn)) => {
                hub.relay.heard(conn, now);
                if !self.speaks_for_itself(conn, &frame) {
                    return;
                }
            }
            (None, _) => self.phase.heard_from_hub(now),
            (Some(_), None) => return,
        }
        match frame {
            Frame::Events(events) => self.receive_events(now, events, from, raw),
            Frame::Ack(ack) => self.receive_ack(now, ack, from),
            Frame::Hello(hello) => self.receive_hello(now, hello, from, raw),
            Frame::Nack(nack) => self.receive_nack(now, nack, from, raw),
            Frame::Left(left) => self.receive_left(now, left, from),
            Frame::Interest(interest) => self.receive_interest(interest, from, raw),
            Frame::Relayed(relayed) => self.receive_relayed(now, relayed, from),
        }
    }

    /// The caller's mailbox is drained: what arrived until now shares one frame, one
    /// acknowledgement. Sends what the windows allow and acknowledges what listeners took.
    pub fn caught_up(&mut self, now: Instant) {
        if !self.phase.is_linked() {
            return;
        }
        self.announce_interest(now);
        self.pump(now);
        self.send_acks(now);
    }

    /// The earliest time [`Node::handle_timeout`] has something to do.
    pub fn poll_timeout(&self) -> Option<Instant> {
        Timer::ALL.into_iter().filter_map(|timer| self.timer(timer)).min()
    }

    /// Runs what is due at `now`: each timer that expired, the election's first and the beat's
    /// last.
    pub fn handle_timeout(&mut self, now: Instant) {
        for timer in Timer::ALL {
            if self.timer(timer).is_some_and(|at| now >= at) {
                self.expire(timer, now);
            }
        }
        self.leave_if_done(now);
    }

    /// When `timer` is due, read from the state that owns it (so the two cannot disagree).
    fn timer(&self, timer: Timer) -> Option<Instant> {
        match timer {
            Timer::Election => self.phase.deadline(),
            Timer::AckRefresh => self.next_ack_refresh,
            Timer::PastWindow => self.sender.past_window_at().filter(|_| self.phase.is_linked()),
            Timer::Beat => self.next_beat,
            Timer::Closing => self.closing_until,
        }
    }

    /// Does what `timer`, due at `now`, is for.
    fn expire(&mut self, timer: Timer, now: Instant) {
        match timer {
            Timer::Election => self.election_deadline(now),
            Timer::AckRefresh => self.refresh_acks(now),
            Timer::PastWindow => self.pump(now),
            Timer::Beat => {
                let due = self.next_beat.unwrap_or(now);
                self.next_beat = Some(now + self.settings.liveness_interval);
                if now.duration_since(due) >= self.settings.liveness_interval {
                    // This node did not run for a while (frozen, swapped out, a stolen VM): the
                    // silence it would see is its own, not its peers'.
                    self.stalled(now);
                }
                self.beat(now);
            }
            // Leaving is checked after every timeout (`leave_if_done`), due or not.
            Timer::Closing => {}
        }
    }

    /// This node's patterns changed (listeners added or removed): `patterns` with their
    /// listener counts. Announced to the cluster once the caller caught up ([`Node::caught_up`]).
    /// From the first call on, [`Action::Deliver`] carries only events on topics they match
    /// (and notices); before it, every event.
    pub fn set_patterns(&mut self, patterns: Vec<(String, u32)>) {
        self.own_interest.set(patterns);
    }

    /// Listeners have taken every delivery numbered up to `delivered` (see [`Action::Deliver`]).
    pub fn listeners_took(&mut self, _now: Instant, delivered: u64) {
        self.deliveries.taken = self.deliveries.taken.max(delivered);
        self.take_marks();
    }

    /// Completes the marks of what listeners took (see [`Node::mark_delivered`]).
    fn take_marks(&mut self) {
        let mut own = None;
        while let Some(&(number, sender, seq)) = self.deliveries.marks.front() {
            if number > self.deliveries.taken {
                break;
            }
            self.deliveries.marks.pop_front();
            if sender == self.id {
                own = Some(seq);
            } else {
                self.receiver.taken(sender, seq);
                if let Some(hub) = self.phase.hub_mut() {
                    hub.relay.delivered_here(sender, seq);
                }
            }
        }
        if let Some(seq) = own {
            self.own_taken = self.own_taken.max(seq);
            self.release_echoed();
            self.apply_acks();
        }
    }

    /// Issues one delivery; `mark` is the (sender, sequence number) it completes, if any.
    pub(super) fn deliver(&mut self, event: Event, mark: Option<(u64, u64)>) {
        self.deliveries.issued += 1;
        self.act(Action::Deliver { number: self.deliveries.issued, event });
        if let Some((sender, seq)) = mark {
            // Taken with this very delivery.
            self.deliveries.marks.push_back((self.deliveries.issued, sender, seq));
        }
    }

    /// Records that `sender`'s events up to `seq` are taken once the deliveries issued so far
    /// are. A frame that issued none (no listener here wants its events) is taken at once if
    /// listeners hold nothing before it: waiting for a later delivery, which may never come,
    /// would leave it unacknowledged, stall its sender and get this node cut off as slow.
    pub(super) fn mark_delivered(&mut self, sender: u64, seq: u64) {
        self.deliveries.marks.push_back((self.deliveries.issued, sender, seq));
        self.take_marks();
    }

    /// The other nodes this node knows of.
    pub fn peers(&self) -> Vec<Peer> {
        self.membership.peers().into_iter().filter(|p| p.node != self.id).collect()
    }

    /// The number of listeners on other nodes an event on `topic` reaches, as announced here.
    pub fn listeners_elsewhere(&self, topic: &str) -> usize {
        self.interests.listener_count(topic)
    }

    /// Every pattern other nodes listen to, with their listener counts.
    pub fn topics_elsewhere(&self) -> Vec<(String, u32)> {
        self.interests.topics()
    }

    /// An event of this node on a reserved topic, never sent over the network.
    pub(super) fn notice(&self, topic: &'static str, data: serde_json::Value) -> Event {
        Event::notice(topic, self.service.clone(), self.id, &data)
    }
}
