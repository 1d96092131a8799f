//! This node's own events: accepting an emit (local echo, suppression), moving frames out as the
//! windows allow, re-sending, acknowledgements from the hub, and flush.
//!
//! Owns: the path from `emit` to the link and back to "every member holds it". It must not
//! decide what a received frame means, nor relay other nodes' frames (the hub side's).

use crate::event::{Codec, Event, Fields};
use crate::membership::hex;
use crate::node::{Action, ConnId, Node};
use crate::relay::SentFrame;
use crate::stats::Stats;
use crate::wire;
use bytes::Bytes;
use bytestring::ByteString;
use std::time::Instant;
use tracing::{debug, trace_span, warn};

impl Node {
    /// Hands one frame to the link, if it is up.
    pub(super) fn send(&mut self, frame: Vec<u8>) {
        self.send_frame(Bytes::from(frame));
    }

    /// The same, for a frame already in a shared buffer.
    pub(super) fn send_frame(&mut self, frame: Bytes) {
        if self.phase.is_linked() {
            Stats::add(&self.stats.frames_sent, 1);
            Stats::add(&self.stats.bytes_sent, frame.len() as u64);
            self.act(Action::Send(frame));
        }
    }

    /// The hub sends a frame to the client connection `to` only.
    pub(super) fn send_to(&mut self, to: ConnId, frame: Vec<u8>) {
        self.send_frame_to(to, Bytes::from(frame));
    }

    /// The same, for a frame already in a shared buffer.
    pub(super) fn send_frame_to(&mut self, to: ConnId, frame: Bytes) {
        Stats::add(&self.stats.frames_sent, 1);
        Stats::add(&self.stats.bytes_sent, frame.len() as u64);
        self.act(Action::SendTo { to, frame });
    }

    /// Accepts one emitted event: it gets the next sequence number, goes to local listeners
    /// (local echo) and, if another node may listen to its topic, into the frame being filled.
    /// `reserved`: the bytes its handle reserved under `max_pending_bytes`. Returns the event's
    /// sequence number, or `None` if it was dropped (too large for a frame, or the node closed).
    pub fn emit(
        &mut self,
        topic: &str,
        codec: Codec,
        payload: &[u8],
        reserved: usize,
    ) -> Option<u64> {
        if self.is_closed() {
            self.act(Action::Release(reserved));
            return None;
        }
        let size = wire::event_wire_size(topic, payload);
        // The shells check this before they reserve; the core checks again, whatever its shell
        // did, so that it never makes a frame its peers refuse.
        if size > self.settings.max_event_size() {
            Stats::add(&self.stats.dropped, 1);
            self.act(Action::Release(reserved));
            warn!(%topic, size, "dropped an event larger than max_frame_size");
            return None;
        }
        let seq = if self.others_listen(topic) {
            match self.sender.push(codec, topic, payload, reserved) {
                Ok(seq) => seq,
                Err(error) => {
                    Stats::add(&self.stats.dropped, 1);
                    self.act(Action::Release(reserved));
                    warn!(%error, "dropped an event the wire format cannot carry");
                    return None;
                }
            }
        } else {
            Stats::add(&self.stats.suppressed, 1);
            let seq = self.sender.skip();
            if self.settings.local_echo {
                self.echo_held.push_back((seq, reserved));
            } else {
                self.act(Action::Release(reserved));
            }
            seq
        };
        Stats::add(&self.stats.emitted, 1);
        let _emitting = trace_span!("emit", sender = %hex(self.id), seq, %topic).entered();
        if self.settings.local_echo && self.own_interest.wants(topic) {
            let event = Event::new(Fields {
                topic: ByteString::from(topic),
                service: self.service.clone(),
                node: self.id,
                seq,
                codec,
                payload: Bytes::copy_from_slice(payload),
            });
            self.deliver(event, Some((self.id, seq)));
        } else if self.settings.local_echo {
            // No listener here wants it: taken once every delivery issued before it is.
            self.mark_delivered(self.id, seq);
        }
        Some(seq)
    }

    /// Whether some other node may listen to `topic`. When in doubt (no link, the cluster's
    /// interests not learned yet, a peer that has not announced its own), yes.
    fn others_listen(&self, topic: &str) -> bool {
        if !self.settings.interest_routing || !self.phase.is_linked() || !self.interests_complete {
            return true;
        }
        if self.membership.nodes().any(|node| node != self.id && !self.interests.knows(node)) {
            return true;
        }
        self.interests.wanted_by_other_than(self.id, topic)
    }

    /// Moves frames out as far as the windows allow: the hub's relay queue first, then this
    /// node's own events. The hub takes its own frames at once; its own frames sent again go
    /// only to the clients that lack them.
    pub(super) fn pump(&mut self, now: Instant) {
        if !self.phase.is_linked() {
            return;
        }
        self.relay_queued(now);
        let mut sends = Vec::new();
        let (mut resent, mut past_window, mut bytes) = (0, 0, 0);
        let node = self.id;
        match self.phase.hub_mut() {
            Some(hub) => loop {
                let sent = self.sender.send_waiting(now, |out| {
                    if out.again {
                        hub.relay.resent(node, out.last_seq, out.retained_from);
                        let frame = out.bytes.clone();
                        for (to, _) in hub.relay.clients_lacking(None, node, out.last_seq) {
                            bytes += frame.len() as u64;
                            sends.push(Action::SendTo { to, frame: frame.clone() });
                        }
                        resent += 1;
                        return true;
                    }
                    if !hub.relay.has_room() {
                        return false;
                    }
                    let frame = SentFrame {
                        sender: node,
                        last_seq: out.last_seq,
                        retained_from: out.retained_from,
                        bytes: out.bytes.len() as u64,
                    };
                    hub.relay.sent(None, frame, now);
                    past_window += u64::from(out.past_window);
                    bytes += out.bytes.len() as u64;
                    sends.push(Action::Send(out.bytes.clone()));
                    true
                });
                self.sender.all_taken();
                if sent == 0 {
                    break;
                }
            },
            None => {
                self.sender.send_waiting(now, |out| {
                    resent += u64::from(out.again);
                    past_window += u64::from(out.past_window);
                    bytes += out.bytes.len() as u64;
                    sends.push(Action::Send(out.bytes.clone()));
                    true
                });
            }
        }
        Stats::add(&self.stats.resent, resent);
        Stats::add(&self.stats.past_window, past_window);
        Stats::add(&self.stats.frames_sent, sends.len() as u64);
        Stats::add(&self.stats.bytes_sent, bytes);
        for send in sends {
            self.act(send);
        }
    }

    /// Sends again, through the window, the frames in flight whose last sequence number is in
    /// `last_seqs`.
    pub(super) fn resend(&mut self, now: Instant, last_seqs: std::ops::Range<u64>) {
        if self.sender.resend(last_seqs) > 0 {
            self.pump(now);
        }
    }

    /// The hub says every member holds this node's events up to `seq`.
    pub(super) fn acknowledged(&mut self, seq: u64) {
        debug!(seq, "acknowledged by every member");
        self.cluster_acked = self.cluster_acked.max(seq);
        self.apply_acks();
    }

    /// Forgets what every member, this node's own listeners included, holds, and resolves the
    /// flushes it completes.
    pub(super) fn apply_acks(&mut self) {
        let released = self.sender.ack(self.cluster_acked.min(self.own_taken));
        if released > 0 {
            self.act(Action::Release(released));
        }
        let acked = self.sender.acked();
        let (done, waiting): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.flush_waiters).into_iter().partition(|(s, _)| *s <= acked);
        self.flush_waiters = waiting;
        for (_, ticket) in done {
            self.act(Action::Flushed(ticket));
        }
    }

    /// Releases the reservations of unsent events that local listeners took.
    pub(super) fn release_echoed(&mut self) {
        let mut released = 0;
        while self.echo_held.front().is_some_and(|(seq, _)| *seq <= self.own_taken) {
            released += self.echo_held.pop_front().map_or(0, |(_, bytes)| bytes);
        }
        if released > 0 {
            self.act(Action::Release(released));
        }
    }

    /// Starts a flush of everything emitted so far. Returns `None` if it is already done, else
    /// the ticket of the [`Action::Flushed`] that will say so.
    pub fn flush(&mut self, now: Instant) -> Option<u64> {
        self.sender.seal();
        self.caught_up(now);
        let target = self.sender.last_framed();
        if target <= self.sender.acked() {
            return None;
        }
        Stats::add(&self.stats.flush_waits, 1);
        self.next_flush_ticket += 1;
        self.flush_waiters.push((target, self.next_flush_ticket));
        Some(self.next_flush_ticket)
    }
}
