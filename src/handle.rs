//! The handle a caller gets from `connect`: the emitter's API as methods.
//!
//! Owns: checks that need the emitter's settings (event size) or come before a message is sent
//! (topics, the pending bound), and the read-only views (role, stats, the role watch). It must
//! not start the actor (the connect module's) nor hold listener or link state: every operation
//! is a message to the actor.

use crate::config::{check_publish, Config};
use crate::credential::Claims;
use crate::emitter::{Emitter, LinkState, Shared, Shutdown, TakeOutbox};
use crate::error::{Error, Result};
use crate::event::{Codec, DistributedEvent};
use crate::membership::Peer;
use crate::messages::{
    Emit, Flush, Listen, ListenerCount, Peers, RemoveAllListeners, RemoveListener, Topics,
};
use crate::outbox;
use crate::stats::StatsSnapshot;
use crate::subscription::Subscription;
use crate::topic;
use actix::prelude::*;
use nanomitter_protocol::Role;
use serde::Serialize;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;
use tokio::sync::{oneshot, watch};

/// The way into one node of the distributed emitter. Cheap to clone; all clones reach the same
/// emitter actor. Dropping handles does not stop the emitter: call [`EmitterHandle::close`].
///
/// ```no_run
/// # async fn example() -> nanomitter::Result<()> {
/// let emitter = nanomitter::Emitter::builder("worker").connect().await?;
/// emitter.emit("stockprice", &("AAPL", 251.3))?;
/// emitter.close().await
/// # }
/// ```
#[derive(Clone)]
pub struct EmitterHandle {
    /// The emitter actor every operation is a message to; once it is gone (`connected` is false),
    /// emitting answers `Error::Closed`.
    addr: Addr<Emitter>,
    /// The node's state as the actor publishes it (electing, linked in a role on an address,
    /// failed, closed): what `role`, `hub_address` and `wait_linked` read, and what each
    /// `RoleWatch` follows.
    state: watch::Receiver<LinkState>,
    /// What the node shares with its handles: its counters, the pending bound a handle reserves an
    /// event in before handing it over, and the pattern budget a listener's pattern is held in
    /// before `listen` answers.
    shared: Arc<Shared>,
    /// This node's id, drawn by `connect` and given to the actor too, which carries it in every
    /// event: kept here for `node_id`.
    node: u64,
    /// The service name from the settings, kept here for `service`.
    service: Arc<str>,
    /// The largest event, by its wire size, that a frame carries: `max_frame_size` less the frame's
    /// own overhead. A larger event is refused before anything is reserved.
    max_event_size: usize,
    /// The monitoring endpoint, if the node serves one: `close` stops it.
    #[cfg(feature = "monitor")]
    monitor: Option<crate::monitor::Endpoint>,
    /// The claims of this node's scoped credential, if it has one: an event on a topic they do
    /// not let it publish is refused before anything is reserved.
    scope: Option<Arc<Claims>>,
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
            service: config.core.service.as_str().into(),
            max_event_size: config.core.max_event_size(),
            #[cfg(feature = "monitor")]
            monitor: None,
            scope: config.scope().cloned().map(Arc::new),
        }
    }

    /// The same handle, serving `endpoint` (which `close` stops).
    #[cfg(feature = "monitor")]
    pub(crate) fn with_monitor(self, endpoint: Option<crate::monitor::Endpoint>) -> EmitterHandle {
        EmitterHandle { monitor: endpoint, ..self }
    }

    /// Stops the monitoring endpoint, if the node serves one.
    #[cfg(feature = "monitor")]
    pub(crate) async fn stop_monitor(&self) {
        if let Some(endpoint) = &self.monitor {
            endpoint.stop().await;
        }
    }

    /// Where this node's monitoring endpoint listens (see [`EmitterBuilder::monitor`]), if it
    /// serves one: the port it got when port 0 was asked for.
    ///
    /// [`EmitterBuilder::monitor`]: crate::EmitterBuilder::monitor
    #[cfg(feature = "monitor")]
    pub fn monitor_address(&self) -> Option<std::net::SocketAddr> {
        self.monitor.as_ref().map(crate::monitor::Endpoint::address)
    }

    /// What this node is right now: the hub, a client, or electing after it lost its link.
    ///
    /// ```no_run
    /// # fn example(emitter: nanomitter::EmitterHandle) {
    /// if emitter.role() == nanomitter::Role::Hub {
    ///     println!("this process relays for the others");
    /// }
    /// # }
    /// ```
    pub fn role(&self) -> Role {
        match &*self.state.borrow() {
            LinkState::Up(role, _) => *role,
            LinkState::Closed => Role::Closed,
            _ => Role::Electing,
        }
    }

    /// The candidate address this node is bound to (hub) or dialed (client), while linked.
    ///
    /// ```no_run
    /// # fn example(emitter: nanomitter::EmitterHandle) {
    /// println!("linked on {}", emitter.hub_address().unwrap_or_default());
    /// # }
    /// ```
    pub fn hub_address(&self) -> Option<String> {
        match &*self.state.borrow() {
            LinkState::Up(_, address) => Some(address.clone()),
            _ => None,
        }
    }

    /// Waits until the node has a role again (after a lost link) and returns it;
    /// [`Error::Closed`] once the emitter is closed.
    ///
    /// ```no_run
    /// # async fn example(emitter: nanomitter::EmitterHandle) -> nanomitter::Result<()> {
    /// let role = emitter.wait_linked().await?;
    /// # Ok(()) }
    /// ```
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

    /// A watch on this node's role: its later changes (to `Electing` and back) can be awaited
    /// ([`RoleWatch::changed`]) or read as a [`futures_core::Stream`]. Changes in quick
    /// succession may be seen as one: the watch gives the role as it is when read.
    ///
    /// ```no_run
    /// # async fn example(emitter: nanomitter::EmitterHandle) {
    /// let mut roles = emitter.roles();
    /// while let Ok(role) = roles.changed().await {
    ///     println!("now {role:?}");
    /// }
    /// # }
    /// ```
    pub fn roles(&self) -> RoleWatch {
        let mut state = self.state.clone();
        state.mark_unchanged();
        RoleWatch { state, in_flight: None, ended: false }
    }

    /// This node's id, carried by every event it emits.
    ///
    /// ```no_run
    /// # fn example(emitter: nanomitter::EmitterHandle) {
    /// println!("node {:016x}", emitter.node_id());
    /// # }
    /// ```
    pub fn node_id(&self) -> u64 {
        self.node
    }

    /// This node's service name.
    ///
    /// ```no_run
    /// # fn example(emitter: nanomitter::EmitterHandle) {
    /// assert_eq!(emitter.service(), "worker");
    /// # }
    /// ```
    pub fn service(&self) -> &str {
        &self.service
    }

    /// A copy of the emitter's counters.
    ///
    /// ```no_run
    /// # fn example(emitter: nanomitter::EmitterHandle) {
    /// let stats = emitter.stats();
    /// println!("{} refused for overflow, {} gaps", stats.overflows, stats.gaps);
    /// # }
    /// ```
    pub fn stats(&self) -> StatsSnapshot {
        self.shared.stats.snapshot()
    }

    /// The emitter actor, for sending it the messages of [`crate::messages`] directly or handing
    /// it to an actor that subscribes itself.
    ///
    /// Events emitted through a handle wait in a queue of their own until the actor takes them,
    /// a batch at a time: a message sent straight to the actor after an `emit` comes after that
    /// event, but an event emitted through a handle *after* such a message may be taken before
    /// it. Where that order matters (a listener added, then an event it must get), use the
    /// handle's own methods for both, which keep it.
    ///
    /// ```no_run
    /// # async fn example(emitter: nanomitter::EmitterHandle) -> nanomitter::Result<()> {
    /// let actor: actix::Addr<nanomitter::Emitter> = emitter.addr();
    /// actor.send(nanomitter::messages::Flush).await??;
    /// # Ok(()) }
    /// ```
    pub fn addr(&self) -> Addr<Emitter> {
        self.addr.clone()
    }

    /// Adds a listener for `topic`, a topic or a pattern (`*`: every topic), for good. A
    /// recipient added twice receives every event twice. Returns the handle, so calls chain.
    /// [`EmitterHandle::listen`] gives a [`Subscription`] instead.
    ///
    /// ```no_run
    /// # fn example(emitter: nanomitter::EmitterHandle,
    /// #            recipient: actix::Recipient<nanomitter::DistributedEvent>) -> nanomitter::Result<()> {
    /// emitter.on("stock.*", recipient.clone())?.on("done", recipient)?;
    /// # Ok(()) }
    /// ```
    pub fn on(&self, topic: &str, recipient: Recipient<DistributedEvent>) -> Result<&Self> {
        self.listen(Listen::new(topic, recipient)).map(Subscription::detach)?;
        Ok(self)
    }

    /// The same as [`EmitterHandle::on`] (Node's name for it).
    ///
    /// ```no_run
    /// # fn example(emitter: nanomitter::EmitterHandle,
    /// #            recipient: actix::Recipient<nanomitter::DistributedEvent>) -> nanomitter::Result<()> {
    /// emitter.add_listener("stockprice", recipient)?;
    /// # Ok(()) }
    /// ```
    pub fn add_listener(
        &self,
        topic: &str,
        recipient: Recipient<DistributedEvent>,
    ) -> Result<&Self> {
        self.on(topic, recipient)
    }

    /// Adds a listener that is removed after the first event it receives.
    ///
    /// ```no_run
    /// # fn example(emitter: nanomitter::EmitterHandle,
    /// #            recipient: actix::Recipient<nanomitter::DistributedEvent>) -> nanomitter::Result<()> {
    /// emitter.once("ready", recipient)?;
    /// # Ok(()) }
    /// ```
    pub fn once(&self, topic: &str, recipient: Recipient<DistributedEvent>) -> Result<&Self> {
        self.many(topic, 1, recipient)
    }

    /// Adds a listener that is removed after `times` events.
    ///
    /// ```no_run
    /// # fn example(emitter: nanomitter::EmitterHandle,
    /// #            recipient: actix::Recipient<nanomitter::DistributedEvent>) -> nanomitter::Result<()> {
    /// emitter.many("stockprice", 10, recipient)?;
    /// # Ok(()) }
    /// ```
    pub fn many(
        &self,
        topic: &str,
        times: u32,
        recipient: Recipient<DistributedEvent>,
    ) -> Result<&Self> {
        self.listen(Listen::new(topic, recipient).times(times)).map(Subscription::detach)?;
        Ok(self)
    }

    /// Adds the listener of `listen` and returns it as a [`Subscription`]: dropping that
    /// removes the listener. Refuses at once an invalid pattern, a new pattern past the budget
    /// of a node's interest (both [`Error::InvalidTopic`], with the reason) and a closed emitter
    /// ([`Error::Closed`]): `Ok` means the listener is added.
    ///
    /// ```no_run
    /// # fn example(emitter: nanomitter::EmitterHandle,
    /// #            recipient: actix::Recipient<nanomitter::DistributedEvent>) -> nanomitter::Result<()> {
    /// use nanomitter::messages::Listen;
    /// let prices = emitter.listen(Listen::new("stock.>", recipient.clone()))?;
    /// let next_three = emitter.listen(Listen::new("trade", recipient).times(3))?;
    /// drop(prices); // no more stock events
    /// # Ok(()) }
    /// ```
    pub fn listen(&self, mut listen: Listen) -> Result<Subscription> {
        self.may_listen(listen.topic())?;
        listen.hold = Some(self.shared.patterns.hold(listen.topic())?);
        let subscription = Subscription::new(
            self.addr(),
            self.shared.clone(),
            listen.id(),
            listen.topic().to_owned(),
        );
        self.actor().do_send(listen);
        Ok(subscription)
    }

    /// Resolves with the next event on `topic` (a topic or pattern), or [`Error::Timeout`].
    ///
    /// ```no_run
    /// # async fn example(emitter: nanomitter::EmitterHandle) -> nanomitter::Result<()> {
    /// let ready = emitter.wait_for("ready", std::time::Duration::from_secs(5)).await?;
    /// println!("{} is ready", ready.service());
    /// # Ok(()) }
    /// ```
    pub async fn wait_for(&self, topic: &str, timeout: Duration) -> Result<DistributedEvent> {
        let (tx, rx) = oneshot::channel();
        let waiter = Waiter(Some(tx)).start();
        let subscription = self.listen(Listen::new(topic, waiter.clone().recipient()).times(1));
        let subscription = subscription.inspect_err(|_| waiter.do_send(StopWaiting))?;
        match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(event)) => {
                subscription.detach();
                Ok(event)
            }
            Ok(Err(_)) => Err(Error::Closed),
            Err(_) => {
                drop(subscription);
                waiter.do_send(StopWaiting);
                Err(Error::Timeout { waited: timeout })
            }
        }
    }

    /// Removes the most recently added instance of `recipient` on `topic`; other instances stay.
    ///
    /// ```no_run
    /// # fn example(emitter: nanomitter::EmitterHandle,
    /// #            recipient: actix::Recipient<nanomitter::DistributedEvent>) {
    /// emitter.remove_listener("stockprice", recipient);
    /// # }
    /// ```
    pub fn remove_listener(&self, topic: &str, recipient: Recipient<DistributedEvent>) -> &Self {
        self.actor().do_send(RemoveListener { topic: topic.to_owned(), recipient });
        self
    }

    /// Removes every listener of `topic`, or of every topic when `None`.
    ///
    /// ```no_run
    /// # fn example(emitter: nanomitter::EmitterHandle) {
    /// emitter.remove_all_listeners(Some("stockprice")).remove_all_listeners(None);
    /// # }
    /// ```
    pub fn remove_all_listeners(&self, topic: Option<&str>) -> &Self {
        self.actor().do_send(RemoveAllListeners { topic: topic.map(str::to_owned) });
        self
    }

    /// The number of listeners on this node an event on `topic` would reach (every matching
    /// pattern's).
    ///
    /// ```no_run
    /// # async fn example(emitter: nanomitter::EmitterHandle) -> nanomitter::Result<()> {
    /// let here = emitter.listener_count("stock.aapl").await?;
    /// # Ok(()) }
    /// ```
    pub async fn listener_count(&self, topic: &str) -> Result<usize> {
        Ok(self.actor().send(ListenerCount { topic: topic.to_owned(), cluster: false }).await?)
    }

    /// The number of listeners on all nodes an event on `topic` would reach, as announced to
    /// this node: above zero once a subscription elsewhere took effect here.
    ///
    /// ```no_run
    /// # async fn example(emitter: nanomitter::EmitterHandle) -> nanomitter::Result<()> {
    /// while emitter.cluster_listener_count("stockprice").await? == 0 {
    ///     tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn cluster_listener_count(&self, topic: &str) -> Result<usize> {
        Ok(self.actor().send(ListenerCount { topic: topic.to_owned(), cluster: true }).await?)
    }

    /// The patterns listened to on this node, with their number of listeners.
    ///
    /// ```no_run
    /// # async fn example(emitter: nanomitter::EmitterHandle) -> nanomitter::Result<()> {
    /// for (pattern, listeners) in emitter.topics().await? {
    ///     println!("{pattern}: {listeners}");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn topics(&self) -> Result<Vec<(String, u32)>> {
        Ok(self.actor().send(Topics { cluster: false }).await?)
    }

    /// The patterns listened to on all nodes, with their number of listeners.
    ///
    /// ```no_run
    /// # async fn example(emitter: nanomitter::EmitterHandle) -> nanomitter::Result<()> {
    /// let everywhere = emitter.cluster_topics().await?;
    /// # Ok(()) }
    /// ```
    pub async fn cluster_topics(&self) -> Result<Vec<(String, u32)>> {
        Ok(self.actor().send(Topics { cluster: true }).await?)
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
    ///
    /// ```no_run
    /// # fn example(emitter: nanomitter::EmitterHandle) -> nanomitter::Result<()> {
    /// #[derive(serde::Serialize)]
    /// struct StockPrice { ticker: String, price: f64 }
    /// emitter.emit("stockprice", &StockPrice { ticker: "AAPL".into(), price: 251.3 })?;
    /// # Ok(()) }
    /// ```
    pub fn emit<T: Serialize + ?Sized>(&self, topic: &str, value: &T) -> Result<()> {
        self.emit_with(topic, Codec::Bincode, value)
    }

    /// Emits a JSON value to every listener of `topic` on every node; see [`EmitterHandle::emit`].
    ///
    /// ```no_run
    /// # fn example(emitter: nanomitter::EmitterHandle) -> nanomitter::Result<()> {
    /// use nanomitter::serde_json::json;
    /// emitter.emit_json("stockprice", &json!({ "ticker": "AAPL", "price": 251.3 }))?;
    /// # Ok(()) }
    /// ```
    pub fn emit_json(&self, topic: &str, value: &serde_json::Value) -> Result<()> {
        self.emit_with(topic, Codec::Json, value)
    }

    /// Emits `value` encoded with `codec` ([`Codec::MessagePack`] reads as an object in
    /// JavaScript); see [`EmitterHandle::emit`].
    ///
    /// ```no_run
    /// # fn example(emitter: nanomitter::EmitterHandle) -> nanomitter::Result<()> {
    /// use nanomitter::Codec;
    /// #[derive(serde::Serialize)]
    /// struct StockPrice { ticker: String, price: f64 }
    /// let price = StockPrice { ticker: "AAPL".into(), price: 251.3 };
    /// emitter.emit_with("stockprice", Codec::MessagePack, &price)?;
    /// # Ok(()) }
    /// ```
    pub fn emit_with<T: Serialize + ?Sized>(
        &self,
        topic: &str,
        codec: Codec,
        value: &T,
    ) -> Result<()> {
        topic::check(topic, false)?;
        outbox::with_encoded(codec, value, |payload| {
            let bytes = self.checked(topic, payload)?;
            self.shared.reserve_or_overflow(bytes)?;
            self.hand_over(topic, codec, payload, bytes);
            Ok(())
        })?
    }

    /// Like [`EmitterHandle::emit`], but waits while too many events are unacknowledged: the
    /// caller is slowed to the pace of the slowest member instead of refused.
    ///
    /// It also waits while a batch's worth of events (`batch_bytes`) is handed to the emitter
    /// actor and not yet taken by it, so a loop of `emit_wait`s on the actor's own thread lets
    /// the actor send while the loop produces.
    ///
    /// ```no_run
    /// # async fn example(emitter: nanomitter::EmitterHandle) -> nanomitter::Result<()> {
    /// for i in 0..1_000_000u64 {
    ///     emitter.emit_wait("tick", &i).await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn emit_wait<T: Serialize + ?Sized>(&self, topic: &str, value: &T) -> Result<()> {
        self.emit_with_wait(topic, Codec::Bincode, value).await
    }

    /// Like [`EmitterHandle::emit_json`], but waits while too many events are unacknowledged;
    /// see [`EmitterHandle::emit_wait`].
    ///
    /// ```no_run
    /// # async fn example(emitter: nanomitter::EmitterHandle) -> nanomitter::Result<()> {
    /// use nanomitter::serde_json::json;
    /// emitter.emit_json_wait("log", &json!({ "line": "started" })).await?;
    /// # Ok(()) }
    /// ```
    pub async fn emit_json_wait(&self, topic: &str, value: &serde_json::Value) -> Result<()> {
        self.emit_with_wait(topic, Codec::Json, value).await
    }

    /// Like [`EmitterHandle::emit_with`], but waits while too many events are unacknowledged;
    /// see [`EmitterHandle::emit_wait`].
    ///
    /// ```no_run
    /// # async fn example(emitter: nanomitter::EmitterHandle) -> nanomitter::Result<()> {
    /// use nanomitter::Codec;
    /// emitter.emit_with_wait("tick", Codec::MessagePack, &42u64).await?;
    /// # Ok(()) }
    /// ```
    pub async fn emit_with_wait<T: Serialize + ?Sized>(
        &self,
        topic: &str,
        codec: Codec,
        value: &T,
    ) -> Result<()> {
        topic::check(topic, false)?;
        let pending = &self.shared.pending;
        // Mostly there is room at once: the event goes from the scratch buffer it was encoded
        // in. Else it is kept while this waits.
        let waiting = outbox::with_encoded(codec, value, |payload| -> Result<_> {
            let bytes = self.checked(topic, payload)?;
            if pending.try_reserve_caught_up(bytes) {
                self.hand_over(topic, codec, payload, bytes);
                return Ok(None);
            }
            Ok(Some((payload.to_vec(), bytes)))
        })??;
        let Some((payload, bytes)) = waiting else { return Ok(()) };
        pending.actor_caught_up().await;
        if !pending.reserve(bytes).await {
            return Err(Error::Closed);
        }
        self.hand_over(topic, codec, &payload, bytes);
        Ok(())
    }

    /// The actor, for a message other than an event: the outbox's open batch is sealed first,
    /// so that events emitted after the message come after it (see [`crate::outbox`]).
    fn actor(&self) -> &Addr<Emitter> {
        self.shared.outbox.seal();
        &self.addr
    }

    /// Puts a reserved event in the outbox, counted as handed to the actor until it takes it.
    fn hand_over(&self, topic: &str, codec: Codec, payload: &[u8], bytes: usize) {
        self.shared.pending.handed_over(bytes);
        self.shared.outbox.push(topic, codec, payload, bytes, || self.addr.do_send(TakeOutbox));
    }

    /// A listener may be added for `topic`: a valid pattern, on an emitter not closed.
    fn may_listen(&self, topic: &str) -> Result<()> {
        topic::check(topic, true)?;
        if self.shared.pending.is_closed() {
            return Err(Error::Closed);
        }
        Ok(())
    }

    /// The bytes to reserve for an event (its wire size), if it fits a frame and the emitter is
    /// open.
    fn checked(&self, topic: &str, payload: &[u8]) -> Result<usize> {
        check_publish(self.scope.as_deref(), topic)?;
        let bytes = Emit::wire_size_within(topic, payload, self.max_event_size)?;
        if !self.addr.connected() || self.shared.pending.is_closed() {
            return Err(Error::Closed);
        }
        Ok(bytes)
    }

    /// The other nodes this node knows of, from their hellos (every liveness interval).
    ///
    /// ```no_run
    /// # async fn example(emitter: nanomitter::EmitterHandle) -> nanomitter::Result<()> {
    /// for peer in emitter.peers().await? {
    ///     println!("{} is a {:?}", peer.service, peer.role);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn peers(&self) -> Result<Vec<Peer>> {
        Ok(self.actor().send(Peers).await?)
    }

    /// Resolves once every event emitted before the call is held by every member of the
    /// cluster (the hub's end-to-end acknowledgement; on a hub alone, once sent).
    ///
    /// ```no_run
    /// # async fn example(emitter: nanomitter::EmitterHandle) -> nanomitter::Result<()> {
    /// emitter.emit("order", &42u64)?;
    /// emitter.flush().await?; // every member holds the order now
    /// # Ok(()) }
    /// ```
    pub async fn flush(&self) -> Result<()> {
        self.actor().send(Flush).await?
    }

    /// Flushes, then stops the emitter: its link closes and it never elects again.
    ///
    /// ```no_run
    /// # async fn example(emitter: nanomitter::EmitterHandle) -> nanomitter::Result<()> {
    /// emitter.close().await?; // every handle's later calls answer Error::Closed
    /// # Ok(()) }
    /// ```
    pub async fn close(self) -> Result<()> {
        let flushed = self.flush().await;
        self.actor().send(Shutdown).await?;
        #[cfg(feature = "monitor")]
        self.stop_monitor().await;
        flushed
    }
}

/// Hands the first event it gets to a waiting [`EmitterHandle::wait_for`].
struct Waiter(
    /// Where the first event goes; taken by it, so an event that arrives before the actor
    /// stops goes nowhere.
    Option<oneshot::Sender<DistributedEvent>>,
);

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

/// A wait for the next role, owning the watch while it runs.
type NextRole = Pin<Box<dyn Future<Output = (Option<Role>, watch::Receiver<LinkState>)> + Send>>;

/// Follows the role of one emitter from the moment it was made ([`EmitterHandle::roles`]):
/// await [`RoleWatch::changed`], or read it as a [`futures_core::Stream`] of roles that
/// ends when the emitter closes.
///
/// ```no_run
/// # async fn example(emitter: nanomitter::EmitterHandle) {
/// use futures_util::StreamExt;
/// let mut roles = emitter.roles();
/// while let Some(role) = roles.next().await {
///     println!("now {role:?}");
/// }
/// # }
/// ```
pub struct RoleWatch {
    /// The node's state, marked seen up to the last role returned: the next change counts from
    /// there. While a wait runs, a clone of it does the waiting and replaces it when done.
    state: watch::Receiver<LinkState>,
    /// The wait for the next change, started by the first poll and kept across polls (a stream is
    /// polled many times), so a change is not missed between them; `None` between waits.
    in_flight: Option<NextRole>,
    /// The emitter closed or failed: every later poll answers `None` at once, as a finished stream
    /// must.
    ended: bool,
}

impl RoleWatch {
    /// Waits for the next role change and returns the new role; [`Error::Closed`] once the
    /// emitter is closed (or failed for good).
    ///
    /// ```no_run
    /// # async fn example(emitter: nanomitter::EmitterHandle) -> nanomitter::Result<()> {
    /// let mut roles = emitter.roles();
    /// let role = roles.changed().await?; // Electing when the hub is lost, then Hub or Client
    /// # Ok(()) }
    /// ```
    pub async fn changed(&mut self) -> Result<Role> {
        std::future::poll_fn(|cx| self.poll_role(cx)).await.ok_or(Error::Closed)
    }

    fn poll_role(&mut self, cx: &mut TaskContext<'_>) -> Poll<Option<Role>> {
        if self.ended {
            return Poll::Ready(None);
        }
        let state = &self.state;
        let next = self.in_flight.get_or_insert_with(|| {
            // A clone has seen what this watch has seen; it comes back with the future's output.
            let mut state = state.clone();
            Box::pin(async move { (next_role(&mut state).await, state) })
        });
        let Poll::Ready((role, state)) = next.as_mut().poll(cx) else { return Poll::Pending };
        self.in_flight = None;
        self.state = state;
        self.ended = role.is_none();
        Poll::Ready(role)
    }
}

/// The role after the next change of `state`; `None` once the emitter is closed or failed.
async fn next_role(state: &mut watch::Receiver<LinkState>) -> Option<Role> {
    state.changed().await.ok()?;
    match &*state.borrow_and_update() {
        LinkState::Up(role, _) => Some(*role),
        LinkState::Electing => Some(Role::Electing),
        LinkState::Failed(_) | LinkState::Closed => None,
    }
}

impl futures_core::Stream for RoleWatch {
    type Item = Role;

    fn poll_next(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Role>> {
        self.get_mut().poll_role(cx)
    }
}
