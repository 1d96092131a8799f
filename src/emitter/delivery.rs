//! Handing events to listener mailboxes, in order, without ever pausing the emitter actor.
//!
//! Owns: the deliveries the core issued and not yet taken by every listener, and how far
//! listeners have taken them. An event goes at once to every listener whose mailbox has room;
//! when one is full, a task of its own waits for room and the events after it queue here, in
//! order, so every listener sees events in the order issued. The core acknowledges only what
//! listeners took, so a slow listener slows its senders (backpressure) while this node keeps its
//! liveness beat and its election. The queue is bounded by the protocol: senders stop at their
//! windows while this node does not acknowledge. It must not decide what to deliver (the core
//! does) nor which listeners match (the registry does).

use super::Emitter;
use crate::event::DistributedEvent;
use crate::membership::hex;
use crate::registry::Blocked;
use crate::stats::Stats;
use actix::prelude::*;
use std::collections::VecDeque;
use tracing::trace_span;

#[derive(Default)]
pub(super) struct Deliveries {
    /// The number of the last delivery every matching listener took.
    taken: u64,
    /// The number last told to the core.
    told: u64,
    /// Issued, not yet dispatched, with their numbers: they wait behind a delivery whose
    /// listener is full.
    backlog: VecDeque<(u64, DistributedEvent)>,
    /// A task is waiting for full mailboxes to take the delivery after `taken`.
    waiting: bool,
}

impl Deliveries {
    /// How far listeners took deliveries, if that moved since the last call.
    pub(super) fn newly_taken(&mut self) -> Option<u64> {
        (self.taken > self.told).then(|| {
            self.told = self.taken;
            self.taken
        })
    }
}

/// The full mailboxes of the delivery of this number took their events.
#[derive(Message)]
#[rtype(result = "()")]
pub(super) struct Taken(u64);

impl Emitter {
    /// Hands delivery `number`, issued by the core, to its listeners, or queues it behind a full
    /// mailbox.
    pub(super) fn deliver(
        &mut self,
        number: u64,
        event: DistributedEvent,
        ctx: &mut Context<Self>,
    ) {
        #[cfg(feature = "observe")]
        self.notices.record(&event);
        if self.deliveries.waiting {
            self.deliveries.backlog.push_back((number, event));
        } else {
            self.dispatch(number, event, ctx);
        }
    }

    fn dispatch(&mut self, number: u64, event: DistributedEvent, ctx: &mut Context<Self>) {
        // A node without listeners (a relaying hub, a pure producer) takes every event at once.
        if self.registry.is_empty() {
            self.deliveries.taken = number;
            return;
        }
        let mut blocked = Blocked::default();
        let delivered = {
            let span = trace_span!("deliver", sender = %hex(event.node()), seq = event.seq());
            let _entered = span.enter();
            self.registry.dispatch(&event, &mut blocked)
        };
        Stats::add(&self.shared.stats.delivered, delivered);
        if blocked.is_empty() {
            self.deliveries.taken = number;
            return;
        }
        self.deliveries.waiting = true;
        let emitter = ctx.address();
        // A task of its own, not a future of this actor: a restart of the actor must not drop
        // events half delivered.
        actix::spawn(async move {
            for (recipient, event) in blocked.deliveries {
                let _ = recipient.send(event).await;
            }
            emitter.do_send(Taken(number));
        });
    }
}

impl Handler<Taken> for Emitter {
    type Result = ();

    fn handle(&mut self, Taken(number): Taken, ctx: &mut Context<Self>) {
        self.deliveries.waiting = false;
        self.deliveries.taken = number;
        while !self.deliveries.waiting {
            let Some((number, event)) = self.deliveries.backlog.pop_front() else { break };
            self.dispatch(number, event, ctx);
        }
        self.perform(ctx);
    }
}
