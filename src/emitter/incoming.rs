//! What the emitter does with received frames: events admitted exactly once and handed to
//! listeners, the hub's relaying of clients' frames, acknowledgements, hellos, interests. It must
//! not send events of its own.
use super::*;

impl Emitter {
    pub(super) fn receive(&mut self, received: Received, ctx: &mut Context<Self>) {
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

    pub(super) fn receive_events(
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
                crate::topic::LAGGED,
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
    pub(super) fn relay(&mut self, origin: Pipe, relay: Relay) {
        let Some(hub) = self.hub.as_mut() else { return };
        let (sender, last_seq) = (relay.frame.node, relay.frame.covers_to);
        let retained_from = relay.frame.retained_from;
        let queued = Queued { origin, sender, last_seq, retained_from, message: relay };
        let (Some(repair), Some(link)) = (hub.receive(queued), self.link.as_ref()) else { return };
        let (routing, stats) = (self.config.interest_routing, &self.shared.stats);
        if relay_routed(link, hub, &self.interests, routing, stats, origin, repair.message) {
            hub.resent(sender, last_seq, retained_from);
        }
    }

    pub(super) fn ask_again(&mut self, sender: u64, from_seq: Option<u64>) {
        let Some(from_seq) = from_seq else { return };
        debug!(sender = %membership::hex(sender), from_seq, "asking for missing events");
        Stats::add(&self.shared.stats.nacks, 1);
        self.send_frame(&Nack { node: self.node, sender, from_seq }.encode());
    }

    pub(super) fn receive_ack(&mut self, ack: Ack, from: Option<Pipe>) {
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

    pub(super) fn receive_hello(
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

    pub(super) fn receive_interest(&mut self, interest: Interest, message: Option<nng::Message>) {
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
    pub(super) fn tell_interests(&mut self) {
        let known: Vec<Vec<u8>> = self.interests.all().map(Interest::encode).collect();
        for frame in known {
            self.send_frame(&frame);
        }
        self.announced = None;
        self.announce_interest();
    }
}
