//! The handlers of the public messages (the API of `Addr<Emitter>`): listeners, emitting,
//! introspection, flush and shutdown. Each does little more than reach the right part of the
//! emitter.
use super::*;

impl Handler<Emit> for Emitter {
    type Result = Result<()>;

    /// An `Emit` from a handle comes checked and reserved; one sent directly is checked and
    /// reserved here, as `handle.emit` would have.
    fn handle(&mut self, mut emit: Emit, ctx: &mut Context<Self>) -> Result<()> {
        if emit.reserved == 0 {
            let (size, max) = (emit.wire_size(), self.max_event_size());
            if size > max {
                return Err(Error::EventTooLarge { size, max });
            }
            let pending = &self.shared.pending;
            if !pending.try_reserve(size) {
                Stats::add(&self.shared.stats.overflows, 1);
                return Err(Error::Overflow { pending: pending.held(), limit: pending.limit() });
            }
            emit.reserved = size;
        }
        self.accept(emit, ctx);
        Ok(())
    }
}

impl Handler<On> for Emitter {
    type Result = Result<()>;

    fn handle(&mut self, on: On, _: &mut Context<Self>) -> Result<()> {
        self.add_listener(&on.topic, on.recipient, None)
    }
}

impl Handler<Once> for Emitter {
    type Result = Result<()>;

    fn handle(&mut self, once: Once, _: &mut Context<Self>) -> Result<()> {
        self.add_listener(&once.topic, once.recipient, Some(1))
    }
}

impl Handler<Many> for Emitter {
    type Result = Result<()>;

    fn handle(&mut self, many: Many, _: &mut Context<Self>) -> Result<()> {
        self.add_listener(&many.topic, many.recipient, Some(many.times))
    }
}

impl Emitter {
    /// Adds a listener of a checked pattern, for `times` events (`None`: forever).
    fn add_listener(
        &mut self,
        pattern: &str,
        recipient: Recipient<DistributedEvent>,
        times: Option<u32>,
    ) -> Result<()> {
        crate::topic::check(pattern, true)?;
        self.registry.add(pattern, recipient, times);
        self.announce_interest();
        Ok(())
    }

    /// The largest event (its wire size) a frame of this node can carry.
    fn max_event_size(&self) -> usize {
        self.config.max_frame_size - wire::frame_overhead(&self.service)
    }
}

impl Handler<RemoveListener> for Emitter {
    type Result = bool;

    fn handle(&mut self, remove: RemoveListener, _: &mut Context<Self>) -> bool {
        let removed = self.registry.remove(&remove.topic, &remove.recipient);
        self.announce_interest();
        removed
    }
}

impl Handler<RemoveAllListeners> for Emitter {
    type Result = ();

    fn handle(&mut self, remove: RemoveAllListeners, _: &mut Context<Self>) {
        self.registry.remove_all(remove.topic.as_deref());
        self.announce_interest();
    }
}

impl Handler<ListenerCount> for Emitter {
    type Result = usize;

    fn handle(&mut self, count: ListenerCount, _: &mut Context<Self>) -> usize {
        let here = self.registry.listener_count(&count.topic);
        let elsewhere = if count.cluster { self.interests.listener_count(&count.topic) } else { 0 };
        here + elsewhere
    }
}

impl Handler<Topics> for Emitter {
    type Result = MessageResult<Topics>;

    fn handle(&mut self, topics: Topics, _: &mut Context<Self>) -> Self::Result {
        let mut all = self.registry.patterns();
        if topics.cluster {
            for (pattern, listeners) in self.interests.topics() {
                match all.iter_mut().find(|(p, _)| *p == pattern) {
                    Some((_, n)) => *n += listeners,
                    None => all.push((pattern, listeners)),
                }
            }
            all.sort();
        }
        MessageResult(all)
    }
}

impl Handler<Peers> for Emitter {
    type Result = MessageResult<Peers>;

    fn handle(&mut self, _: Peers, _: &mut Context<Self>) -> Self::Result {
        MessageResult(
            self.membership.peers().into_iter().filter(|p: &Peer| p.node != self.node).collect(),
        )
    }
}

impl Handler<Flush> for Emitter {
    type Result = ResponseFuture<Result<()>>;

    fn handle(&mut self, _: Flush, _: &mut Context<Self>) -> Self::Result {
        self.outbound.seal();
        self.pump();
        self.send_acks();
        let target = self.outbound.last_framed();
        if target <= self.outbound.acked() {
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
        if self.hub.is_none() {
            // Goodbye: the hub need not keep events for this node.
            let left = Left { epoch: self.epoch, node: self.node, reason: LeftReason::Closed };
            self.send_frame(&left.encode());
        }
        self.closing = true;
        self.state.send_replace(LinkState::Closed);
        self.flush_waiters.clear();
        ctx.stop();
    }
}
