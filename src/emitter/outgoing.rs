//! What the emitter sends: accepting emitted events (local echo, suppression), frames through
//! the windows, hellos, acknowledgements, interest announcements, re-sends. It must not decide
//! what a received frame means.
use super::*;

impl Emitter {
    pub(super) fn send_frame(&self, bytes: &[u8]) -> bool {
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
    pub(super) fn send_hello(&self, joining: Joining) {
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
    pub(super) fn resend_from(&mut self, from_seq: u64) {
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
    pub(super) fn pump(&mut self) {
        let Some(link) = self.link.as_ref().filter(|_| self.linked) else {
            return;
        };
        let stats = &self.shared.stats;
        let now = Instant::now();
        match self.hub.as_mut() {
            Some(hub) => {
                while let Some(queued) = hub.next_relay() {
                    let Queued { origin, sender, last_seq, retained_from, message } = queued;
                    let routing = self.config.interest_routing;
                    relay_routed(link, hub, &self.interests, routing, stats, origin, message);
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
    pub(super) fn schedule_work(&mut self, ctx: &mut Context<Self>) {
        if !self.work_scheduled {
            self.work_scheduled = true;
            ctx.notify(Work);
        }
    }

    pub(super) fn send_acks(&mut self) {
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
    pub(super) fn acknowledged(&mut self, seq: u64) {
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
    pub(super) fn refresh_acks(&mut self) {
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

    pub(super) fn accept(&mut self, emit: Emit, ctx: &mut Context<Self>) {
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
    pub(super) fn others_listen(&self, topic: &str) -> bool {
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
    pub(super) fn announce_interest(&mut self) {
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

    pub(super) fn emit_heartbeat(&mut self, ctx: &mut Context<Self>) {
        let data = serde_json::json!({ "service": self.config.service });
        match Emit::encoded(HEARTBEAT_TOPIC, Codec::Json, &data) {
            Ok(emit) => self.accept(emit, ctx),
            Err(error) => error!(%error, "cannot encode the heartbeat"),
        }
    }

    /// Pauses this actor until full listener mailboxes took their events, in order: a slow
    /// listener slows this node's acknowledgements, and so its senders, instead of piling up.
    pub(super) fn wait_for(&mut self, blocked: Blocked, ctx: &mut Context<Self>) {
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
}
