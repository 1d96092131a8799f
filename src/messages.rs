//! The actix messages an `Addr<Emitter>` understands: the whole public API as plain messages.
//!
//! Owns: message types and building them (payload encoding, the topic checked by
//! [`crate::topic::check`]). It must not hold state, touch the network or define the topic
//! grammar; the emitter actor handles them. An actor can subscribe itself from
//! `started()` by sending [`Listen`] with its own recipient.

use crate::error::Result;
use crate::event::{Codec, DistributedEvent};
use crate::membership::Peer;
use crate::pattern_budget::PatternHold;
use crate::topic;
use crate::wire;
use actix::{Message, Recipient};
use bytes::Bytes;
use bytestring::ByteString;
use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};

/// The next listener id; unique in the process.
static NEXT_LISTENER: AtomicU64 = AtomicU64::new(1);

/// Identifies one listener, added by one [`Listen`]; [`Unlisten`] removes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ListenerId(
    /// Drawn from `NEXT_LISTENER`: unique in the process, so it names one listener of any
    /// emitter.
    pub(crate) u64,
);

/// Adds `recipient` to the end of the listeners of a topic or pattern (`stock.*`, `stock.>`,
/// `*` for every topic; see [`crate::topic`]), for every event or, with [`Listen::times`], for
/// that many. Duplicates are kept: a recipient added twice receives each event twice. An invalid
/// pattern, or a new pattern past the budget of a node's interest, is refused with
/// [`Error::InvalidTopic`](crate::Error::InvalidTopic), a closed emitter with
/// [`Error::Closed`](crate::Error::Closed).
///
/// This is how an actor subscribes itself, from `started`:
///
/// ```no_run
/// use actix::prelude::*;
/// use nanomitter::messages::Listen;
/// use nanomitter::{DistributedEvent, Emitter};
///
/// struct PriceWatcher { emitter: Addr<Emitter> }
///
/// impl Actor for PriceWatcher {
///     type Context = Context<Self>;
///     fn started(&mut self, ctx: &mut Context<Self>) {
///         let recipient = ctx.address().recipient();
///         self.emitter.do_send(Listen::new("stockprice", recipient));
///     }
/// }
///
/// impl Handler<DistributedEvent> for PriceWatcher {
///     type Result = ();
///     fn handle(&mut self, event: DistributedEvent, _: &mut Context<Self>) {
///         println!("{}: {}", event.topic(), event.to_json());
///     }
/// }
/// ```
///
/// `send(...).await` answers whether it was added; the id ([`Listen::id`]) removes exactly this
/// listener later ([`Unlisten`]), and [`EmitterHandle::listen`](crate::EmitterHandle::listen)
/// wraps it in a [`Subscription`](crate::Subscription) that does so when dropped.
#[derive(Debug, Message)]
#[rtype(result = "Result<()>")]
pub struct Listen {
    /// The topic or pattern to listen to, as given: checked when the listener is added, and the key
    /// it is filed under, which `RemoveListener` and `RemoveAllListeners` must name exactly.
    pub(crate) topic: String,
    /// The mailbox the matching events go to; the same recipient may listen many times.
    pub(crate) recipient: Recipient<DistributedEvent>,
    /// How many events before the listener removes itself ([`Listen::times`]); `None`: forever.
    /// `Some(0)` adds no listener.
    pub(crate) times: Option<u32>,
    /// Drawn when the message is made, so the caller has it before the actor adds the listener:
    /// what `Unlisten` and a dropped `Subscription` remove it by.
    pub(crate) id: ListenerId,
    /// The pattern's place in the node's interest budget, when a handle took it before saying
    /// `Ok`; the actor takes one itself for a message sent to it directly.
    pub(crate) hold: Option<PatternHold>,
}

impl Listen {
    /// A listener of `topic` (a topic or a pattern) for every event, with a fresh id.
    ///
    /// ```
    /// # fn example(recipient: actix::Recipient<nanomitter::DistributedEvent>) {
    /// let forever = nanomitter::messages::Listen::new("stock.*", recipient);
    /// assert_eq!(forever.topic(), "stock.*");
    /// # }
    /// ```
    pub fn new(topic: impl Into<String>, recipient: Recipient<DistributedEvent>) -> Listen {
        let id = ListenerId(NEXT_LISTENER.fetch_add(1, Ordering::Relaxed));
        Listen { topic: topic.into(), recipient, times: None, id, hold: None }
    }

    /// Removes the listener after `times` events (`1`: Node's `once`; EventEmitter2's
    /// `many`). `0` adds no listener at all.
    ///
    /// ```
    /// # fn example(recipient: actix::Recipient<nanomitter::DistributedEvent>) {
    /// let once = nanomitter::messages::Listen::new("done", recipient).times(1);
    /// # }
    /// ```
    pub fn times(mut self, times: u32) -> Listen {
        self.times = Some(times);
        self
    }

    /// The topic or pattern listened to.
    ///
    /// ```
    /// # fn example(recipient: actix::Recipient<nanomitter::DistributedEvent>) {
    /// assert_eq!(nanomitter::messages::Listen::new("a.>", recipient).topic(), "a.>");
    /// # }
    /// ```
    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// The id of the listener this message adds, for [`Unlisten`].
    ///
    /// ```
    /// # fn example(recipient: actix::Recipient<nanomitter::DistributedEvent>) {
    /// use nanomitter::messages::Listen;
    /// let (a, b) = (Listen::new("t", recipient.clone()), Listen::new("t", recipient));
    /// assert_ne!(a.id(), b.id());
    /// # }
    /// ```
    pub fn id(&self) -> ListenerId {
        self.id
    }
}

/// Removes the listener a [`Listen`] with this id added, wherever it listens. Responds whether
/// it was still there (a listener for a number of events goes by itself after the last).
///
/// ```no_run
/// # async fn example(emitter: actix::Addr<nanomitter::Emitter>,
/// #                  recipient: actix::Recipient<nanomitter::DistributedEvent>) {
/// use nanomitter::messages::{Listen, Unlisten};
/// let listen = Listen::new("stockprice", recipient);
/// let id = listen.id();
/// emitter.send(listen).await.unwrap().unwrap();
/// assert!(emitter.send(Unlisten(id)).await.unwrap());
/// # }
/// ```
#[derive(Debug, Message)]
#[rtype(result = "bool")]
pub struct Unlisten(
    /// The listener to remove: the [`Listen::id`] of the message that added it.
    pub ListenerId,
);

/// Removes the most recently added instance of `recipient` from `topic`'s listeners (Node's
/// `removeListener`). Responds whether one was found.
///
/// ```no_run
/// # async fn example(emitter: actix::Addr<nanomitter::Emitter>,
/// #                  recipient: actix::Recipient<nanomitter::DistributedEvent>) {
/// use nanomitter::messages::RemoveListener;
/// let topic = "stockprice".to_owned();
/// let removed = emitter.send(RemoveListener { topic, recipient }).await.unwrap();
/// # }
/// ```
#[derive(Debug, Message)]
#[rtype(result = "bool")]
pub struct RemoveListener {
    /// The topic or pattern it listens to, exactly as it was added.
    pub topic: String,
    /// The listener to remove (one instance of it).
    pub recipient: Recipient<DistributedEvent>,
}

/// Removes every listener of `topic`, or of every topic when `None`.
///
/// ```no_run
/// # fn example(emitter: actix::Addr<nanomitter::Emitter>) {
/// use nanomitter::messages::RemoveAllListeners;
/// emitter.do_send(RemoveAllListeners { topic: Some("stockprice".into()) });
/// emitter.do_send(RemoveAllListeners { topic: None }); // every topic
/// # }
/// ```
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub struct RemoveAllListeners {
    /// The topic or pattern, exactly as added; `None`: all of them.
    pub topic: Option<String>,
}

/// Responds with the number of listeners an event on `topic` would reach: on this node, or on
/// every node (`cluster`, as far as their announced interests are known here).
///
/// ```no_run
/// # async fn example(emitter: actix::Addr<nanomitter::Emitter>) {
/// use nanomitter::messages::ListenerCount;
/// let topic = "stock.aapl".to_owned();
/// let everywhere = emitter.send(ListenerCount { topic, cluster: true }).await.unwrap();
/// # }
/// ```
#[derive(Debug, Message)]
#[rtype(result = "usize")]
pub struct ListenerCount {
    /// A topic (not a pattern): every pattern matching it counts.
    pub topic: String,
    /// Count every node's listeners, not only this node's.
    pub cluster: bool,
}

/// Responds with the patterns listened to, with their number of listeners: on this node, or on
/// every node (`cluster`).
///
/// ```no_run
/// # async fn example(emitter: actix::Addr<nanomitter::Emitter>) {
/// use nanomitter::messages::Topics;
/// for (pattern, listeners) in emitter.send(Topics { cluster: false }).await.unwrap() {
///     println!("{pattern}: {listeners}");
/// }
/// # }
/// ```
#[derive(Debug, Message)]
#[rtype(result = "Vec<(String, u32)>")]
pub struct Topics {
    /// Every node's patterns, not only this node's.
    pub cluster: bool,
}

/// Responds once every member of the cluster holds every event emitted before it (on a hub
/// alone, once they are sent).
///
/// ```no_run
/// # async fn example(emitter: actix::Addr<nanomitter::Emitter>) -> nanomitter::Result<()> {
/// use nanomitter::messages::{Emit, Flush};
/// emitter.send(Emit::new("tick", &1u64)?).await??;
/// emitter.send(Flush).await??; // every member holds the tick
/// # Ok(()) }
/// ```
#[derive(Debug, Message)]
#[rtype(result = "Result<()>")]
pub struct Flush;

/// One event to emit. Build it with [`Emit::new`] (bincode) or [`Emit::json`]; both check the
/// topic and encode the payload. Sent to the emitter, it is refused as `handle.emit` refuses it:
/// [`Error::EventTooLarge`](crate::Error::EventTooLarge) past the frame size, and
/// [`Error::Overflow`](crate::Error::Overflow) (counted in `stats().overflows`) while more than
/// `max_pending_bytes` of events are not yet acknowledged by every member.
///
/// ```no_run
/// # async fn example(emitter: actix::Addr<nanomitter::Emitter>) -> nanomitter::Result<()> {
/// use nanomitter::messages::Emit;
/// let price = nanomitter::serde_json::json!({ "ticker": "AAPL", "price": 251.3 });
/// emitter.send(Emit::json("stockprice", &price)?).await??; // the answer: sent or refused
/// emitter.do_send(Emit::new("tick", &42u64)?); // no answer
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Message)]
#[rtype(result = "Result<()>")]
pub struct Emit {
    /// The topic to emit on, checked when the message is built: a topic, not a pattern nor a
    /// reserved `$` topic.
    pub(crate) topic: ByteString,
    /// How `payload` is encoded: it travels with the event, so listeners decode with the same
    /// codec.
    pub(crate) codec: Codec,
    /// The value, already encoded, as it goes on the wire; shared, so a clone of the message copies
    /// no bytes.
    pub(crate) payload: Bytes,
}

impl Emit {
    /// An event whose payload is `value` encoded with bincode. Fails for a topic that is not
    /// one (a pattern, a reserved `$` topic, bad syntax) or a value serde cannot encode.
    ///
    /// ```
    /// use nanomitter::messages::Emit;
    /// assert!(Emit::new("stock.aapl", &(251.3f64, 100u32)).is_ok());
    /// assert!(Emit::new("stock.*", &1u8).is_err()); // a pattern, not a topic
    /// ```
    pub fn new<T: Serialize + ?Sized>(topic: &str, value: &T) -> Result<Emit> {
        Emit::encoded(topic, Codec::Bincode, value)
    }

    /// An event whose payload is `value` as JSON.
    ///
    /// ```
    /// use nanomitter::{messages::Emit, serde_json::json};
    /// let emit = Emit::json("greeting", &json!({ "text": "hello" })).unwrap();
    /// ```
    pub fn json(topic: &str, value: &serde_json::Value) -> Result<Emit> {
        Emit::encoded(topic, Codec::Json, value)
    }

    pub(crate) fn encoded<T: Serialize + ?Sized>(
        topic: &str,
        codec: Codec,
        value: &T,
    ) -> Result<Emit> {
        topic::check(topic, false)?;
        let payload = crate::event::encode(codec, value)?;
        Ok(Emit { topic: ByteString::from(topic), codec, payload: Bytes::from(payload) })
    }

    /// Bytes an event of `topic` and `payload` takes in a frame, if a frame of
    /// `max_event_size` for events can carry it: the check of its size, the same for a
    /// handle's emit and a message sent directly.
    pub(crate) fn wire_size_within(
        topic: &str,
        payload: &[u8],
        max_event_size: usize,
    ) -> Result<usize> {
        let size = wire::event_wire_size(topic, payload);
        if size > max_event_size {
            return Err(crate::Error::EventTooLarge { size, max: max_event_size });
        }
        Ok(size)
    }
}

/// Responds with the other nodes this node knows of.
///
/// ```no_run
/// # async fn example(emitter: actix::Addr<nanomitter::Emitter>) {
/// for peer in emitter.send(nanomitter::messages::Peers).await.unwrap() {
///     println!("{} ({:016x}) is a {:?}", peer.service, peer.node, peer.role);
/// }
/// # }
/// ```
#[derive(Debug, Message)]
#[rtype(result = "Vec<Peer>")]
pub struct Peers;
