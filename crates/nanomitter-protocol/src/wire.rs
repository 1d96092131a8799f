//! The wire format: how events and control messages travel, one frame each (behind the length
//! prefix of `framing` on a connection's byte stream).
//!
//! Owns: encoding and decoding of frames, and nothing else. It must not touch sockets, actors or
//! listeners; a frame that does not parse is reported as a [`FrameError`] and never panics.
//!
//! # Format, version 3
//!
//! The normative specification, with the connection's opening and golden vectors that the Rust
//! and TypeScript implementations both check, is `docs/wire.md`.
//!
//! All integers are little-endian; strings are UTF-8 behind a length. Every frame starts with a
//! 6-byte header:
//!
//! ```text
//! magic    4 bytes  "NMTR"
//! version  u8       3
//! kind     u8       1 events, 2 ack, 3 hello, 4 nack, 5 left, 6 interest, 7 relayed
//! ```
//!
//! **events** — a batch of events from one sender, relayed by the hub byte for byte (or, when
//! only some of its events are wanted by other nodes, re-batched with those):
//!
//! ```text
//! node           u64           sender's node id
//! retained_from  u64           lowest sequence number the sender can still re-send
//! covers_from    u64           the frame accounts for every sequence number from here ...
//! covers_to      u64           ... to here: those not in it were wanted by nobody
//! service        u8 len + str  sender's service name (at most 255 bytes)
//! count          u32           number of events that follow (may be 0)
//! count x { seq u64 | codec u8 (1 bincode, 2 JSON, 3 MessagePack) | topic u16 len + str |
//!                payload u32 len + bytes }
//! ```
//!
//! **ack** — `node u64 | epoch u64 | count u32 | count x { sender u64, seq u64 }`. From a client
//! to the hub: the node holds every event of `sender` up to `seq`. From the hub to everyone: every
//! member holds them, so `sender` may forget them.
//!
//! **relayed** — `node u64 | epoch u64 | frames u64`: from the hub (`node`) to one member, the
//! number of events frames it took from that member's connection so far. A sender's window
//! counts only the frames sent on the connection past that number.
//!
//! **hello** — `node u64 | epoch u64 | role u8 (1 hub, 2 client) | joining u8 (0 beat, 1 first
//! link, 2 link after a lost hub) | service u8 len + str | last_seq u64 | retained_from u64 |
//! count u32 | count x { sender u64, seq u64 } | members u32 | members x { node u64, key_hash
//! u64 } | owed u32 | owed x { node u64, held u64 } | proof u8 (0 none, 1 key, 2 key hash) |
//! key 16 bytes (proof 1) or key_hash u64 (proof 2)`. Sent on
//! joining and as the liveness beat; `last_seq` is the sender's latest sequence number sent and
//! `retained_from` the oldest it can still send again (a member that lacks events before it
//! learns they are lost for good); the list is, from a joining client, what it received, from
//! the hub, what it relayed so far (where a first-time client starts). `members` is, from the
//! hub, the node ids of its clients (so that whoever takes over knows whom to wait for, heard
//! from or not); from a client coming back after a lost hub, the members it knew of (so that a
//! new hub that never heard of them waits for them too); otherwise empty. With each member, the
//! hub tells the hash of the key its id is bound to (a client says 0: a hub takes no binding on
//! another member's word). `proof` is the node's key in its first hello on each connection to a
//! hub, which binds the id to the key's hash (see [`crate::identity`]); the hub relays that
//! hello with the hash in place of the key. `owed` lists members that went away without a
//! goodbye, each with the latest of this node's sequence numbers every member held when it went:
//! one that comes back learns from it where it stands, even if it never heard this node before.
//! Each of the three lists holds at most [`MAX_LISTED`] (4,096) entries, so a hello is at most
//! 192 KiB and some bytes: far below the frame limit, whatever the cluster went through.
//!
//! **nack** — `node u64 | sender u64 | from_seq u64`: `node` misses `sender`'s events from
//! `from_seq` on; `sender` re-sends what it still holds.
//!
//! **left** — `epoch u64 | node u64 | reason u8 (1 closed, 2 evicted, 3 silent)`: the hub saw
//! `node` go (or, from a client, the client says goodbye).
//!
//! **interest** — `node u64 | version u64 | count u32 |
//! count x { listeners u32 | pattern u16 len + str }`: the topic patterns `node` listens to, all of them, sent on joining and on every
//! change; a higher `version` replaces a lower one. The patterns are within the budget of a
//! node's interest ([`crate::topic::InterestSize`]): at most 4,096 of them, of 256 KiB and
//! 32,768 segments in all.
//!
//! Sequence numbers are at most [`MAX_SEQ`] (2^62) and start at 1, with `1 <= retained_from <=
//! covers_from <= covers_to` in an events frame; epochs are at most [`MAX_EPOCH`] (2^63 - 1). So
//! no arithmetic on them can overflow, whatever a peer sends. A frame with trailing bytes,
//! another magic, version or kind, a length past its end or a number out of range is malformed
//! and dropped as a whole. A declared count never sizes an allocation beyond what the
//! frame's bytes can hold.

use crate::carried::{Carried, CarriedEvent, EVENT_OVERHEAD};
use crate::event::Codec;
use crate::identity::{NodeKey, KEY_LEN};
use crate::topic::InterestSize;
use bytes::Bytes;
use bytestring::ByteString;
use std::fmt;

/// The first bytes of every frame (and of a hub's preamble on every connection).
pub const MAGIC: [u8; 4] = *b"NMTR";
/// The version of the format this build speaks.
pub const VERSION: u8 = 3;
/// The highest sequence number a frame may carry.
pub const MAX_SEQ: u64 = 1 << 62;
/// The highest election epoch a frame may carry: far beyond any real number of elections, and
/// low enough that taking over always has a next epoch.
pub const MAX_EPOCH: u64 = u64::MAX >> 1;
const HEADER_LEN: usize = 6;
const RETAINED_FROM_AT: usize = HEADER_LEN + 8;
const COVERS_AT: usize = RETAINED_FROM_AT + 8;
const EVENTS_PREFIX_LEN: usize = HEADER_LEN + 8 + 8 + 16 + 1 + 4;
/// Longest topic in bytes the format can carry (the topic module's limit, re-exported here).
pub use crate::topic::MAX_TOPIC_LEN;
/// Longest service name in bytes the format can carry.
pub const MAX_SERVICE_LEN: usize = u8::MAX as usize;
/// The most entries each list of a hello (`received`, `members`, `owed`) may hold. A hub takes
/// at most this many clients, and a node lists at most this many of the senders and members it
/// knows, so no hello an honest node sends is larger, and no peer can make one larger.
pub const MAX_LISTED: usize = 4096;

#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Kind {
    Events = 1,
    Ack = 2,
    Hello = 3,
    Nack = 4,
    Left = 5,
    Interest = 6,
    Relayed = 7,
}

/// Why a frame was dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameError {
    /// It does not start with the magic bytes.
    NotAFrame,
    /// It is a frame of a version this build does not speak.
    Version(u8),
    /// Its kind byte is unknown.
    Kind(u8),
    /// It ends before what it declares, or has bytes after it.
    Truncated,
    /// A field holds an invalid value.
    Invalid(&'static str),
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::NotAFrame => write!(f, "not a nanomitter frame"),
            FrameError::Version(v) => {
                write!(f, "unsupported frame version {v} (this build speaks {VERSION})")
            }
            FrameError::Kind(k) => write!(f, "unknown frame kind {k}"),
            FrameError::Truncated => write!(f, "frame length does not match its contents"),
            FrameError::Invalid(what) => write!(f, "invalid {what}"),
        }
    }
}

/// A decoded frame.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    /// A batch of one sender's events.
    Events(Events),
    /// A member's acknowledgements, per sender.
    Ack(Ack),
    /// An introduction or liveness beat.
    Hello(Hello),
    /// A request to re-send.
    Nack(Nack),
    /// The hub's word that a member is gone.
    Left(Left),
    /// The patterns a node listens to.
    Interest(Interest),
    /// The hub's count of the events frames it took from a member.
    Relayed(Relayed),
}

/// A batch of events from one sender.
#[derive(Debug, Clone, PartialEq)]
pub struct Events {
    /// The sender.
    pub node: u64,
    /// The sender's oldest sequence number it still holds for re-sending: receivers lacking
    /// anything older know it is lost for good.
    pub retained_from: u64,
    /// The first sequence number this frame accounts for (events the hub left out, for nobody
    /// there listening, are covered without being carried).
    pub covers_from: u64,
    /// The last sequence number this frame accounts for.
    pub covers_to: u64,
    /// The sender's service name: every event it carries was emitted there.
    pub service: ByteString,
    /// The events it carries, in sequence order, read where they lie in the frame: the hub
    /// routes and relays them without making an [`Event`](crate::Event) of any.
    pub events: Carried,
}

impl Events {
    /// One of its events, as listeners get it.
    pub fn event(&self, carried: &CarriedEvent<'_>) -> crate::Event {
        carried.to_event(self.node, &self.service)
    }
}

/// The topic patterns a node listens to, with the number of listeners on each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interest {
    /// The node that listens.
    pub node: u64,
    /// Which of its announcements this is: an older version never replaces a newer one.
    pub version: u64,
    /// Each pattern, with how many listeners (a weight) it has on the node.
    pub patterns: Vec<(String, u32)>,
}

/// Per sender, the highest sequence number held (see the module docs for who sends it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ack {
    /// The member that acknowledges (or the hub, for what every member holds).
    pub node: u64,
    /// The hub's epoch it acknowledges under: acknowledgements from another hub's time are
    /// ignored.
    pub epoch: u64,
    /// Per sender, the highest sequence number held in order.
    pub acks: Vec<(u64, u64)>,
}

/// From the hub to one member: how many events frames it took from that member's connection so
/// far (each passed on to the members it is for, or queued to be, under
/// [`SlowConsumer::Wait`](crate::SlowConsumer::Wait), once it left the hub's queue). A sender
/// counts only the frames the hub has not taken yet against its window, and keeps every frame
/// until every member holds it ([`Ack`]): a member slow to acknowledge makes senders keep more,
/// never wait.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relayed {
    /// The hub.
    pub node: u64,
    /// The hub's epoch: a count from another hub's time means nothing.
    pub epoch: u64,
    /// Events frames taken from the connection since it opened.
    pub frames: u64,
}

impl Frame {
    /// The bytes its decoded form holds beyond the frame's own bytes and a fixed part: what
    /// grows with its lists. Counted with the frame while it waits to be handled, so that a
    /// budget of bytes waiting bounds what control frames hold decoded, not only what they took
    /// on the wire. An events frame counts as its bytes alone: its events share them, and
    /// their handles cost a few times the 15 bytes each takes on the wire at least.
    pub fn decoded_bytes(&self) -> usize {
        const PAIR: usize = std::mem::size_of::<(u64, u64)>();
        match self {
            Frame::Events(_) => 0,
            Frame::Ack(ack) => ack.acks.len() * PAIR,
            Frame::Hello(hello) => {
                (hello.received.len() + hello.members.len() + hello.owed.len()) * PAIR
            }
            // Each pattern in a `String` of its own, with its allocation's overhead.
            Frame::Interest(interest) => interest
                .patterns
                .iter()
                .map(|(pattern, _)| std::mem::size_of::<(String, u32)>() + pattern.len() + 16)
                .sum(),
            Frame::Nack(_) | Frame::Left(_) | Frame::Relayed(_) => 0,
        }
    }
}

/// A node's introduction and liveness beat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hello {
    /// The node that says hello.
    pub node: u64,
    /// The hub's epoch as this node knows it (a hub's own: it fences off older hubs).
    pub epoch: u64,
    /// Whether this node is the hub.
    pub hub: bool,
    /// Whether it introduces itself on a new link, and how.
    pub joining: Joining,
    /// Its service name.
    pub service: String,
    /// The last sequence number it emitted: receivers lacking up to it ask for a re-send.
    pub last_seq: u64,
    /// Its oldest sequence number it still holds for re-sending.
    pub retained_from: u64,
    /// Per sender, the highest sequence number it holds in order.
    pub received: Vec<(u64, u64)>,
    /// From the hub: its clients' node ids, each with the hash of the key its id is bound to.
    /// From a client coming back after a lost hub: the members it knew of, with 0 (a hub binds
    /// no id on another member's word). Otherwise empty.
    pub members: Vec<(u64, u64)>,
    /// Members that went away without a goodbye, with the latest of this node's sequence
    /// numbers every member held when they went.
    pub owed: Vec<(u64, u64)>,
    /// What proves the node's right to its id (see [`crate::identity`]).
    pub proof: Proof,
}

/// What a hello carries to prove its node's right to the id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proof {
    /// Nothing: a beat, or a hub's hello.
    None,
    /// The node's key: in a client's first hello on each connection to a hub, and only there.
    Key(NodeKey),
    /// The hash of the key the hub bound the id to: the hub relays a first hello with this in
    /// place of the key, which it never passes on.
    KeyHash(u64),
}

impl Proof {
    fn encoded_len(&self) -> usize {
        match self {
            Proof::None => 1,
            Proof::Key(_) => 1 + KEY_LEN,
            Proof::KeyHash(_) => 1 + 8,
        }
    }
}

/// Whether a hello introduces a node on a new link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Joining {
    /// A liveness beat on a link that is up.
    No = 0,
    /// The node's first link ever: it is owed only what is relayed from now on.
    Fresh = 1,
    /// A node that was in the cluster before (its hub was lost): it is owed everything it does
    /// not report holding, as far as senders still hold it.
    Again = 2,
}

/// A request to re-send a sender's events from a sequence number on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Nack {
    /// The member that asks.
    pub node: u64,
    /// The sender whose events it lacks.
    pub sender: u64,
    /// The first sequence number it lacks.
    pub from_seq: u64,
}

/// Why the hub says a node left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeftReason {
    /// Its connection closed.
    Closed = 1,
    /// The hub cut it off for not acknowledging in time.
    Evicted = 2,
    /// It stopped sending its liveness beat.
    Silent = 3,
}

/// The hub's word that a node is gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Left {
    /// The hub's epoch: word from another hub's time is ignored.
    pub epoch: u64,
    /// The member that is gone.
    pub node: u64,
    /// Why it is gone.
    pub reason: LeftReason,
}

/// Bytes an event with this topic and payload adds to a frame.
pub fn event_wire_size(topic: &str, payload: &[u8]) -> usize {
    EVENT_OVERHEAD + topic.len() + payload.len()
}

/// Bytes an events frame from `service` takes besides its events.
pub fn frame_overhead(service: &str) -> usize {
    EVENTS_PREFIX_LEN + service.len()
}

/// The `retained_from` of an encoded events frame (`None` if it is too short to have one).
pub fn retained_from_of(frame: &[u8]) -> Option<u64> {
    let field = frame.get(RETAINED_FROM_AT..RETAINED_FROM_AT + 8)?;
    Some(u64::from_le_bytes(field.try_into().ok()?))
}

/// Rewrites the `retained_from` field of an encoded events frame (it changes between sends).
pub fn set_retained_from(frame: &mut [u8], retained_from: u64) {
    if let Some(field) = frame.get_mut(RETAINED_FROM_AT..RETAINED_FROM_AT + 8) {
        field.copy_from_slice(&retained_from.to_le_bytes());
    }
}

/// An events frame being filled. Events are appended in sequence order.
pub struct EventsBatch {
    /// The frame so far: header, `node`, zeroed `retained_from` and range (written by
    /// [`EventsBatch::finish`] and [`set_retained_from`]), service name, a count to be
    /// written, then the events appended.
    buf: Vec<u8>,
    /// The events appended so far: the frame's `count`, written by [`EventsBatch::finish`].
    count: u32,
    /// Where the `count` field starts in `buf` (after the service name, whose length varies).
    count_at: usize,
}

impl EventsBatch {
    /// A batch from `node`, with room for a first event of `event_size` bytes.
    pub fn new(node: u64, service: &str, event_size: usize) -> Self {
        let mut buf = header(Kind::Events, frame_overhead(service) + event_size);
        buf.extend_from_slice(&node.to_le_bytes());
        buf.extend_from_slice(&[0; 24]);
        put_short_str(&mut buf, service);
        let count_at = buf.len();
        buf.extend_from_slice(&0u32.to_le_bytes());
        EventsBatch { buf, count: 0, count_at }
    }

    /// Appends one event; refuses a topic or payload the format cannot carry.
    pub fn push(
        &mut self,
        seq: u64,
        codec: Codec,
        topic: &str,
        payload: &[u8],
    ) -> Result<(), FrameError> {
        if topic.is_empty() || topic.len() > MAX_TOPIC_LEN {
            return Err(FrameError::Invalid("topic length"));
        }
        let payload_len =
            u32::try_from(payload.len()).map_err(|_| FrameError::Invalid("payload length"))?;
        self.buf.extend_from_slice(&seq.to_le_bytes());
        self.buf.push(codec as u8);
        self.buf.extend_from_slice(&(topic.len() as u16).to_le_bytes());
        self.buf.extend_from_slice(topic.as_bytes());
        self.buf.extend_from_slice(&payload_len.to_le_bytes());
        self.buf.extend_from_slice(payload);
        self.count += 1;
        Ok(())
    }

    /// Bytes the frame has so far.
    pub(crate) fn len(&self) -> usize {
        self.buf.len()
    }

    /// The finished frame, accounting for sequence numbers `covers_from..=covers_to` (its
    /// `retained_from` is set when it is sent).
    pub fn finish(mut self, covers_from: u64, covers_to: u64) -> Vec<u8> {
        self.buf[self.count_at..self.count_at + 4].copy_from_slice(&self.count.to_le_bytes());
        self.buf[COVERS_AT..COVERS_AT + 8].copy_from_slice(&covers_from.to_le_bytes());
        self.buf[COVERS_AT + 8..COVERS_AT + 16].copy_from_slice(&covers_to.to_le_bytes());
        self.buf
    }
}

impl Ack {
    /// The frame, encoded.
    pub fn encode(&self) -> Vec<u8> {
        let mut buf = header(Kind::Ack, 24 + self.acks.len() * 16);
        buf.extend_from_slice(&self.node.to_le_bytes());
        buf.extend_from_slice(&self.epoch.to_le_bytes());
        put_pairs(&mut buf, &self.acks);
        buf
    }
}

impl Hello {
    /// A first-epoch hello of a member that has sent and received nothing: a starting point to
    /// adjust with struct update syntax (tests, peers written by hand). A client's joining hello
    /// carries [`NodeKey::sample`] as its key.
    pub fn sample(node: u64, hub: bool, joining: Joining) -> Hello {
        Hello {
            node,
            epoch: 1,
            hub,
            joining,
            service: "peer".into(),
            last_seq: 0,
            retained_from: 1,
            received: vec![],
            members: vec![],
            owed: vec![],
            proof: match joining {
                Joining::Fresh | Joining::Again if !hub => Proof::Key(NodeKey::sample(node)),
                _ => Proof::None,
            },
        }
    }
}

impl Hello {
    /// The frame, encoded.
    pub fn encode(&self) -> Vec<u8> {
        let lists = (self.received.len() + self.members.len() + self.owed.len()) * 16;
        let body = 64 + self.service.len() + lists + self.proof.encoded_len();
        let mut buf = header(Kind::Hello, body);
        buf.extend_from_slice(&self.node.to_le_bytes());
        buf.extend_from_slice(&self.epoch.to_le_bytes());
        buf.push(if self.hub { 1 } else { 2 });
        buf.push(self.joining as u8);
        put_short_str(&mut buf, &self.service);
        buf.extend_from_slice(&self.last_seq.to_le_bytes());
        buf.extend_from_slice(&self.retained_from.to_le_bytes());
        put_pairs(&mut buf, &self.received);
        put_pairs(&mut buf, &self.members);
        put_pairs(&mut buf, &self.owed);
        match self.proof {
            Proof::None => buf.push(0),
            Proof::Key(key) => {
                buf.push(1);
                buf.extend_from_slice(&key.0);
            }
            Proof::KeyHash(hash) => {
                buf.push(2);
                buf.extend_from_slice(&hash.to_le_bytes());
            }
        }
        buf
    }
}

impl Relayed {
    /// The frame, encoded.
    pub fn encode(&self) -> Vec<u8> {
        encode_u64s(Kind::Relayed, [self.node, self.epoch, self.frames])
    }
}

impl Nack {
    /// The frame, encoded.
    pub fn encode(&self) -> Vec<u8> {
        encode_u64s(Kind::Nack, [self.node, self.sender, self.from_seq])
    }
}

impl Interest {
    /// The frame, encoded.
    pub fn encode(&self) -> Vec<u8> {
        let bytes: usize = self.patterns.iter().map(|(p, _)| 6 + p.len()).sum();
        let mut buf = header(Kind::Interest, 20 + bytes);
        buf.extend_from_slice(&self.node.to_le_bytes());
        buf.extend_from_slice(&self.version.to_le_bytes());
        buf.extend_from_slice(&(self.patterns.len() as u32).to_le_bytes());
        for (pattern, listeners) in &self.patterns {
            buf.extend_from_slice(&listeners.to_le_bytes());
            buf.extend_from_slice(&(pattern.len().min(MAX_TOPIC_LEN) as u16).to_le_bytes());
            buf.extend_from_slice(&pattern.as_bytes()[..pattern.len().min(MAX_TOPIC_LEN)]);
        }
        buf
    }
}

impl Left {
    /// The frame, encoded.
    pub fn encode(&self) -> Vec<u8> {
        let mut buf = header(Kind::Left, 17);
        buf.extend_from_slice(&self.epoch.to_le_bytes());
        buf.extend_from_slice(&self.node.to_le_bytes());
        buf.push(self.reason as u8);
        buf
    }
}

/// A frame whose body is three u64 fields.
fn encode_u64s(kind: Kind, fields: [u64; 3]) -> Vec<u8> {
    let mut buf = header(kind, 24);
    for field in fields {
        buf.extend_from_slice(&field.to_le_bytes());
    }
    buf
}

fn header(kind: Kind, body: usize) -> Vec<u8> {
    let mut buf = Vec::with_capacity(HEADER_LEN + body);
    buf.extend_from_slice(&MAGIC);
    buf.extend_from_slice(&[VERSION, kind as u8]);
    buf
}

/// Writes a string of at most 255 bytes, cut at a character boundary if longer.
fn put_short_str(buf: &mut Vec<u8>, s: &str) {
    let mut end = s.len().min(MAX_SERVICE_LEN);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    buf.push(end as u8);
    buf.extend_from_slice(&s.as_bytes()[..end]);
}

fn put_pairs(buf: &mut Vec<u8>, pairs: &[(u64, u64)]) {
    buf.extend_from_slice(&(pairs.len() as u32).to_le_bytes());
    for (a, b) in pairs {
        buf.extend_from_slice(&a.to_le_bytes());
        buf.extend_from_slice(&b.to_le_bytes());
    }
}

/// A frame as it arrived: its bytes and what they decode to, made together by
/// [`Received::decode`], so the two always agree. The node acts on the frame; the hub relays the
/// bytes, exactly as they came, without encoding the frame again.
#[derive(Debug, Clone)]
pub struct Received {
    /// The decoded frame.
    frame: Frame,
    /// The bytes it was decoded from.
    bytes: Bytes,
}

impl Received {
    /// Decodes `bytes` (see [`decode`]) and keeps them with the frame.
    pub fn decode(bytes: Bytes) -> Result<Received, FrameError> {
        Ok(Received { frame: decode(bytes.clone())?, bytes })
    }

    /// The decoded frame.
    pub fn frame(&self) -> &Frame {
        &self.frame
    }

    /// The bytes, as they arrived.
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }

    /// The frame and its bytes, taken apart.
    pub fn into_parts(self) -> (Frame, Bytes) {
        (self.frame, self.bytes)
    }
}

/// Whether `frame` says it is an events frame (its kind byte), without decoding it.
pub fn is_events(frame: &[u8]) -> bool {
    frame.get(HEADER_LEN - 1) == Some(&(Kind::Events as u8))
}

/// Decodes a frame. Events share `bytes`: no topic or payload is copied.
pub fn decode(bytes: Bytes) -> Result<Frame, FrameError> {
    let mut reader = Cursor { bytes: &bytes, at: 0 };
    if reader.take(4)? != MAGIC {
        return Err(FrameError::NotAFrame);
    }
    let version = reader.u8()?;
    if version != VERSION {
        return Err(FrameError::Version(version));
    }
    let frame = match reader.u8()? {
        k if k == Kind::Events as u8 => Frame::Events(decode_events(&mut reader, &bytes)?),
        k if k == Kind::Ack as u8 => {
            let (node, epoch) = (reader.u64()?, reader.epoch()?);
            Frame::Ack(Ack { node, epoch, acks: reader.pairs(usize::MAX)? })
        }
        k if k == Kind::Hello as u8 => Frame::Hello(Hello {
            node: reader.u64()?,
            epoch: reader.epoch()?,
            hub: match reader.u8()? {
                1 => true,
                2 => false,
                _ => return Err(FrameError::Invalid("role")),
            },
            joining: match reader.u8()? {
                0 => Joining::No,
                1 => Joining::Fresh,
                2 => Joining::Again,
                _ => return Err(FrameError::Invalid("joining")),
            },
            service: {
                let len = reader.u8()? as usize;
                reader.utf8(&bytes, len, "service name")?.to_string()
            },
            last_seq: reader.seq()?,
            retained_from: reader.seq()?,
            received: reader.pairs(MAX_LISTED)?,
            members: reader.members(MAX_LISTED)?,
            owed: reader.pairs(MAX_LISTED)?,
            proof: match reader.u8()? {
                0 => Proof::None,
                1 => Proof::Key(NodeKey(reader.array()?)),
                2 => Proof::KeyHash(reader.u64()?),
                _ => return Err(FrameError::Invalid("proof")),
            },
        }),
        k if k == Kind::Nack as u8 => Frame::Nack(Nack {
            node: reader.u64()?,
            sender: reader.u64()?,
            from_seq: reader.seq()?,
        }),
        k if k == Kind::Left as u8 => Frame::Left(Left {
            epoch: reader.epoch()?,
            node: reader.u64()?,
            reason: match reader.u8()? {
                1 => LeftReason::Closed,
                2 => LeftReason::Evicted,
                3 => LeftReason::Silent,
                _ => return Err(FrameError::Invalid("reason")),
            },
        }),
        k if k == Kind::Interest as u8 => Frame::Interest(decode_interest(&mut reader, &bytes)?),
        k if k == Kind::Relayed as u8 => Frame::Relayed(Relayed {
            node: reader.u64()?,
            epoch: reader.epoch()?,
            frames: reader.u64()?,
        }),
        kind => return Err(FrameError::Kind(kind)),
    };
    if reader.at != bytes.len() {
        return Err(FrameError::Truncated);
    }
    Ok(frame)
}

fn decode_interest(reader: &mut Cursor<'_>, bytes: &Bytes) -> Result<Interest, FrameError> {
    let node = reader.u64()?;
    let version = reader.u64()?;
    let count = reader.u32()? as usize;
    if count > reader.remaining() / 7 {
        return Err(FrameError::Truncated);
    }
    let declared = InterestSize { patterns: count, ..InterestSize::default() };
    if let Some(reason) = declared.excess() {
        return Err(FrameError::Invalid(reason));
    }
    // The patterns so far, refused as soon as they are past the budget of a node's interest.
    let mut size = InterestSize::default();
    let patterns = (0..count)
        .map(|_| {
            let listeners = reader.u32()?;
            let len = reader.u16()? as usize;
            let pattern = reader.utf8(bytes, len, "pattern")?;
            crate::topic::check(&pattern, true).map_err(|_| FrameError::Invalid("pattern"))?;
            size.add(&pattern);
            if let Some(reason) = size.excess() {
                return Err(FrameError::Invalid(reason));
            }
            Ok((pattern.to_string(), listeners))
        })
        .collect::<Result<_, FrameError>>()?;
    Ok(Interest { node, version, patterns })
}

fn decode_events(reader: &mut Cursor<'_>, bytes: &Bytes) -> Result<Events, FrameError> {
    let node = reader.u64()?;
    let retained_from = reader.seq()?;
    let covers_from = reader.seq()?;
    let covers_to = reader.seq()?;
    if retained_from == 0 || retained_from > covers_from || covers_from > covers_to {
        return Err(FrameError::Invalid("covered range"));
    }
    let service_len = reader.u8()? as usize;
    let service = reader.utf8(bytes, service_len, "service name")?;
    let count = reader.u32()? as usize;
    let events = Carried::check(bytes.slice(reader.at..), count, covers_from..=covers_to)?;
    reader.at = bytes.len();
    Ok(Events { node, retained_from, covers_from, covers_to, service, events })
}

/// Reads a frame's fields in order, refusing to read past its end.
struct Cursor<'a> {
    /// The whole frame being decoded: offsets into it are offsets into the shared `Bytes` that
    /// topics and payloads are sliced from.
    bytes: &'a [u8],
    /// Where the next field starts: a frame is whole only if decoding ends exactly at its end.
    at: usize,
}

impl<'a> Cursor<'a> {
    fn remaining(&self) -> usize {
        self.bytes.len() - self.at
    }

    /// A sequence number, at most [`MAX_SEQ`].
    fn seq(&mut self) -> Result<u64, FrameError> {
        let seq = self.u64()?;
        if seq > MAX_SEQ {
            return Err(FrameError::Invalid("sequence number out of range"));
        }
        Ok(seq)
    }

    /// An election epoch, at most [`MAX_EPOCH`].
    fn epoch(&mut self) -> Result<u64, FrameError> {
        let epoch = self.u64()?;
        if epoch > MAX_EPOCH {
            return Err(FrameError::Invalid("epoch out of range"));
        }
        Ok(epoch)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], FrameError> {
        if n > self.remaining() {
            return Err(FrameError::Truncated);
        }
        let slice = &self.bytes[self.at..self.at + n];
        self.at += n;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], FrameError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, FrameError> {
        Ok(self.array::<1>()?[0])
    }

    fn u16(&mut self) -> Result<u16, FrameError> {
        Ok(u16::from_le_bytes(self.array()?))
    }

    fn u32(&mut self) -> Result<u32, FrameError> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    fn u64(&mut self) -> Result<u64, FrameError> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    /// The count of a list of entries of `size` bytes: no more than the frame's bytes hold,
    /// and at most `most` (a hello's lists: [`MAX_LISTED`]), checked before anything is read.
    fn count(&mut self, size: usize, most: usize) -> Result<usize, FrameError> {
        let count = self.u32()? as usize;
        if count > self.remaining() / size {
            return Err(FrameError::Truncated);
        }
        if count > most {
            return Err(FrameError::Invalid("hello list longer than 4,096 entries"));
        }
        Ok(count)
    }

    fn pairs(&mut self, most: usize) -> Result<Vec<(u64, u64)>, FrameError> {
        let count = self.count(16, most)?;
        (0..count).map(|_| Ok((self.u64()?, self.seq()?))).collect()
    }

    /// A hello's members: node ids, each with a key hash (any number).
    fn members(&mut self, most: usize) -> Result<Vec<(u64, u64)>, FrameError> {
        let count = self.count(16, most)?;
        (0..count).map(|_| Ok((self.u64()?, self.u64()?))).collect()
    }

    /// A UTF-8 string of `len` bytes, shared with `whole` (which `self.bytes` is a view of).
    fn utf8(
        &mut self,
        whole: &Bytes,
        len: usize,
        what: &'static str,
    ) -> Result<ByteString, FrameError> {
        let start = self.at;
        self.take(len)?;
        ByteString::try_from(whole.slice(start..start + len)).map_err(|_| FrameError::Invalid(what))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch_of(events: &[(u64, Codec, &str, &[u8])]) -> Vec<u8> {
        let mut batch = EventsBatch::new(42, "svc", 64);
        for (seq, codec, topic, payload) in events {
            batch.push(*seq, *codec, topic, payload).unwrap();
        }
        let last = events.last().map_or(0, |e| e.0);
        let mut bytes = batch.finish(1, last);
        set_retained_from(&mut bytes, 1);
        bytes
    }

    #[test]
    fn events_round_trip_and_share_the_frame() {
        let mut bytes =
            batch_of(&[(1, Codec::Json, "a", b"{}"), (2, Codec::Bincode, "b.c", &[1, 2, 3])]);
        set_retained_from(&mut bytes, 1);
        let Frame::Events(frame) = decode(Bytes::from(bytes)).unwrap() else {
            panic!("not events")
        };
        let events: Vec<_> = frame.events.iter().map(|e| frame.event(&e)).collect();
        assert_eq!((frame.node, frame.retained_from, events.len()), (42, 1, 2));
        assert_eq!((frame.covers_from, frame.covers_to), (1, 2));
        assert_eq!((events[0].topic(), events[0].seq(), events[0].codec()), ("a", 1, Codec::Json));
        assert_eq!((events[1].topic(), events[1].payload().as_ref()), ("b.c", &[1u8, 2, 3][..]));
        assert!(events.iter().all(|e| e.node() == 42 && e.service() == "svc"));
    }

    #[test]
    fn control_frames_round_trip() {
        let frames = [
            Frame::Ack(Ack { node: 7, epoch: 3, acks: vec![(1, 10), (2, 20)] }),
            Frame::Hello(Hello {
                node: 7,
                epoch: 3,
                hub: false,
                joining: Joining::Again,
                service: "svc".into(),
                last_seq: 99,
                retained_from: 90,
                received: vec![(5, 6)],
                members: vec![(7, 1), (8, u64::MAX)],
                owed: vec![(7, 3)],
                proof: Proof::Key(NodeKey([9; KEY_LEN])),
            }),
            Frame::Nack(Nack { node: 1, sender: 2, from_seq: 3 }),
            Frame::Left(Left { epoch: 4, node: 9, reason: LeftReason::Evicted }),
            Frame::Interest(Interest {
                node: 3,
                version: 2,
                patterns: vec![("stock.*".into(), 2), ("*".into(), 1)],
            }),
            Frame::Relayed(Relayed { node: 7, epoch: 3, frames: 12 }),
        ];
        for frame in frames {
            let bytes = match &frame {
                Frame::Ack(f) => f.encode(),
                Frame::Hello(f) => f.encode(),
                Frame::Nack(f) => f.encode(),
                Frame::Left(f) => f.encode(),
                Frame::Interest(f) => f.encode(),
                Frame::Relayed(f) => f.encode(),
                Frame::Events(_) => unreachable!(),
            };
            assert_eq!(decode(Bytes::from(bytes)).unwrap(), frame);
        }
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let events = batch_of(&[(1, Codec::Json, "topic", b"[1,2,3]")]);
        let hello = Hello {
            node: 1,
            epoch: 1,
            hub: true,
            joining: Joining::No,
            service: "s".into(),
            last_seq: 0,
            retained_from: 1,
            received: vec![(1, 1)],
            members: vec![(2, 5)],
            owed: vec![(3, 4)],
            proof: Proof::KeyHash(6),
        }
        .encode();
        for bytes in [events, hello] {
            for len in 0..bytes.len() {
                assert!(
                    decode(Bytes::copy_from_slice(&bytes[..len])).is_err(),
                    "prefix of {len} bytes"
                );
            }
        }
    }

    #[test]
    fn a_hello_may_list_at_most_max_listed_entries_in_each_list() {
        let listing = |n: usize| Hello {
            received: (0..n as u64).map(|s| (s, 1)).collect(),
            members: (0..n as u64).map(|s| (s, s)).collect(),
            owed: (0..n as u64).map(|s| (s, 1)).collect(),
            ..Hello::sample(1, false, Joining::Again)
        };
        let most = listing(MAX_LISTED).encode();
        assert!(decode(Bytes::from(most.clone())).is_ok());
        assert!(most.len() < 200 * 1024, "a hello stays small: {} bytes", most.len());
        for one_more in [
            Hello { received: listing(MAX_LISTED + 1).received, ..listing(0) },
            Hello { members: listing(MAX_LISTED + 1).members, ..listing(0) },
            Hello { owed: listing(MAX_LISTED + 1).owed, ..listing(0) },
        ] {
            assert_eq!(
                decode(Bytes::from(one_more.encode())).unwrap_err(),
                FrameError::Invalid("hello list longer than 4,096 entries")
            );
        }
    }

    #[test]
    fn bad_frames_say_why() {
        let good = batch_of(&[(1, Codec::Json, "t", b"1")]);
        let count_at = EVENTS_PREFIX_LEN + 3 - 4;
        let mut wrong_version = good.clone();
        wrong_version[4] = 9;
        let mut trailing = good.clone();
        trailing.push(0);
        let mut bad_codec = good.clone();
        bad_codec[EVENTS_PREFIX_LEN + 3 + 8] = 7;
        let mut outside = good.clone();
        outside[EVENTS_PREFIX_LEN + 3..EVENTS_PREFIX_LEN + 11].copy_from_slice(&5u64.to_le_bytes());
        let mut huge_count = good.clone();
        huge_count[count_at..count_at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        // A peer's event on a reserved topic would pass for this emitter's own notice.
        let reserved = batch_of(&[(1, Codec::Json, "$lagged", b"{}")]);
        let wildcard = batch_of(&[(1, Codec::Json, "a.*", b"1")]);
        let cases: [(&[u8], FrameError); 9] = [
            (&reserved, FrameError::Invalid("topic")),
            (&wildcard, FrameError::Invalid("topic")),
            (
                &outside,
                FrameError::Invalid("sequence number outside the covered range or out of order"),
            ),
            (b"garbage!", FrameError::NotAFrame),
            (&wrong_version, FrameError::Version(9)),
            (&trailing, FrameError::Truncated),
            (&bad_codec, FrameError::Invalid("codec")),
            (&huge_count, FrameError::Truncated),
            (b"NMTR\x03\x09", FrameError::Kind(9)),
        ];
        for (bytes, expected) in cases {
            assert_eq!(decode(Bytes::copy_from_slice(bytes)).unwrap_err(), expected);
        }
    }

    #[test]
    fn an_interest_frame_may_carry_at_most_the_patterns_a_node_may_have() {
        use crate::topic::{MAX_INTEREST_BYTES, MAX_INTEREST_SEGMENTS, MAX_PATTERNS};
        let decoded = |patterns: Vec<String>| {
            let patterns = patterns.into_iter().map(|pattern| (pattern, 1)).collect();
            decode(Bytes::from(Interest { node: 1, version: 1, patterns }.encode()))
        };
        let refusal = |decoded: Result<Frame, FrameError>| match decoded {
            Err(FrameError::Invalid(reason)) => reason,
            other => panic!("not refused as invalid: {other:?}"),
        };
        let numbered = |n: usize| (0..n).map(|i| format!("p{i}")).collect::<Vec<_>>();
        assert!(decoded(numbered(MAX_PATTERNS)).is_ok());
        assert!(refusal(decoded(numbered(MAX_PATTERNS + 1))).starts_with("more patterns"));
        // Patterns of 64 bytes: 4,096 of them are the most bytes a node may listen to.
        let long = |n: usize| (0..n).map(|i| format!("{i:064}")).collect::<Vec<_>>();
        assert!(decoded(long(MAX_INTEREST_BYTES / 64)).is_ok());
        let mut one_byte_more = long(MAX_INTEREST_BYTES / 64);
        one_byte_more[0].push('0');
        assert!(refusal(decoded(one_byte_more)).starts_with("more bytes"));
        // Patterns of 8 segments: 4,096 of them are the most segments a node may listen to.
        let deep = |n: usize| (0..n).map(|i| format!("{i}.a.b.c.d.e.f.g")).collect::<Vec<_>>();
        assert!(decoded(deep(MAX_INTEREST_SEGMENTS / 8)).is_ok());
        let mut one_segment_more = deep(MAX_INTEREST_SEGMENTS / 8);
        one_segment_more[0].push_str(".h");
        assert!(refusal(decoded(one_segment_more)).starts_with("more segments"));
    }

    #[test]
    fn numbers_out_of_range_are_refused_so_no_arithmetic_can_overflow() {
        let mut past_max = batch_of(&[(1, Codec::Json, "t", b"1")]);
        past_max[COVERS_AT + 8..COVERS_AT + 16].copy_from_slice(&u64::MAX.to_le_bytes());
        assert_eq!(
            decode(Bytes::from(past_max)).unwrap_err(),
            FrameError::Invalid("sequence number out of range")
        );
        let mut no_retention = batch_of(&[(1, Codec::Json, "t", b"1")]);
        set_retained_from(&mut no_retention, 0);
        assert_eq!(
            decode(Bytes::from(no_retention)).unwrap_err(),
            FrameError::Invalid("covered range")
        );
        let hello = |epoch| Hello {
            node: 1,
            epoch,
            hub: false,
            joining: Joining::No,
            service: "s".into(),
            last_seq: 0,
            retained_from: 1,
            received: vec![],
            members: vec![],
            owed: vec![],
            proof: Proof::None,
        };
        assert_eq!(
            decode(Bytes::from(hello(u64::MAX).encode())).unwrap_err(),
            FrameError::Invalid("epoch out of range")
        );
        assert!(decode(Bytes::from(hello(MAX_EPOCH).encode())).is_ok());
        let ack = Ack { node: 1, epoch: 1, acks: vec![(2, u64::MAX)] };
        assert_eq!(
            decode(Bytes::from(ack.encode())).unwrap_err(),
            FrameError::Invalid("sequence number out of range")
        );
    }
}
