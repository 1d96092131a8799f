//! Frames for the fuzz targets: generators of valid frames of every kind, the seed frames of the
//! committed corpus, mutations of encoded frames, and the re-encoding of a decoded frame.
//!
//! Owns: what the targets feed the decoder and the protocol core, and the round-trip property
//! every decoded frame must satisfy ([`assert_round_trip`]). It must not hold targets: those are
//! in the sibling modules.
//!
//! Numbers are drawn mostly from small values and the bounds of the wire format ([`MAX_SEQ`],
//! [`MAX_EPOCH`]), and node ids mostly from the few ids the protocol targets use, so that forged
//! frames name the node under test, its hub and its peers instead of ids nobody knows.

use crate::event::Codec;
use crate::identity::NodeKey;
use crate::wire::{
    self, Ack, EventsBatch, Frame, Hello, Interest, Joining, Left, LeftReason, Nack, Proof,
    Relayed, MAX_EPOCH, MAX_SEQ,
};
use bolero::generator::{constant, one_of, one_value_of, produce, TypeGenerator, ValueGenerator};
use bytes::Bytes;
use std::sync::LazyLock;

/// The node under test in the protocol targets.
pub(super) const ME: u64 = 2;
/// The hub the node under test dials, as a client.
pub(super) const HUB: u64 = 9;
/// Other members of the cluster.
pub(super) const PEERS: [u64; 2] = [7, 8];

/// A node id: mostly one the protocol targets know, sometimes any.
pub(super) fn node_ids() -> impl ValueGenerator<Output = u64> {
    one_of((one_value_of([ME, HUB, PEERS[0], PEERS[1], 0, u64::MAX]), produce::<u64>()))
}

/// A sequence number: small, at the bound, or anywhere in range.
pub(super) fn seqs() -> impl ValueGenerator<Output = u64> {
    one_of((0..=6u64, one_value_of([MAX_SEQ - 1, MAX_SEQ]), 0..=MAX_SEQ))
}

/// Three sequence numbers, for an events frame's range.
fn seq_triples() -> impl ValueGenerator<Output = (u64, u64, u64)> {
    (seqs(), seqs(), seqs())
}

/// An election epoch: small, at the bound, or anywhere in range.
fn epochs() -> impl ValueGenerator<Output = u64> {
    one_of((0..=3u64, one_value_of([MAX_EPOCH - 1, MAX_EPOCH]), 0..=MAX_EPOCH))
}

/// (node, sequence number) pairs, as in acks and hellos.
fn pair_lists() -> impl ValueGenerator<Output = Vec<(u64, u64)>> {
    produce::<Vec<(u64, u64)>>().with().values((node_ids(), seqs())).len(0usize..5)
}

fn services() -> impl ValueGenerator<Output = String> {
    one_of((
        one_value_of(["", "svc", "peer", "ünï"]).map_gen(String::from),
        produce::<String>().with().len(0usize..12),
    ))
}

/// A topic or pattern: mostly from segments the protocol targets listen to, with wildcards,
/// reserved and malformed ones; sometimes any text. Never empty.
pub(super) fn topics() -> impl ValueGenerator<Output = String> {
    let segment = one_value_of(["a", "b", "x", "c", "t", "*", ">", "$peer", "", "é"]);
    one_of((
        produce::<Vec<String>>()
            .with()
            .values(segment.map_gen(String::from))
            .len(1usize..4)
            .map_gen(|segments| segments.join(".")),
        produce::<String>().with().len(1usize..12),
    ))
    .filter_gen(|topic| !topic.is_empty())
}

/// A topic `emit` accepts (what an events frame may carry).
pub(super) fn emitted_topics() -> impl ValueGenerator<Output = String> {
    topics().filter_gen(|topic| crate::topic::check(topic, false).is_ok())
}

/// Whether a codec byte names JSON rather than bincode.
fn codec(json: bool) -> Codec {
    if json {
        Codec::Json
    } else {
        Codec::Bincode
    }
}

/// A valid frame of any kind, built by [`FrameSpec::encode`].
#[derive(Debug, Clone, TypeGenerator)]
pub(super) enum FrameSpec {
    Events(EventsSpec),
    Ack {
        #[generator(node_ids())]
        node: u64,
        #[generator(epochs())]
        epoch: u64,
        #[generator(pair_lists())]
        acks: Vec<(u64, u64)>,
    },
    Hello(HelloSpec),
    Nack {
        #[generator(node_ids())]
        node: u64,
        #[generator(node_ids())]
        sender: u64,
        #[generator(seqs())]
        from_seq: u64,
    },
    Left {
        #[generator(epochs())]
        epoch: u64,
        #[generator(node_ids())]
        node: u64,
        #[generator(one_value_of([LeftReason::Closed, LeftReason::Evicted, LeftReason::Silent]))]
        reason: LeftReason,
    },
    Interest {
        #[generator(node_ids())]
        node: u64,
        #[generator(one_of((0..=4u64, produce::<u64>())))]
        version: u64,
        /// Patterns the grammar refuses are left out.
        #[generator(produce::<Vec<(String, u32)>>().with().values((topics(), 0..=3u32)).len(0usize..5))]
        patterns: Vec<(String, u32)>,
    },
    Relayed {
        #[generator(node_ids())]
        node: u64,
        #[generator(epochs())]
        epoch: u64,
        frames: u64,
    },
}

/// An events frame: three sequence numbers (sorted into `retained_from <= covers_from <=
/// covers_to`) and events spaced by their gaps from `covers_from`, as far as the range goes.
#[derive(Debug, Clone, TypeGenerator)]
pub(super) struct EventsSpec {
    #[generator(node_ids())]
    node: u64,
    #[generator(seq_triples())]
    range: (u64, u64, u64),
    #[generator(services())]
    service: String,
    #[generator(produce::<Vec<EventSpec>>().with().len(0usize..6))]
    events: Vec<EventSpec>,
}

#[derive(Debug, Clone, TypeGenerator)]
pub(super) struct EventSpec {
    /// Sequence numbers skipped before this event.
    #[generator(one_of((constant(0), 0..=3u64)))]
    gap: u64,
    json: bool,
    #[generator(emitted_topics())]
    topic: String,
    #[generator(produce::<Vec<u8>>().with().len(0usize..24))]
    payload: Vec<u8>,
}

#[derive(Debug, Clone, TypeGenerator)]
pub(super) struct HelloSpec {
    #[generator(node_ids())]
    node: u64,
    #[generator(epochs())]
    epoch: u64,
    hub: bool,
    #[generator(one_value_of([Joining::No, Joining::Fresh, Joining::Again]))]
    joining: Joining,
    #[generator(services())]
    service: String,
    #[generator(seqs())]
    last_seq: u64,
    #[generator(seqs())]
    retained_from: u64,
    #[generator(pair_lists())]
    received: Vec<(u64, u64)>,
    #[generator(produce::<Vec<u64>>().with().values(node_ids()).len(0usize..4))]
    members: Vec<u64>,
    #[generator(pair_lists())]
    owed: Vec<(u64, u64)>,
    /// 0: no proof, 1: the node's own (sample) key, 2: another key, 3: a key hash.
    #[generator(0u8..4)]
    proof: u8,
}

impl FrameSpec {
    /// The frame's bytes. They always decode: the spec only holds values the format accepts, or
    /// values this makes valid (sorted ranges, patterns the grammar accepts).
    pub(super) fn encode(&self) -> Vec<u8> {
        match self {
            FrameSpec::Events(events) => events.encode(),
            FrameSpec::Ack { node, epoch, acks } => {
                Ack { node: *node, epoch: *epoch, acks: acks.clone() }.encode()
            }
            FrameSpec::Hello(hello) => hello.to_hello().encode(),
            FrameSpec::Nack { node, sender, from_seq } => {
                Nack { node: *node, sender: *sender, from_seq: *from_seq }.encode()
            }
            FrameSpec::Left { epoch, node, reason } => {
                Left { epoch: *epoch, node: *node, reason: *reason }.encode()
            }
            FrameSpec::Interest { node, version, patterns } => {
                let patterns = patterns
                    .iter()
                    .filter(|(pattern, _)| crate::topic::check(pattern, true).is_ok())
                    .cloned()
                    .collect();
                Interest { node: *node, version: *version, patterns }.encode()
            }
            FrameSpec::Relayed { node, epoch, frames } => {
                Relayed { node: *node, epoch: *epoch, frames: *frames }.encode()
            }
        }
    }
}

impl EventsSpec {
    pub(super) fn encode(&self) -> Vec<u8> {
        let (a, b, c) = self.range;
        let mut range = [a.max(1), b.max(1), c.max(1)];
        range.sort_unstable();
        let [retained_from, covers_from, covers_to] = range;
        let mut batch = EventsBatch::new(self.node, &self.service, 0);
        let mut next = covers_from;
        for event in &self.events {
            let seq = next.saturating_add(event.gap);
            if seq > covers_to {
                break;
            }
            batch
                .push(seq, codec(event.json), &event.topic, &event.payload)
                .expect("a topic and payload the format carries");
            next = seq + 1;
        }
        let mut bytes = batch.finish(covers_from, covers_to);
        wire::set_retained_from(&mut bytes, retained_from);
        bytes
    }
}

impl HelloSpec {
    fn to_hello(&self) -> Hello {
        Hello {
            node: self.node,
            epoch: self.epoch,
            hub: self.hub,
            joining: self.joining,
            service: self.service.clone(),
            last_seq: self.last_seq,
            retained_from: self.retained_from,
            received: self.received.clone(),
            members: self.members.iter().map(|&node| (node, node)).collect(),
            owed: self.owed.clone(),
            proof: match self.proof {
                0 => Proof::None,
                1 => Proof::Key(NodeKey::sample(self.node)),
                2 => Proof::Key(NodeKey::sample(!self.node)),
                _ => Proof::KeyHash(self.node),
            },
        }
    }
}

/// A change to an encoded frame, as a faulty or hostile peer might make it. Offsets wrap around
/// the frame's length.
#[derive(Debug, Clone, TypeGenerator)]
pub(super) enum Mutation {
    FlipBit {
        at: u16,
        #[generator(0..8u8)]
        bit: u8,
    },
    Truncate {
        keep: u16,
    },
    /// Adds to the little-endian `u32` at `at` (counts and lengths), wrapping.
    Extend {
        at: u16,
        #[generator(one_of((1..=3u32, one_value_of([u32::MAX, 1 << 31, 1 << 16]))))]
        by: u32,
    },
    /// Writes an extreme `u64` at `at` (ids, sequence numbers, epochs).
    Extreme {
        at: u16,
        #[generator(one_value_of([0, 1, MAX_SEQ, MAX_SEQ + 1, MAX_EPOCH, MAX_EPOCH + 1, u64::MAX]))]
        value: u64,
    },
    Insert {
        at: u16,
        #[generator(produce::<Vec<u8>>().with().len(1usize..8))]
        bytes: Vec<u8>,
    },
    Remove {
        at: u16,
        #[generator(1..8u16)]
        len: u16,
    },
}

impl Mutation {
    pub(super) fn apply(&self, frame: &mut Vec<u8>) {
        let at = |offset: u16| usize::from(offset) % frame.len().max(1);
        match self {
            Mutation::FlipBit { at: offset, bit } => {
                let i = at(*offset);
                if let Some(byte) = frame.get_mut(i) {
                    *byte ^= 1 << bit;
                }
            }
            Mutation::Truncate { keep } => frame.truncate(at(*keep)),
            Mutation::Extend { at: offset, by } => {
                let i = at(*offset);
                if let Some(field) = frame.get_mut(i..i + 4) {
                    let value = u32::from_le_bytes(field.try_into().expect("4 bytes"));
                    field.copy_from_slice(&value.wrapping_add(*by).to_le_bytes());
                }
            }
            Mutation::Extreme { at: offset, value } => {
                let i = at(*offset);
                if let Some(field) = frame.get_mut(i..i + 8) {
                    field.copy_from_slice(&value.to_le_bytes());
                }
            }
            Mutation::Insert { at: offset, bytes } => {
                let i = at(*offset);
                frame.splice(i..i, bytes.iter().copied());
            }
            Mutation::Remove { at: offset, len } => {
                let i = at(*offset);
                let end = (i + usize::from(*len)).min(frame.len());
                frame.drain(i..end);
            }
        }
    }
}

/// The canonical bytes of a decoded frame.
pub(super) fn reencode(frame: &Frame) -> Vec<u8> {
    match frame {
        Frame::Events(events) => {
            let mut batch = EventsBatch::new(events.node, &events.service, 0);
            for event in &events.events {
                batch
                    .push(event.seq, event.codec, event.topic, event.payload())
                    .expect("a decoded event re-encodes");
            }
            let mut bytes = batch.finish(events.covers_from, events.covers_to);
            wire::set_retained_from(&mut bytes, events.retained_from);
            bytes
        }
        Frame::Ack(ack) => ack.encode(),
        Frame::Hello(hello) => hello.encode(),
        Frame::Nack(nack) => nack.encode(),
        Frame::Left(left) => left.encode(),
        Frame::Interest(interest) => interest.encode(),
        Frame::Relayed(relayed) => relayed.encode(),
    }
}

/// `frame` was decoded from `bytes`: re-encoding it gives `bytes` back, and those decode to the
/// same frame.
pub(super) fn assert_round_trip(bytes: &[u8], frame: &Frame) {
    let again = reencode(frame);
    assert_eq!(again, bytes, "a decoded frame re-encodes to other bytes: {frame:?}");
    let decoded = wire::decode(Bytes::from(again)).expect("a re-encoded frame decodes");
    assert_eq!(&decoded, frame, "a re-encoded frame decodes to another frame");
}

/// The bytes of seed `index` (wrapping around the seeds).
pub(super) fn seed(index: u8) -> &'static [u8] {
    static SEEDS: LazyLock<Vec<(&'static str, Vec<u8>)>> = LazyLock::new(seeds);
    &SEEDS[usize::from(index) % SEEDS.len()].1
}

/// The seed frames, by name: one or more valid frames of every kind, with numbers at the
/// bounds, and malformed frames of each way a frame can be refused. The committed corpus holds
/// exactly these (see `corpus.rs`); the structured targets mutate them.
pub(super) fn seeds() -> Vec<(&'static str, Vec<u8>)> {
    let event = |gap, json, topic: &str, payload: &[u8]| EventSpec {
        gap,
        json,
        topic: topic.to_owned(),
        payload: payload.to_vec(),
    };
    let events = |range, service: &str, list: Vec<EventSpec>| {
        EventsSpec { node: PEERS[0], range, service: service.to_owned(), events: list }.encode()
    };
    let one_event = events((1, 1, 1), "peer", vec![event(0, true, "a.x", b"{\"n\":1}")]);
    let mut hello = Hello::sample(PEERS[0], false, Joining::Fresh);
    let client_hello = hello.encode();
    hello.joining = Joining::Again;
    hello.received = vec![(HUB, 3), (PEERS[1], 5)];
    hello.last_seq = 4;
    hello.retained_from = 2;
    let rejoining_hello = hello.encode();
    let hub_hello = Hello {
        node: HUB,
        hub: true,
        joining: Joining::No,
        members: vec![(ME, 0), (PEERS[0], 0), (PEERS[1], 0)],
        owed: vec![(PEERS[1], 2)],
        ..hello.clone()
    }
    .encode();
    let bounds_hello = Hello {
        epoch: MAX_EPOCH,
        last_seq: MAX_SEQ,
        retained_from: MAX_SEQ,
        received: vec![(ME, MAX_SEQ)],
        owed: vec![(ME, MAX_SEQ)],
        ..hello.clone()
    }
    .encode();
    let mut past_max_seq = one_event.clone();
    past_max_seq[6 + 8 + 16..6 + 8 + 24].copy_from_slice(&(MAX_SEQ + 1).to_le_bytes());
    let mut huge_count = one_event.clone();
    let count_at = 6 + 8 + 24 + 1 + "peer".len();
    huge_count[count_at..count_at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
    let mut bad_utf8 = one_event.clone();
    let topic_at = count_at + 4 + 8 + 1 + 2;
    bad_utf8[topic_at] = 0xff;
    let mut trailing = client_hello.clone();
    trailing.push(0);
    let mut wrong_version = client_hello.clone();
    wrong_version[4] = wire::VERSION + 1;
    let interest = |patterns: &[(&str, u32)]| {
        let patterns = patterns.iter().map(|(p, n)| (p.to_string(), *n)).collect();
        Interest { node: PEERS[0], version: 1, patterns }.encode()
    };
    vec![
        ("events-one", one_event),
        (
            "events-gaps-both-codecs",
            events(
                (1, 3, 9),
                "peer",
                vec![
                    event(0, true, "a.x", b"[1,2]"),
                    event(2, false, "b.x", &[1, 2, 3]),
                    event(0, true, "c", b"null"),
                ],
            ),
        ),
        ("events-none", events((4, 5, 8), "", vec![])),
        (
            "events-at-max-seq",
            events((MAX_SEQ, MAX_SEQ, MAX_SEQ), "peer", vec![event(0, true, "t", b"1")]),
        ),
        ("ack-empty", Ack { node: PEERS[0], epoch: 1, acks: vec![] }.encode()),
        ("ack-pairs", Ack { node: PEERS[0], epoch: 1, acks: vec![(ME, 1), (HUB, 4)] }.encode()),
        ("ack-at-bounds", Ack { node: HUB, epoch: MAX_EPOCH, acks: vec![(ME, MAX_SEQ)] }.encode()),
        ("hello-client-fresh", client_hello.clone()),
        ("hello-client-again", rejoining_hello),
        ("hello-hub-members-owed", hub_hello),
        ("hello-at-bounds", bounds_hello),
        ("nack", Nack { node: PEERS[0], sender: ME, from_seq: 1 }.encode()),
        ("nack-at-max-seq", Nack { node: PEERS[0], sender: ME, from_seq: MAX_SEQ }.encode()),
        ("left-closed", Left { epoch: 1, node: PEERS[0], reason: LeftReason::Closed }.encode()),
        ("left-evicted", Left { epoch: 1, node: ME, reason: LeftReason::Evicted }.encode()),
        ("left-silent", Left { epoch: MAX_EPOCH, node: HUB, reason: LeftReason::Silent }.encode()),
        ("interest-none", interest(&[])),
        (
            "interest-patterns",
            interest(&[("a.*", 1), ("b.x", 2), ("c.>", 1), ("*", 1), ("$peer.*", 1)]),
        ),
        ("relayed", Relayed { node: HUB, epoch: 1, frames: 3 }.encode()),
        ("relayed-at-bounds", Relayed { node: HUB, epoch: MAX_EPOCH, frames: u64::MAX }.encode()),
        ("bad-not-a-frame", b"garbage!".to_vec()),
        ("bad-header-only", client_hello[..6].to_vec()),
        ("bad-wrong-version", wrong_version),
        ("bad-unknown-kind", b"NMTR\x03\x09".to_vec()),
        ("bad-trailing-byte", trailing),
        ("bad-seq-past-max", past_max_seq),
        ("bad-huge-count", huge_count),
        ("bad-topic-not-utf8", bad_utf8),
        ("bad-epoch-past-max", Ack { node: PEERS[0], epoch: MAX_EPOCH + 1, acks: vec![] }.encode()),
        ("bad-pattern", interest(&[("a..b", 1)])),
    ]
}
