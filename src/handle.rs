//! The handle a caller gets from `connect`: the emitter's API as methods.
//!
//! Owns: checks that need the emitter's settings (event size) or come before a message is sent
//! (topics, the pending bound), and the read-only views (role, stats). It must not start the
//! actor (the connect module's) nor hold listener or link state: every operation is a message to
//! the actor.

use crate::config::Config;
use crate::emitter::{Emitter, LinkState, Shared, Shutdown};
use crate::error::{Error, Result};
use crate::event::{Codec, DistributedEvent};
use crate::membership::Peer;
use crate::messages::{
    Emit, Flush, ListenerCount, Many, On, Once, Peers, RemoveAllListeners, RemoveListener, Topics,
};
use crate::role::Role;
use crate::stats::{Stats, StatsSnapshot};
use crate::topic;
use crate::wire;
use actix::prelude::*;
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{oneshot, watch};

/// The way into one node of the distributed emitter. Cheap to clone; all clones reach the same
/// emitter actor. Dropping handles does not stop the emitter: call [`EmitterHandle::close`].
#[derive(Clone)]
pub struct EmitterHandle {
    addr: Addr<Emitter>,
    state: watch::Receiver<LinkState>,
    shared: Arc<Shared>,
    node: u64,
    service: Arc<str>,
    max_event_size: usize,
}

impl EmitterHandle {
    /// A handle on the emitter actor `addr` of node `node`, started with `config`.
    pub(crate) fn new(
        config: &Config,
        node: u64,
        shared: Arc<Shared>,
        state: watch::Receiver<LinkState>,
        addr: Addr<Emitter>,
    ) -> EmitterHandle {
        EmitterHandle {
            addr,
            state,
            shared,
            node,
            service: config.service.as_str().into(),
            max_event_size: config.max_frame_size - wire::frame_overhead(&config.service),
        }
    }

    /// What this node is right now: the hub, a client, or electing after it lost its link.
    pub fn role(&self) -> Role {
        match &*self.state.borrow() {
            LinkState::Up(role, _) => *role,
            LinkState::Closed => Role::Closed,
            _ => Role::Electing,
        }
    }

    /// The candidate address this node is bound to (hub) or dialed (client), while linked.
    pub fn hub_address(&self) -> Option<String> {
        match &*self.state.borrow() {
            LinkState::Up(_, address) => Some(address.clone()),
            _ => None,
        }
    }

    /// Waits until the node has a role again (after a lost link) and returns it.
    pub async fn wait_linked(&self) -> Result<Role> {
        let mut state = self.state.clone();
        let state = state
            .wait_for(|s| matches!(s, LinkState::Up(..) | LinkState::Closed))
            .await
            .map_err(|_| Error::Closed)?;
        match &*state {
            LinkState::Up(role, _) => Ok(*role),
            _ => Err(Error::Closed),
        }
    }

    /// A watch on this node's role: every change (to `Electing` and back) can be awaited.
    pub fn roles(&self) -> RoleWatch {
        let mut state = self.state.clone();
        state.mark_unchanged();
        RoleWatch { state }
    }

    /// This node's id, carried by every event it emits.
    pub fn node_id(&self) -> u64 {
        self.node
    }

    /// This node's service name.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// A copy of the emitter's counters.
    pub fn stats(&self) -> StatsSnapshot {
        self.shared.stats.snapshot()
    }

    /// The emitter actor, for sending it the messages of [`crate::messages`] directly.
    pub fn addr(&self) -> &Addr<Emitter> {
        &self.addr
    }

    /// Adds a listener for `topic` (`*`: every topic). A recipient added twice receives every
    /// event twice. Returns the handle, so calls chain.
    pub fn on(&self, topic: &str, recipient: Recipient<DistributedEvent>) -> Result<&Self> {
        self.may_listen(topic)?;
        self.addr.do_send(On { topic: topic.to_owned(), recipient });
        Ok(self)
    }

    /// The same as [`EmitterHandle::on`].
    pub fn add_listener(
        &self,
        topic: &str,
        recipient: Recipient<DistributedEvent>,
    ) -> Result<&Self> {
        self.on(topic, recipient)
    }

    /// Adds a listener that is removed after the first event it receives.
    pub fn once(&self, topic: &str, recipient: Recipient<DistributedEvent>) -> Result<&Self> {
        self.may_listen(topic)?;
        self.addr.do_send(Once { topic: topic.to_owned(), recipient });
        Ok(self)
    }

    /// Adds a listener that is removed after `times` events.
    pub fn many(
        &self,
        topic: &str,
        times: u32,
        recipient: Recipient<DistributedEvent>,
    ) -> Result<&Self> {
        self.may_listen(topic)?;
        self.addr.do_send(Many { topic: topic.to_owned(), times, recipient });
        Ok(self)
    }

    /// Resolves with the next event on `topic` (a topic or pattern), or [`Error::Timeout`].
    pub async fn wait_for(&self, topic: &str, timeout: Duration) -> Result<DistributedEvent> {
        self.may_listen(topic)?;
        let (tx, rx) = oneshot::channel();
        let waiter = Waiter(Some(tx)).start();
        let recipient = waiter.clone().recipient();
        self.addr.do_send(Once { topic: topic.to_owned(), recipient: recipient.clone() });
        let outcome = tokio::time::timeout(timeout, rx).await;
        match outcome {
            Ok(Ok(event)) => Ok(event),
            Ok(Err(_)) => Err(Error::Closed),
            Err(_) => {
                self.addr.do_send(RemoveListener { topic: topic.to_owned(), recipient });
                waiter.do_send(StopWaiting);
                Err(Error::Timeout { waited: timeout })
            }
        }
    }

    /// Removes the most recently added instance of `recipient` on `topic`; other instances stay.
    pub fn remove_listener(&self, topic: &str, recipient: Recipient<DistributedEvent>) -> &Self {
        self.addr.do_send(RemoveListener { topic: topic.to_owned(), recipient });
        self
    }

    /// Removes every listener of `topic`, or of every topic when `None`.
    pub fn remove_all_listeners(&self, topic: Option<&str>) -> &Self {
        self.addr.do_send(RemoveAllListeners { topic: topic.map(str::to_owned) });
        self
    }

    /// The number of listeners on this node an event on `topic` would reach (every matching
    /// pattern's).
    pub async fn listener_count(&self, topic: &str) -> Result<usize> {
        Ok(self.addr.send(ListenerCount { topic: topic.to_owned(), cluster: false }).await?)
    }

    /// The number of listeners on all nodes an event on `topic` would reach, as announced to
    /// this node.
    pub async fn cluster_listener_count(&self, topic: &str) -> Result<usize> {
        Ok(self.addr.send(ListenerCount { topic: topic.to_owned(), cluster: true }).await?)
    }

    /// The patterns listened to on this node, with their number of listeners.
    pub async fn topics(&self) -> Result<Vec<(String, u32)>> {
        Ok(self.addr.send(Topics { cluster: false }).await?)
    }

    /// The patterns listened to on all nodes, with their number of listeners.
    pub async fn cluster_topics(&self) -> Result<Vec<(String, u32)>> {
        Ok(self.addr.send(Topics { cluster: true }).await?)
    }

    /// Emits `value`, encoded with bincode, to every listener of `topic` on every node.
    ///
    /// Never blocks: if more than `max_pending_bytes` of events are not yet acknowledged by
    /// every member, it returns [`Error::Overflow`] (counted in `stats().overflows`) and the
    /// event is not sent. [`EmitterHandle::emit_wait`] waits for room instead.
    ///
    /// The emitter actor sends only when its thread is free: a loop of `emit`s that never
    /// awaits, on the actor's own thread, leaves every event in the actor's mailbox (within
    /// `max_pending_bytes`) until it yields. `emit_wait` yields by itself.
    pub fn emit<T: Serialize + ?Sized>(&self, topic: &str, value: &T) -> Result<()> {
        self.try_send(Emit::encoded(topic, Codec::Bincode, value)?)
    }

    /// Emits a JSON value to every listener of `topic` on every node; see [`EmitterHandle::emit`].
    pub fn emit_json(&self, topic: &str, value: &serde_json::Value) -> Result<()> {
        self.try_send(Emit::encoded(topic, Codec::Json, value)?)
    }

    /// Like [`EmitterHandle::emit`], but waits while too many events are unacknowledged: the
    /// caller is slowed to the pace of the slowest member instead of refused.
    ///
    /// It also waits while a batch's worth of events (`batch_bytes`) is handed to the emitter
    /// actor and not yet taken by it, so a loop of `emit_wait`s on the actor's own thread lets
    /// the actor send while the loop produces.
    pub async fn emit_wait<T: Serialize + ?Sized>(&self, topic: &str, value: &T) -> Result<()> {
        let mut emit = self.checked(Emit::encoded(topic, Codec::Bincode, value)?)?;
        let pending = &self.shared.pending;
        pending.actor_caught_up().await;
        if !pending.reserve(emit.wire_size()).await {
            return Err(Error::Closed);
        }
        emit.reserved = emit.wire_size();
        self.hand_over(emit);
        Ok(())
    }

    fn try_send(&self, emit: Emit) -> Result<()> {
        let mut emit = self.checked(emit)?;
        let pending = &self.shared.pending;
        if !pending.try_reserve(emit.wire_size()) {
            Stats::add(&self.shared.stats.overflows, 1);
            return Err(Error::Overflow { pending: pending.held(), limit: pending.limit() });
        }
        emit.reserved = emit.wire_size();
        self.hand_over(emit);
        Ok(())
    }

    /// Puts a reserved event in the actor's mailbox, counted until the actor takes it.
    fn hand_over(&self, emit: Emit) {
        self.shared.pending.handed_over(emit.reserved);
        self.addr.do_send(emit);
    }

    /// A listener may be added for `topic`: a valid pattern, on an emitter not closed.
    fn may_listen(&self, topic: &str) -> Result<()> {
        topic::check(topic, true)?;
        if self.shared.pending.is_closed() {
            return Err(Error::Closed);
        }
        Ok(())
    }

    fn checked(&self, emit: Emit) -> Result<Emit> {
        if emit.wire_size() > self.max_event_size {
            return Err(Error::EventTooLarge { size: emit.wire_size(), max: self.max_event_size });
        }
        if !self.addr.connected() || self.shared.pending.is_closed() {
            return Err(Error::Closed);
        }
        Ok(emit)
    }

    /// The other nodes this node knows of, from their hellos (every liveness interval).
    pub async fn peers(&self) -> Result<Vec<Peer>> {
        Ok(self.addr.send(Peers).await?)
    }

    /// Resolves once every event emitted before the call is held by every member of the
    /// cluster (the hub's end-to-end acknowledgement; on a hub alone, once sent).
    pub async fn flush(&self) -> Result<()> {
        self.addr.send(Flush).await?
    }

    /// Flushes, then stops the emitter: its link closes and it never elects again.
    pub async fn close(self) -> Result<()> {
        let flushed = self.flush().await;
        self.addr.send(Shutdown).await?;
        flushed
    }
}

/// Hands the first event it gets to a waiting [`EmitterHandle::wait_for`].
struct Waiter(Option<oneshot::Sender<DistributedEvent>>);

impl Actor for Waiter {
    type Context = Context<Self>;
}

impl Handler<DistributedEvent> for Waiter {
    type Result = ();

    fn handle(&mut self, event: DistributedEvent, ctx: &mut Context<Self>) {
        if let Some(tx) = self.0.take() {
            let _ = tx.send(event);
        }
        ctx.stop();
    }
}

#[derive(Message)]
#[rtype(result = "()")]
struct StopWaiting;

impl Handler<StopWaiting> for Waiter {
    type Result = ();

    fn handle(&mut self, _: StopWaiting, ctx: &mut Context<Self>) {
        ctx.stop();
    }
}

/// Follows the role of one emitter; see [`EmitterHandle::roles`].
pub struct RoleWatch {
    state: watch::Receiver<LinkState>,
}

impl RoleWatch {
    /// Waits for the next role change and returns the new role; `None` once the emitter is closed.
    pub async fn next(&mut self) -> Option<Role> {
        self.state.changed().await.ok()?;
        match &*self.state.borrow_and_update() {
            LinkState::Up(role, _) => Some(*role),
            LinkState::Electing => Some(Role::Electing),
            LinkState::Failed(_) | LinkState::Closed => None,
        }
    }
}
