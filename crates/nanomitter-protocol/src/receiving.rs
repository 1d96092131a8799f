//! Events from other nodes: admission exactly once and in order, delivery, acknowledgements,
//! re-send requests, and notices of events lost for good.
//!
//! Owns: what a node does with an events, ack or nack frame as a member (the hub is a member
//! too). It must not relay (the hub side does, called from here) nor send this node's own events
//! except as a re-send asked for.

use crate::membership::{self, LAGGED};
use crate::node::{Action, ConnId, Node, ACK_REFRESH, BUSY_FOR, NACK_INTERVAL};
use crate::receiver::Admit;
use crate::routing::RelayFrame;
use crate::stats::Stats;
use crate::wire::{self, Ack, Nack, Relayed};
use bytes::Bytes;
use std::time::Instant;
use tracing::{debug, warn};

impl Node {
    pub(super) fn receive_events(
        &mut self,
        now: Instant,
        frame: wire::Events,
        from: Option<ConnId>,
        raw: Bytes,
    ) {
        if frame.node == self.id {
            return;
        }
        if let Some(early) = self.phase.client_mut().and_then(|c| c.before_hub_hello.as_mut()) {
            early.push(frame);
            return;
        }
        self.admit(now, &frame);
        if let Some(origin) = from {
            self.relay(now, origin, RelayFrame { raw, frame });
        }
    }

    /// Admits a frame's events for local listeners, exactly once and in order.
    pub(super) fn admit(&mut self, now: Instant, frame: &wire::Events) {
        let sender = frame.node;
        self.loss_claims.heard(sender, now);
        self.busy_until = now + BUSY_FOR;
        if self.next_ack_refresh.is_none() {
            self.next_ack_refresh = Some(now + ACK_REFRESH);
        }
        let covers = frame.covers_from..=frame.covers_to;
        let (lost, admit) = self.receiver.frame(sender, frame.retained_from, covers);
        if let Some(lost) = lost {
            self.lagged(now, sender, lost);
        }
        match admit {
            Admit::Deliver { after } => {
                let mut received = 0;
                let wanted = frame.events.wanted(|topic| self.own_interest.wants(topic));
                for (event, wanted) in frame.events.iter().zip(wanted) {
                    if event.seq <= after {
                        continue;
                    }
                    received += 1;
                    if wanted {
                        self.deliver(frame.event(&event), None);
                    }
                }
                self.mark_delivered(sender, frame.covers_to.max(after));
                Stats::add(&self.stats.events_received, received);
                Stats::add(&self.stats.duplicates, frame.events.len() as u64 - received);
            }
            Admit::Gap => {
                let from_seq = self.receiver.nack_due(sender, now, NACK_INTERVAL);
                self.ask_again(sender, from_seq);
            }
        }
    }

    /// Events of `sender` numbered `lost` were lost for good: tell every listener. Unless the
    /// sender cannot have sent that many (see [`LossClaims`](crate::claims::LossClaims)): then
    /// the claim is counted as over a budget, and this node moves past them all the same, so
    /// that a sender's word never holds its receivers back.
    pub(super) fn lagged(
        &mut self,
        now: Instant,
        sender: u64,
        lost: std::ops::RangeInclusive<u64>,
    ) {
        let missed = lost.end() - lost.start() + 1;
        if !self.loss_claims.fits(sender, missed, now) {
            Stats::add(&self.stats.over_budget, 1);
            debug!(sender = %membership::hex(sender), missed, "a loss claimed past what the sender can have sent");
            self.mark_delivered(sender, *lost.end());
            return;
        }
        Stats::add(&self.stats.gaps, missed);
        Stats::add(&self.stats.lagged_notices, 1);
        warn!(sender = %membership::hex(sender), missed, "events were lost for good");
        let data = serde_json::json!({
            "sender": membership::hex(sender),
            "missed": missed,
            "from": lost.start(),
            "to": lost.end(),
        });
        let notice = self.notice(LAGGED, data);
        self.deliver(notice, Some((sender, *lost.end())));
    }

    /// Re-sends this node's frames from `from_seq` on, each at most once per [`NACK_INTERVAL`]:
    /// several members missing the same frame each ask, and within one interval only what no
    /// re-send covered yet goes out, so however many requests come (in any order), one
    /// interval re-sends at most the window. (A member that asks again after the interval is
    /// answered: a re-send it missed, joining later, does not hold it back for long.)
    pub(super) fn resend_on_request(&mut self, now: Instant, from_seq: u64) {
        let (since, covered_from) = match self.last_resend {
            Some((at, from)) if now.duration_since(at) < NACK_INTERVAL => (at, from),
            _ => (now, u64::MAX),
        };
        if from_seq < covered_from {
            self.last_resend = Some((since, from_seq));
            self.resend(now, from_seq..covered_from);
        }
    }

    pub(super) fn ask_again(&mut self, sender: u64, from_seq: Option<u64>) {
        let Some(from_seq) = from_seq else { return };
        debug!(sender = %membership::hex(sender), from_seq, "asking for missing events");
        Stats::add(&self.stats.nacks, 1);
        self.send(Nack { node: self.id, sender, from_seq }.encode());
    }

    /// A request to re-send: this node's own events go out again (see
    /// [`Node::resend_on_request`]); the hub passes others' on to their sender only, and drops
    /// a client's requests that come faster than a member asks, or again before the client
    /// took anything of the last answer (counted as `throttled`, see
    /// [`Relay::nack_allowed`](crate::relay::Relay::nack_allowed)).
    pub(super) fn receive_nack(
        &mut self,
        now: Instant,
        nack: Nack,
        from: Option<ConnId>,
        raw: Bytes,
    ) {
        if let (Some(hub), Some(origin)) = (self.phase.hub_mut(), from) {
            let (every, patience) = (NACK_INTERVAL / 2, self.settings.liveness_interval);
            if !hub.relay.nack_allowed(origin, nack.sender, now, (every, patience)) {
                Stats::add(&self.stats.throttled, 1);
                return;
            }
            if nack.sender != self.id {
                // A sender that is not connected here has nothing to answer with.
                if let Some(to) = hub.relay.conn_of(nack.sender).filter(|to| *to != origin) {
                    self.act(Action::SendTo { to, frame: raw });
                }
                return;
            }
        }
        if nack.sender == self.id {
            if self.phase.hub().is_none() && self.membership.hub() == Some(nack.node) {
                self.sender.lost_on_the_way(nack.from_seq);
            }
            self.resend_on_request(now, nack.from_seq);
        }
    }

    pub(super) fn receive_ack(&mut self, now: Instant, ack: Ack, from: Option<ConnId>) {
        match (self.phase.hub_mut(), from) {
            (Some(hub), Some(conn)) => hub.relay.acked(conn, &ack.acks, now),
            (None, None) if ack.epoch >= self.epoch => {
                if let Some(&(_, seq)) = ack.acks.iter().find(|(sender, _)| *sender == self.id) {
                    self.acknowledged(seq);
                }
            }
            _ => return,
        }
        self.pump(now);
    }

    /// The hub took this node's events frames: room in its window. Counts are per connection,
    /// so only the hub of the current link and epoch speaks for them.
    pub(super) fn receive_relayed(&mut self, now: Instant, relayed: Relayed, from: Option<ConnId>) {
        if from.is_none() && self.phase.client_mut().is_some() && relayed.epoch >= self.epoch {
            self.sender.taken_by_hub(relayed.frames);
            self.pump(now);
        }
    }

    /// Acknowledges what moved: a client what its listeners took; the hub, to every sender,
    /// what every member holds (and, to each, how many of its frames it took). Returns whether
    /// any acknowledgement had moved.
    pub(super) fn send_acks(&mut self, now: Instant) -> bool {
        self.tell_taken(false);
        let acks = match self.phase.hub_mut() {
            Some(hub) => hub.relay.take_upstream_acks(now),
            None => self.receiver.take_new_acks(),
        };
        if acks.is_empty() {
            return false;
        }
        if self.phase.hub().is_some() {
            if let Some(&(_, seq)) = acks.iter().find(|(sender, _)| *sender == self.id) {
                self.acknowledged(seq);
            }
        }
        self.send(Ack { node: self.id, epoch: self.epoch, acks }.encode());
        true
    }

    /// Repeats this node's acknowledgements while it is busy (see [`ACK_REFRESH`]): what moved
    /// if anything did, else all of them, in case one was lost.
    pub(super) fn refresh_acks(&mut self, now: Instant) {
        if now > self.busy_until || !self.phase.is_linked() {
            self.next_ack_refresh = None;
            return;
        }
        self.next_ack_refresh = Some(now + ACK_REFRESH);
        self.cut_off_laggards(now);
        self.tell_taken(true);
        if self.send_acks(now) {
            return;
        }
        let acks = match self.phase.hub() {
            Some(hub) => hub.relay.acked_upstream(),
            None => self.receiver.taken_all(),
        };
        if !acks.is_empty() {
            self.send(Ack { node: self.id, epoch: self.epoch, acks }.encode());
        }
    }
}
