//! Adversaries: peers that connect to the hub like a client and send well-formed frames meant to
//! hurt the cluster, one kind of attack each.
//!
//! Owns: the kinds of attack, when a run has them (drawn from a generator of their own, seeded
//! from the run's seed, so a seed whose draw has no attack runs as it would without them), and
//! what each one does: when to connect, what to send and when to close. It must not judge the
//! outcome, and it never reaches into a node: it makes frames with [`crate::wire`] (each one
//! decodes) and the world carries its moves out on connections whose client end is not a node
//! (what the hub sends there is dropped, and nothing is acknowledged unless a frame here does).

use super::Rng;
use crate::credential::Claims;
use crate::event::Codec;
use crate::hashing::{Map, Set};
use crate::topic::MAX_INTEREST_SEGMENTS;
use crate::wire::{
    self, Ack, EventsBatch, Hello, Interest, Joining, Left, LeftReason, Nack, MAX_LISTED,
};
use bytes::Bytes;
use std::time::Duration;

/// Salt of the adversaries' generator: the run's seed, xor this, seeds it.
const SALT: u64 = 0xAD7E_45A2_1E5D_0001;
/// Share of runs (percent) that have attacks; those have one or two.
const RUNS_ATTACKED: u64 = 40;
/// Adversary ids announcing an interest at the largest a node may have, at most: more than the
/// four nodes at their largest whose interests the hub and each member keep in full.
const INTEREST_ADVERSARIES: u64 = 6;
/// Segments of each pattern in an interest at its largest: so many patterns that they add up
/// to [`MAX_INTEREST_SEGMENTS`].
const SEGMENTS_PER_PATTERN: usize = 16;
/// The topic of events forged in a member's name: one listeners of `a.*`, `a.>` and `*` take,
/// and no member emits.
const FORGED_TOPIC: &str = "a.forged";
/// The one topic a scoped adversary's credential lets it publish (and receive).
const SCOPED_TOPIC: &str = "a.scoped";

/// A kind of attack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Attack {
    /// A hello joining again that names up to [`MAX_LISTED`] members that never existed, for
    /// the hub to await.
    AwaitBomb,
    /// Connect, say a fresh hello, close without a goodbye, every 0.95 s for a few seconds.
    Churn,
    /// A first hello in the id of a member (one that linked once: no other id is known), with a
    /// key of the adversary's, then events in its name with its next sequence numbers. Half the
    /// time the member is not linked at the moment (frozen, partitioned off or between two
    /// links), when there is one: its id stays bound to its key at the hub, and at the next hub,
    /// all the same.
    Takeover,
    /// Acknowledgements naming thousands of made-up senders per frame.
    ForgedAcks,
    /// Requests to re-send a real sender's events, again and again, never acknowledging.
    NackFlood,
    /// Interest announcements at the largest a node may have, from several ids.
    LargestInterest,
    /// A few events, then a hello claiming a last sequence number and a retained-from far
    /// ahead of them: receivers count as lost what was never sent.
    LaggedClaim,
    /// A member with a scoped credential (it may publish and receive [`SCOPED_TOPIC`] only)
    /// tries every frame its scope or the rules of who may say what forbid: a hello as the hub,
    /// events, acknowledgements, a request, an interest and a goodbye in a live member's name,
    /// and events on a topic it may not publish (its connection is then closed, as the hub's
    /// link does), connecting again after each.
    Scoped,
}

impl Attack {
    const ALL: [Attack; 8] = [
        Attack::AwaitBomb,
        Attack::Churn,
        Attack::Takeover,
        Attack::ForgedAcks,
        Attack::NackFlood,
        Attack::LargestInterest,
        Attack::LaggedClaim,
        Attack::Scoped,
    ];
}

/// One thing an adversary does: `peer` numbers its connections within the attack.
#[derive(Debug, Clone)]
pub(super) struct Move {
    pub(super) peer: usize,
    pub(super) act: Act,
}

/// What a [`Move`] does on its peer's connection.
#[derive(Debug, Clone)]
pub(super) enum Act {
    /// Connect to the hub of the moment (closing the peer's previous connection, if any), with
    /// a scoped credential's claims or as a full member (`None`).
    Connect(Option<Claims>),
    /// Send a frame, if the connection is up.
    Send(Bytes),
    /// Close the connection, without a goodbye.
    Close,
}

/// A member (not killed, linked once) an attack may aim at.
pub(super) struct Member {
    /// Its index in the world, for the trace.
    pub(super) index: usize,
    pub(super) id: u64,
    /// The last sequence number it emitted (0: none yet).
    pub(super) last_seq: u64,
    /// Linked and heard from: not frozen, not partitioned off.
    pub(super) live: bool,
}

/// What an attack does: its moves, each with when it comes after the attack's start, and a
/// line saying whom it aims at.
pub(super) struct Plan {
    pub(super) about: String,
    pub(super) moves: Vec<(Duration, Move)>,
}

/// The adversaries of a run: their generator and the ids they made up.
pub(super) struct Adversaries {
    rng: Rng,
    /// Node ids the adversaries made up (not those of members they took over): their events
    /// are not the workload's, and what receivers are told about them is not judged.
    pub(super) ids: Set<u64>,
    /// The ids of scoped adversaries, with their claims: no member may deliver an event of
    /// theirs on a topic the claims do not let them publish, nor take them for its hub.
    pub(super) scoped: Map<u64, Claims>,
}

impl Adversaries {
    pub(super) fn new(seed: u64) -> Adversaries {
        Adversaries { rng: Rng::new(seed ^ SALT), ids: Set::default(), scoped: Map::default() }
    }

    /// The attacks of a run and when each starts, within `active` and early enough for the
    /// longest to be over before it ends: none in most runs, one or two in some.
    pub(super) fn schedule(&mut self, active: Duration) -> Vec<(Duration, Attack)> {
        if !self.rng.chance(RUNS_ATTACKED) {
            return Vec::new();
        }
        let latest = active.as_millis() as u64 - 5000;
        (0..self.rng.between(1, 3))
            .map(|_| {
                let at = Duration::from_millis(self.rng.between(1800, latest));
                (at, Attack::ALL[self.rng.below(Attack::ALL.len() as u64) as usize])
            })
            .collect()
    }

    /// What `attack` does against the `members` of the cluster (at least one of them live).
    pub(super) fn plan(&mut self, attack: Attack, members: &[Member]) -> Plan {
        let mut moves = Vec::new();
        let ms = Duration::from_millis;
        let mut at =
            |after: u64, peer: usize, act: Act| moves.push((ms(after), Move { peer, act }));
        let about = match attack {
            Attack::AwaitBomb => {
                let id = self.made_up_id();
                let listed = self.rng.between(MAX_LISTED as u64 / 2, MAX_LISTED as u64 + 1);
                let members = (0..listed).map(|_| self.rng.next()).collect();
                at(0, 0, Act::Connect(None));
                at(1, 0, Act::Send(hello(id, Joining::Again, 0, members)));
                format!("{id:x} names {listed} made-up members")
            }
            Attack::Churn => {
                let same = self.rng.chance(50);
                let mut id = self.made_up_id();
                let rounds = self.rng.between(3, 7);
                for round in 0..rounds {
                    if !same && round > 0 {
                        id = self.made_up_id();
                    }
                    let start = round * 950;
                    at(start, 0, Act::Connect(None));
                    at(start + 1, 0, Act::Send(hello(id, Joining::Fresh, 0, vec![])));
                    at(start + self.rng.between(20, 500), 0, Act::Close);
                }
                let ids = if same { "one id" } else { "a new id each time" };
                format!("{rounds} rounds, {ids}")
            }
            Attack::Takeover => {
                let unlinked: Vec<&Member> = members.iter().filter(|m| !m.live).collect();
                let pool: Vec<&Member> = if !unlinked.is_empty() && self.rng.chance(50) {
                    unlinked
                } else {
                    members.iter().collect()
                };
                let victim = pool[self.rng.below(pool.len() as u64) as usize];
                at(0, 0, Act::Connect(None));
                at(1, 0, Act::Send(hello(victim.id, Joining::Fresh, victim.last_seq, vec![])));
                for step in 1..=self.rng.between(1, 5) {
                    let seq = victim.last_seq + step;
                    let mut batch = EventsBatch::new(victim.id, "forged", 64);
                    batch.push(seq, Codec::Json, FORGED_TOPIC, b"{}").expect("a short topic");
                    let mut frame = batch.finish(seq, seq);
                    wire::set_retained_from(&mut frame, seq);
                    at(1 + step * 5, 0, Act::Send(Bytes::from(frame)));
                }
                format!(
                    "of n{} ({:x}) after its event {}",
                    victim.index, victim.id, victim.last_seq
                )
            }
            Attack::ForgedAcks => {
                let id = self.made_up_id();
                at(0, 0, Act::Connect(None));
                at(1, 0, Act::Send(hello(id, Joining::Fresh, 0, vec![])));
                let frames = self.rng.between(2, 6);
                for frame in 0..frames {
                    let pairs = self.rng.between(1000, 5000);
                    let acks = (0..pairs)
                        .map(|_| (self.rng.next(), self.rng.between(1, 1 << 20)))
                        .collect();
                    let ack = Ack { node: id, epoch: 1, acks };
                    at(10 + frame * 50, 0, Act::Send(Bytes::from(ack.encode())));
                }
                format!("{id:x} sends {frames} frames")
            }
            Attack::NackFlood => {
                let id = self.made_up_id();
                let sender = &members[self.rng.below(members.len() as u64) as usize];
                at(0, 0, Act::Connect(None));
                at(1, 0, Act::Send(hello(id, Joining::Fresh, 0, vec![])));
                let every = self.rng.between(5, 100);
                let from_seq = self.rng.between(1, sender.last_seq + 2);
                let nack = Nack { node: id, sender: sender.id, from_seq }.encode();
                let until = self.rng.between(1000, 3000);
                for after in (10..until).step_by(every as usize) {
                    at(after, 0, Act::Send(Bytes::from(nack.clone())));
                }
                format!("{id:x} for n{} from {from_seq}, every {every} ms", sender.index)
            }
            Attack::LargestInterest => {
                let peers = self.rng.between(2, INTEREST_ADVERSARIES + 1);
                for peer in 0..peers as usize {
                    let id = self.made_up_id();
                    let patterns = (0..MAX_INTEREST_SEGMENTS / SEGMENTS_PER_PATTERN)
                        .map(|i| (format!("x{id:x}.p{i}.b.c.d.e.f.g.h.i.j.k.l.m.n.o"), 1))
                        .collect();
                    let interest = Interest { node: id, version: 1, patterns };
                    let after = peer as u64 * 20;
                    at(after, peer, Act::Connect(None));
                    at(after + 1, peer, Act::Send(hello(id, Joining::Fresh, 0, vec![])));
                    at(after + 2, peer, Act::Send(Bytes::from(interest.encode())));
                }
                format!("from {peers} ids")
            }
            Attack::LaggedClaim => {
                let id = self.made_up_id();
                let sent = self.rng.between(1, 4);
                let mut batch = EventsBatch::new(id, "claims", 64);
                for seq in 1..=sent {
                    batch.push(seq, Codec::Json, "a.x", b"{}").expect("a short topic");
                }
                let mut events = batch.finish(1, sent);
                wire::set_retained_from(&mut events, 1);
                let claimed = sent + self.rng.between(1000, 1_000_000);
                let retained_from = claimed - self.rng.below(claimed - sent);
                let claim = Hello {
                    last_seq: claimed,
                    retained_from,
                    ..hello_of(id, Joining::No, sent, vec![])
                };
                at(0, 0, Act::Connect(None));
                at(1, 0, Act::Send(hello(id, Joining::Fresh, 0, vec![])));
                at(5, 0, Act::Send(Bytes::from(events)));
                at(300, 0, Act::Send(Bytes::from(claim.encode())));
                format!("{id:x} sent {sent} events, claims {claimed} retained from {retained_from}")
            }
            Attack::Scoped => {
                let id = self.made_up_id();
                let claims = Claims::new("scoped", [SCOPED_TOPIC], [SCOPED_TOPIC], u64::MAX);
                self.scoped.insert(id, claims.clone());
                let live: Vec<&Member> = members.iter().filter(|m| m.live).collect();
                let victim = live[self.rng.below(live.len() as u64) as usize];
                let mut step = 0;
                let mut next = || {
                    step += 5;
                    step
                };
                at(next(), 0, Act::Connect(Some(claims.clone())));
                at(next(), 0, Act::Send(hello(id, Joining::Fresh, 0, vec![])));
                at(next(), 0, Act::Send(events(id, 1, SCOPED_TOPIC)));
                let as_hub = Hello { hub: true, ..hello_of(id, Joining::No, 1, vec![]) };
                at(next(), 0, Act::Send(Bytes::from(as_hub.encode())));
                let (other, seq) = (victim.id, victim.last_seq + 1);
                at(next(), 0, Act::Send(events(other, seq, SCOPED_TOPIC)));
                let ack = Ack { node: other, epoch: 1, acks: vec![(id, 1)] };
                at(next(), 0, Act::Send(Bytes::from(ack.encode())));
                let nack = Nack { node: other, sender: id, from_seq: 1 };
                at(next(), 0, Act::Send(Bytes::from(nack.encode())));
                let interest = Interest { node: other, version: 1 << 40, patterns: vec![] };
                at(next(), 0, Act::Send(Bytes::from(interest.encode())));
                let left = Left { epoch: 1, node: other, reason: LeftReason::Closed };
                at(next(), 0, Act::Send(Bytes::from(left.encode())));
                for round in 0..self.rng.between(1, 4) {
                    at(next(), 0, Act::Send(events(id, 2 + round, FORGED_TOPIC)));
                    at(next(), 0, Act::Connect(Some(claims.clone())));
                    at(next(), 0, Act::Send(hello(id, Joining::Again, 1, vec![])));
                }
                format!("{id:x} in the name of n{} ({other:x})", victim.index)
            }
        };
        Plan { about, moves }
    }

    /// A node id no node has (odd, like the world's; a clash is as likely as one between them).
    fn made_up_id(&mut self) -> u64 {
        let id = self.rng.next() | 1;
        self.ids.insert(id);
        id
    }
}

/// A client's hello in the first epoch, of a node that sent events up to `last_seq`, with a key
/// the adversary makes up (it never learns a member's: [`Hello::sample`]'s).
fn hello_of(node: u64, joining: Joining, last_seq: u64, members: Vec<u64>) -> Hello {
    Hello {
        service: "adversary".into(),
        last_seq,
        members: members.into_iter().map(|member| (member, 0)).collect(),
        ..Hello::sample(node, false, joining)
    }
}

/// An events frame of `node` with one event, `seq`, on `topic`.
fn events(node: u64, seq: u64, topic: &str) -> Bytes {
    let mut batch = EventsBatch::new(node, "scoped", 64);
    batch.push(seq, Codec::Json, topic, b"{}").expect("a short topic");
    let mut frame = batch.finish(seq, seq);
    wire::set_retained_from(&mut frame, seq);
    Bytes::from(frame)
}

/// [`hello_of`], encoded.
fn hello(node: u64, joining: Joining, last_seq: u64, members: Vec<u64>) -> Bytes {
    Bytes::from(hello_of(node, joining, last_seq, members).encode())
}
