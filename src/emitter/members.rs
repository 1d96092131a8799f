//! Membership as the emitter keeps it: notices on reserved topics, peers leaving, the hub
//! losing a client, and the periodic liveness checks.
use super::*;

impl Emitter {
    /// An event from this node on a reserved topic, never sent over the network.
    pub(super) fn notice(&self, topic: &'static str, data: serde_json::Value) -> DistributedEvent {
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
    pub(super) fn peer_left(&mut self, node: u64, reason: LeftReason) {
        self.interests.depart(node, Instant::now());
        let change = self.membership.left(node, reason);
        self.member_change(change);
    }

    pub(super) fn member_change(&mut self, change: Option<Change>) {
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

    pub(super) fn peer_down(&mut self, pipe: Pipe, ctx: &mut Context<Self>) {
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

    pub(super) fn tick(&mut self, ctx: &mut Context<Self>) {
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
