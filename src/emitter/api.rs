//! The handlers of the public messages (the API of `Addr<Emitter>`): listeners, emitting,
//! introspection, flush and shutdown. Each does little more than reach the registry or the
//! protocol core, and refuses with [`Error::Closed`] once the emitter is closed.
use super::*;
use crate::error::{Error, Result};
use crate::link::{Link, GOODBYE_LINGER};
use crate::messages::{
    Emit, Flush, Listen, ListenerCount, Peers, RemoveAllListeners, RemoveListener, Topics, Unlisten,
};
use crate::wire;
use tracing::warn;

/// Events are waiting in the outbox: handles appended them (each checked, its wire size
/// reserved under `max_pending_bytes`), and the first of them sent this.
#[derive(Message)]
#[rtype(result = "()")]
pub(crate) struct TakeOutbox;

impl Handler<TakeOutbox> for Emitter {
    type Result = ();

    fn handle(&mut self, _: TakeOutbox, ctx: &mut Context<Self>) {
        let (taken, reserved) = self.shared.outbox.take();
        self.shared.pending.taken_over(reserved);
        if self.is_closed() {
            self.shared.pending.release(reserved);
            return;
        }
        for record in taken.iter() {
            let bytes = wire::event_wire_size(record.topic, record.payload);
            self.emit_record(&taken, &record, bytes);
        }
        self.perform(ctx);
    }
}

impl Handler<Emit> for Emitter {
    type Result = Result<()>;

    /// An `Emit` sent directly is checked and reserved here, as `handle.emit` does before it
    /// puts an event in the outbox.
    fn handle(&mut self, emit: Emit, ctx: &mut Context<Self>) -> Result<()> {
        if self.is_closed() {
            return Err(Error::Closed);
        }
        crate::config::check_publish(self.config.scope(), &emit.topic)?;
        let max = self.config.core.max_event_size();
        let size = Emit::wire_size_within(&emit.topic, &emit.payload, max)?;
        self.shared.reserve_or_overflow(size)?;
        self.emit_event(emit, size, ctx);
        Ok(())
    }
}

impl Handler<Listen> for Emitter {
    type Result = Result<()>;

    fn handle(&mut self, listen: Listen, ctx: &mut Context<Self>) -> Result<()> {
        self.add_listener(listen, ctx)
    }
}

impl Handler<Unlisten> for Emitter {
    type Result = bool;

    fn handle(&mut self, Unlisten(id): Unlisten, ctx: &mut Context<Self>) -> bool {
        let removed = self.registry.remove_id(id);
        self.perform(ctx);
        removed
    }
}

impl Emitter {
    /// Adds a listener of a checked pattern, for its number of events (`None`: forever).
    fn add_listener(&mut self, listen: Listen, ctx: &mut Context<Self>) -> Result<()> {
        let pattern = listen.topic.as_str();
        crate::topic::check(pattern, true)?;
        // A new pattern makes the announcement to every other node larger: within the budget.
        // A handle held its place already; a message sent here directly takes it now.
        let hold = match listen.hold {
            Some(hold) => hold,
            None => self.shared.patterns.hold(pattern)?,
        };
        if self.is_closed() {
            return Err(Error::Closed);
        }
        self.registry.add(pattern, listen.id, listen.recipient, listen.times, hold);
        self.perform(ctx);
        Ok(())
    }

    /// Emits a heartbeat on [`crate::HEARTBEAT_TOPIC`] (outside the pending bound: one event a
    /// heartbeat interval).
    pub(super) fn emit_heartbeat(&mut self, ctx: &mut Context<Self>) {
        if self.is_closed() {
            return;
        }
        let data = serde_json::json!({ "service": self.config.core.service });
        match Emit::encoded(crate::HEARTBEAT_TOPIC, crate::Codec::Json, &data) {
            Ok(emit) => self.emit_event(emit, 0, ctx),
            Err(error) => warn!(%error, "cannot encode the heartbeat"),
        }
    }
}

impl Handler<RemoveListener> for Emitter {
    type Result = bool;

    fn handle(&mut self, remove: RemoveListener, ctx: &mut Context<Self>) -> bool {
        let removed = self.registry.remove(&remove.topic, &remove.recipient);
        self.perform(ctx);
        removed
    }
}

impl Handler<RemoveAllListeners> for Emitter {
    type Result = ();

    fn handle(&mut self, remove: RemoveAllListeners, ctx: &mut Context<Self>) {
        self.registry.remove_all(remove.topic.as_deref());
        self.perform(ctx);
    }
}

impl Handler<ListenerCount> for Emitter {
    type Result = usize;

    fn handle(&mut self, count: ListenerCount, _: &mut Context<Self>) -> usize {
        let here = self.registry.listener_count(&count.topic);
        let elsewhere = if count.cluster { self.listeners_elsewhere(&count.topic) } else { 0 };
        here + elsewhere
    }
}

impl Handler<Topics> for Emitter {
    type Result = MessageResult<Topics>;

    fn handle(&mut self, topics: Topics, _: &mut Context<Self>) -> Self::Result {
        let mut all = self.registry.patterns();
        if topics.cluster {
            for (pattern, listeners) in self.topics_elsewhere() {
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
        MessageResult(self.peers())
    }
}

impl Handler<Flush> for Emitter {
    type Result = ResponseFuture<Result<()>>;

    fn handle(&mut self, _: Flush, ctx: &mut Context<Self>) -> Self::Result {
        if self.is_closed() {
            return Box::pin(async { Err(Error::Closed) });
        }
        let waiting = self.flush(ctx);
        Box::pin(async move { waiting.await.unwrap_or(Err(Error::Closed)) })
    }
}

/// Stops the emitter for good: it refuses new events at once, lingers while members that went
/// silent are owed word of its events (see [`EmitterBuilder::close_linger`]), then its link
/// closes and it never elects again. Every later message (and every flush or `emit_wait` still
/// waiting) is answered with [`Error::Closed`].
///
/// [`EmitterBuilder::close_linger`]: crate::EmitterBuilder::close_linger
#[derive(Message)]
#[rtype(result = "()")]
pub(crate) struct Shutdown;

impl Handler<Shutdown> for Emitter {
    type Result = ResponseFuture<()>;

    /// Resolves once the node left and its goodbye had time to leave (`GOODBYE_LINGER`).
    fn handle(&mut self, _: Shutdown, ctx: &mut Context<Self>) -> Self::Result {
        self.shared.pending.close();
        let (done, left) = oneshot::channel();
        self.left_waiters.push(done);
        self.close_backend(ctx);
        if self.has_left() && !self.left_waiters.is_empty() {
            // It had left before: nothing more to wait for.
            self.leave_after_goodbye(None);
        }
        Box::pin(async move {
            let _ = left.await;
        })
    }
}

impl Emitter {
    /// The node left: its NNG link closes once the goodbye had time to leave, then whoever
    /// waits for the close hears of it. The actor stays, answering [`Error::Closed`], until its
    /// last address is dropped.
    pub(super) fn leave_after_goodbye(&mut self, link: Option<Link>) {
        let waiters = std::mem::take(&mut self.left_waiters);
        actix::spawn(async move {
            if let Some(link) = link {
                tokio::time::sleep(GOODBYE_LINGER).await;
                drop(link);
            }
            for done in waiters {
                let _ = done.send(());
            }
        });
    }
}
