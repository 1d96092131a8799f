//! What only the hub does: relaying clients' frames (at once, or through its window when it
//! waits for slow clients; routed by interest), telling each client how many of its frames it
//! took, clients connecting and going, goodbyes, cutting off slow, lagging or silent clients, and
//! giving up on members of the previous cluster that did not come back.
//!
//! Owns: the glue between the node and its [`Relay`](crate::relay::Relay) state. It must not
//! admit events for local listeners (the receiving side does) nor send this node's own events.

use crate::identity::Claim;
use crate::membership;
use crate::node::{Action, ConnId, Node, DEPARTED_KEPT};
use crate::relay::{Queued, SentFrame};
use crate::routing::{route, RelayFrame};
use crate::sender::RETAINED_PER_WINDOW;
use crate::settings::SlowConsumer;
use crate::stats::{EvictionReason, Stats};
use crate::wire::{Frame, Hello, Joining, Left, LeftReason, Proof, Relayed};
use std::time::{Duration, Instant};
use tracing::{debug, trace_span, warn};

/// The shortest time between two hellos of one member that the hub takes. A member beats once
/// per its own liveness interval, which the hub does not know (each node has its own setting),
/// so this is a floor no sensible interval goes below: what comes faster is a flood, and relaying
/// it would multiply it by the number of members.
const MIN_HELLO_GAP: Duration = Duration::from_millis(10);

impl Node {
    /// Whether a frame from the client connection `conn` speaks only for the node that
    /// connection introduced itself as in its first hello: a member cannot pass for another node
    /// (its events, acknowledgements, requests, interests or goodbye) nor for a hub. Anything
    /// else is dropped and counted.
    pub(super) fn speaks_for_itself(&mut self, conn: ConnId, frame: &Frame) -> bool {
        let Some(hub) = self.phase.hub() else { return true };
        let claimed = match frame {
            Frame::Hello(hello) if hello.hub => None,
            Frame::Hello(hello) => Some(hello.node),
            Frame::Events(events) => Some(events.node),
            Frame::Ack(ack) => Some(ack.node),
            Frame::Nack(nack) => Some(nack.node),
            Frame::Interest(interest) => Some(interest.node),
            Frame::Left(left) => Some(left.node),
            Frame::Relayed(_) => None,
        };
        let honest = match (hub.relay.node_of(conn), claimed) {
            (Some(bound), Some(claimed)) => bound == claimed,
            // A connection's first frame is its hello, which binds it to a node id.
            (None, Some(_)) => matches!(frame, Frame::Hello(_)),
            (_, None) => false,
        };
        if !honest {
            Stats::add(&self.stats.impersonations, 1);
            debug!(conn, "dropped a frame a member sent in another's name");
        }
        honest
    }

    /// The hub queues a client's events frame (behind its window, when it has one), or relays a
    /// repair at once.
    pub(super) fn relay(&mut self, now: Instant, origin: ConnId, frame: RelayFrame) {
        let Some(hub) = self.phase.hub_mut() else { return };
        let (sender, last_seq) = (frame.frame.node, frame.frame.covers_to);
        let retained_from = frame.frame.retained_from;
        let queued = Queued { origin, sender, last_seq, retained_from, message: frame };
        if let Some(repair) = hub.relay.receive(queued) {
            self.relay_routed(origin, repair.message, true);
            if let Some(hub) = self.phase.hub_mut() {
                hub.relay.resent(sender, last_seq, retained_from);
            }
        }
        self.pump(now);
    }

    /// Relays what the window lets through from the queue.
    pub(super) fn relay_queued(&mut self, now: Instant) {
        while let Some(queued) = self.phase.hub_mut().and_then(|hub| hub.relay.next_relay()) {
            let Queued { origin, sender, last_seq, retained_from, message } = queued;
            let bytes = message.raw.len() as u64;
            self.relay_routed(origin, message, false);
            if let Some(hub) = self.phase.hub_mut() {
                let frame = SentFrame { sender, last_seq, retained_from, bytes };
                hub.relay.sent(Some(origin), frame, now);
            }
        }
    }

    /// Relays a client's frame to the other clients, to each only the events it listens to (as
    /// it came to all of them when routing is off), and counts it. A `repair` (a frame relayed
    /// before, sent again) goes only to the clients that do not hold it yet: one client's loss
    /// costs that client's connection, not every member's.
    fn relay_routed(&mut self, origin: ConnId, frame: RelayFrame, repair: bool) {
        let Some(hub) = self.phase.hub() else { return };
        let events = &frame.frame;
        let _relaying = trace_span!(
            "relay",
            sender = %membership::hex(events.node),
            seq_from = events.covers_from,
            seq_to = events.covers_to,
            repair
        )
        .entered();
        Stats::add(&self.stats.relayed, 1);
        let routing = self.settings.interest_routing;
        if !routing && !repair {
            Stats::add(&self.stats.relayed_bytes, frame.raw.len() as u64);
            self.act(Action::Relay { except: origin, frame: frame.raw });
            return;
        }
        let targets = if repair {
            hub.relay.clients_lacking(Some(origin), frame.frame.node, frame.frame.covers_to)
        } else {
            hub.relay.clients_except(origin)
        };
        let mut sends = Vec::new();
        for (conn, node) in targets {
            let (bytes, left_out) = route(node.filter(|_| routing), &self.interests, &frame);
            Stats::add(&self.stats.filtered, left_out);
            Stats::add(&self.stats.relayed_bytes, bytes.len() as u64);
            sends.push(Action::SendTo { to: conn, frame: bytes });
        }
        for send in sends {
            self.act(send);
        }
    }

    /// Whether the hub takes a client's hello, on `conn`. It refuses (drops, and counts):
    /// - a first hello in the hub's own name, without a key, or in an id bound to another key
    ///   (see [`crate::identity`]): an impostor's, whose connection is closed. A first hello
    ///   with the key binds the id to it; a member back on a new connection while its old one
    ///   is still open (the hub did not notice it closing) proved it is the same, and the old
    ///   one is closed instead.
    /// - a joining hello that is not the connection's first: only a first one joins, and a
    ///   flood of joining hellos would make every member re-send its window for each;
    /// - a hello that comes within [`MIN_HELLO_GAP`] of the connection's previous one (counted
    ///   as `throttled`);
    /// - an epoch further ahead than elections can go (see [`Node::epoch_within_reach`]).
    pub(super) fn admits_hello(&mut self, now: Instant, conn: ConnId, hello: &Hello) -> bool {
        let own_id = self.id;
        if !self.epoch_within_reach(hello.epoch) {
            Stats::add(&self.stats.malformed, 1);
            return false;
        }
        let Some(hub) = self.phase.hub_mut() else { return false };
        let beat_too_soon =
            hub.relay.last_hello(conn).is_some_and(|at| now.duration_since(at) < MIN_HELLO_GAP);
        match hub.relay.node_of(conn) {
            None => {
                let proven = match hello.proof {
                    Proof::Key(key) if hello.node != own_id => {
                        let key_hash = key.hash();
                        let claim = self.bindings.claim(hello.node, key_hash, now);
                        (claim != Claim::Refused).then_some(key_hash)
                    }
                    _ => None,
                };
                let Some(key_hash) = proven else {
                    Stats::add(&self.stats.impersonations, 1);
                    debug!(conn, node = %membership::hex(hello.node), "closing a connection that introduced itself as another node");
                    self.act(Action::CutOff(conn));
                    return false;
                };
                self.bindings.bind(hello.node, key_hash);
                if let Some(old) = hub.relay.conn_of(hello.node) {
                    debug!(old, conn, "a member came back on a new connection");
                    self.cut_off_client(old, LeftReason::Closed);
                }
                true
            }
            Some(_) if hello.joining != Joining::No => {
                Stats::add(&self.stats.malformed, 1);
                false
            }
            Some(_) if beat_too_soon => {
                Stats::add(&self.stats.throttled, 1);
                false
            }
            Some(_) => true,
        }
    }

    /// Cuts off the clients that take nothing and fell too far behind to be kept for (see
    /// [`Relay::lagging`](crate::relay::Relay::lagging)): half of what a sender retains
    /// (`window` x [`RETAINED_PER_WINDOW`] frames, `max_pending_bytes`), so that they go before
    /// their senders must make new events wait. Taking nothing: their acknowledgements did not
    /// move for a liveness interval (a member acknowledges what its listeners took at least
    /// every [`ACK_REFRESH`](crate::node::ACK_REFRESH) while busy).
    pub(super) fn cut_off_laggards(&mut self, now: Instant) {
        let stuck_after = self.settings.liveness_interval;
        let max_frames = (self.settings.window * RETAINED_PER_WINDOW / 2) as u64;
        let max_bytes = self.settings.max_pending_bytes as u64 / 2;
        let Some(hub) = self.phase.hub_mut() else { return };
        let laggards = hub.relay.lagging(now, stuck_after, max_frames, max_bytes);
        for (conn, node) in laggards {
            self.evict(conn, node, EvictionReason::Behind);
        }
    }

    /// Cuts a client off as slow or silent: said once as a warning with `why`, and counted.
    fn evict(&mut self, conn: ConnId, node: Option<u64>, why: EvictionReason) {
        warn!(node = ?node.map(membership::hex), why = why.name(), "cutting off a client");
        self.stats.evicted(why);
        let reason =
            if why == EvictionReason::Silent { LeftReason::Silent } else { LeftReason::Evicted };
        self.cut_off_client(conn, reason);
    }

    /// Closes a client's connection for `reason`: the relay knows it is going (nothing more is
    /// told or relayed to it), and the link closes it.
    fn cut_off_client(&mut self, conn: ConnId, reason: LeftReason) {
        if let Some(hub) = self.phase.hub_mut() {
            hub.relay.cut_off(conn, reason);
        }
        self.act(Action::CutOff(conn));
    }

    /// Tells clients how many of their events frames the hub took (see
    /// [`crate::wire::Relayed`]): `all`, every count that moved; else only those that moved by
    /// half a window or more. A sender needs the count only while its frames on their way fill
    /// its window (past a window that does not move, or sending again), and the rest is told at
    /// the next acknowledgement refresh, within [`ACK_REFRESH`](crate::node::ACK_REFRESH) while
    /// frames keep coming: a frame per client per drained mailbox would cost the hub more than
    /// the frames it relays.
    pub(super) fn tell_taken(&mut self, all: bool) {
        let at_least = if all { 1 } else { self.settings.window.div_ceil(2) as u64 };
        let (node, epoch) = (self.id, self.epoch);
        let Some(hub) = self.phase.hub_mut() else { return };
        for (conn, frames) in hub.relay.take_taken_news(at_least) {
            self.send_to(conn, Relayed { node, epoch, frames }.encode());
        }
    }

    /// A client's connection closed.
    pub(super) fn client_gone(&mut self, now: Instant, conn: ConnId) {
        let Some(hub) = self.phase.hub_mut() else { return };
        let Some((node, reason)) = hub.relay.disconnected(conn, now) else {
            self.pump(now);
            return;
        };
        debug!(node = %membership::hex(node), ?reason, "a client is gone");
        // However it went, its id stays its own as long as the cluster remembers it.
        if !self.bindings.went(node, now + DEPARTED_KEPT) {
            Stats::add(&self.stats.over_budget, 1);
        }
        self.send(Left { epoch: self.epoch, node, reason }.encode());
        self.peer_left(now, node, reason);
        self.pump(now);
    }

    /// A client says goodbye (`left.node` is the one it introduced itself as), on its
    /// connection or, when its connection closed first, after it.
    pub(super) fn client_leaving(&mut self, now: Instant, left: Left, from: ConnId) {
        let Some(hub) = self.phase.hub_mut() else { return };
        if hub.relay.goodbye(from, left.node) {
            // Its connection had closed first, so it was awaited: senders need not keep its
            // events any longer.
            self.pump(now);
            self.send_acks(now);
        }
    }

    /// The hub's share of the liveness beat: cut off clients that are too slow or silent, and
    /// give up on members of the previous cluster that did not come back in time.
    pub(super) fn hub_beat(&mut self, now: Instant) {
        self.probe_preferred();
        let evict_after = match self.settings.slow_consumer {
            SlowConsumer::Wait => None,
            SlowConsumer::Evict(after) => Some(after),
        };
        let silent_after = self.settings.liveness_interval * 3;
        let Some(hub) = self.phase.hub_mut() else { return };
        let overdue = hub.relay.overdue(now, evict_after, silent_after);
        let missing = hub.relay.take_missing(now);
        for (conn, node, why) in overdue {
            self.evict(conn, node, why);
        }
        for node in missing {
            self.send(Left { epoch: self.epoch, node, reason: LeftReason::Silent }.encode());
            self.peer_left(now, node, LeftReason::Silent);
        }
        self.cut_off_laggards(now);
        self.tell_taken(true);
        self.pump(now);
        self.send_acks(now);
    }
}
