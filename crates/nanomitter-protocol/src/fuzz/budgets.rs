//! Property target of the hub's budgets: one hub [`Node`] with up to [`CONNS`] client
//! connections, one an honest member, the others adversarial, through arbitrary scripts:
//! connections up and down; hellos of every kind, with lists up to [`MAX_LISTED`] long, forged
//! ids, ids of other connections and epochs just past the hub's; acknowledgements naming any
//! sender, re-send requests, goodbyes, events frames with forged numbers (the generators of
//! `frames`); interest announcements up to a node's whole budget, in many nodes' names; and time
//! passing, the timers due running.
//!
//! Owns: this target and its shell. It must not change the core: it only counts it, through
//! [`Node::footprint`]. Each time the hub settles it asserts:
//! - budgets: at most [`MAX_LISTED`] clients and members owed word; at most
//!   [`MAX_AWAITED_ON_WORD`] members awaited on another member's word (the hub starts awaiting
//!   nobody), and no more awaited clients gone without a word than connections closed; per
//!   client, at most [`MAX_LISTED`] acknowledgement entries besides the senders the hub relays,
//!   and no entry of what was relayed before it connected but for those; the same for what an
//!   awaited client held; the interests of other nodes within [`CLUSTER_INTEREST`], plus one
//!   pattern (`*`, one byte, one segment) per node kept widened; no more peers than clients;
//!   at most [`MAX_LINGERING`] ids bound besides the clients'.
//! - growth: the entries of every structure peers can grow add up to at most [`GROWTH_FIXED`],
//!   plus one per connection open, plus one per [`BYTES_PER_ENTRY`] bytes peers sent. Not
//!   counted there: the copies of the senders the hub relays that each client holds (what it
//!   acknowledged, what was relayed before it connected, what it held when it went), bounded per
//!   client by the budgets above.
//! - sending: the bytes the hub sends each connection handling inputs, but events frames, are at
//!   most [`AMPLIFICATION`] times the bytes all peers sent, plus, per hello arriving on a
//!   connection the hub has not greeted yet, the greeting (its hello, every interest frame it
//!   keeps, bounded by [`CLUSTER_INTEREST`], and its own). What its timers send each connection,
//!   but events frames, is at most, per timer run, what the frames of a beat may hold given the
//!   hub's state then: its hello, two acknowledgements, a count of frames taken, a goodbye
//!   notice per member awaited or connected, its interest.
//! - the honest member (it acknowledges everything it is sent, beats every liveness interval and
//!   says nothing forged) is never cut off.
//!
//! Longer run:
//! `BOLERO_RANDOM_ITERATIONS=20000 cargo test -p nanomitter-protocol --lib fuzz::budgets` (27
//! times the scripts of a `cargo test` run, about a minute in a debug build; see the module
//! `fuzz` for replaying a failure and for coverage-guided runs).

use super::frames::{node_ids, seqs, EventsSpec, FrameSpec, HUB, ME};
use super::ITERATIONS;
use crate::footprint::{Footprint, RelayFootprint};
use crate::identity::{NodeKey, MAX_LINGERING};
use crate::interest::CLUSTER_INTEREST;
use crate::relay::MAX_AWAITED_ON_WORD;
use crate::settings::{Settings, SlowConsumer};
use crate::stats::Stats;
use crate::topic::{MAX_INTEREST_SEGMENTS, MAX_PATTERNS, MAX_PATTERN_SEGMENTS};
use crate::wire::{self, Ack, Frame, Hello, Interest, Joining, Relayed, MAX_LISTED};
use crate::wire::{Left, LeftReason, Proof, Received, MAX_SERVICE_LEN};
use crate::{Action, ConnId, Node, OpenedAs};
use bolero::check;
use bolero::generator::{one_of, one_value_of, produce, TypeGenerator};
use bytes::Bytes;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Scripts in a `cargo test` run: each plays up to [`STEPS`] inputs, some with the largest
/// frames peers may send.
const SCRIPTS: usize = ITERATIONS / 4;
/// Inputs of one script.
const STEPS: std::ops::Range<usize> = 1..48;
/// Client connections of the hub: the honest member's ([`HONEST`]) and adversaries'.
const CONNS: usize = 8;
/// The honest member's connection, by index.
const HONEST: usize = 0;
/// The honest member's key: no adversary has it (theirs are [`NodeKey::sample`]s).
const HONEST_KEY: NodeKey = NodeKey([0x5E; crate::identity::KEY_LEN]);
/// The transport's id of connection index 0 (the others follow).
const FIRST_CONN: ConnId = 10;
/// The entries of an idle hub and its honest member, at most.
const GROWTH_FIXED: usize = 16;
/// Bytes peers send per entry they can make the hub keep, at most: the cheapest entry is a
/// member id in a rejoining hello's list (8 bytes), which the hub awaits and, once it gives up
/// on it, remembers as departed and owes word (two entries at once). Every other entry costs
/// more: a pattern 7 bytes at least, an acknowledgement or a listed pair 16, a re-send request
/// 30, a hello 53, an events frame 43 (and its sender a hello first).
const BYTES_PER_ENTRY: usize = 4;
/// How many times the bytes peers sent the hub may send each connection (but events frames,
/// timers and greetings): it passes each hello and interest frame on once, and answers a frame
/// with at most one smaller frame of its own.
const AMPLIFICATION: usize = 2;
/// Bytes of a pair in a frame's list (a node with a sequence number or a key hash).
const PAIR_LEN: usize = 16;
/// The liveness interval of the hub and of the honest member's beats.
const LIVENESS: Duration = Duration::from_secs(1);
/// Drains after one input before the hub must be settled.
const SETTLE_ROUNDS: usize = 16;
/// Timers and beats one step of time may run.
const TIMEOUTS_PER_STEP: usize = 1024;
/// The patterns the hub's own listeners listen to.
const HUB_PATTERNS: [&str; 2] = ["a.*", "c"];

/// One input of a script.
#[derive(Debug, Clone, TypeGenerator)]
enum Step {
    /// An adversary's connection comes up, and says nothing yet.
    Up(#[generator(1..CONNS)] usize),
    /// An adversary's connection goes down.
    Down(#[generator(1..CONNS)] usize),
    /// Frames arrive on an adversary's connection. One that is not up comes up first and
    /// introduces itself with a first-time hello in its own name.
    Receive {
        #[generator(1..CONNS)]
        conn: usize,
        #[generator(produce::<Vec<Incoming>>().with().len(1usize..4))]
        frames: Vec<Incoming>,
    },
    /// Time passes: the hub's timers and the honest member's beats due meanwhile run.
    Elapse {
        #[generator(one_of((0..120u64, 0..6000u64)))]
        millis: u64,
    },
}

/// The inputs of one run, and how the hub treats slow clients.
#[derive(Debug, Clone, TypeGenerator)]
struct Script {
    /// The hub waits for slow clients (its window bounds what it relays) instead of cutting
    /// them off.
    wait: bool,
    #[generator(produce::<Vec<Step>>().with().len(STEPS))]
    steps: Vec<Step>,
}

/// A frame an adversary sends.
#[derive(Debug, Clone, TypeGenerator)]
enum Incoming {
    /// A valid frame of any kind (see `frames`), in whatever name it carries.
    Forged(FrameSpec),
    /// The same, in the name of the connection (see [`Naming::Own`]).
    Own(FrameSpec),
    /// An events frame in the name of the connection: one the hub relays.
    OwnEvents(EventsSpec),
    /// A hello with long lists.
    Listing(Listing),
    /// An interest announcement as large as a node's budget allows.
    Announce(Announcement),
    /// A beat whose epoch is `ahead` past the hub's.
    Overtake {
        node: Naming,
        #[generator(1..=3u64)]
        ahead: u64,
    },
}

/// The node id a frame speaks for.
#[derive(Debug, Clone, Copy, TypeGenerator)]
enum Naming {
    /// The connection's own: that of its first hello, or one of its own before.
    Own,
    /// That of another connection (the honest member's included), as [`Naming::Own`] there.
    OfConn(#[generator(0..CONNS)] usize),
    /// The hub's own.
    Hub,
    /// Any id, mostly one the protocol targets know.
    Any(#[generator(node_ids())] u64),
}

/// A hello at the hub's epoch with lists up to [`MAX_LISTED`] long, of consecutive ids.
#[derive(Debug, Clone, TypeGenerator)]
struct Listing {
    node: Naming,
    #[generator(one_value_of([Joining::No, Joining::Fresh, Joining::Again]))]
    joining: Joining,
    #[generator(seqs())]
    last_seq: u64,
    /// Senders it holds events of.
    #[generator(listed_lens())]
    received: usize,
    /// Members it knew of.
    #[generator(listed_lens())]
    members: usize,
    /// Members it owes word.
    #[generator(listed_lens())]
    owed: usize,
    /// The first id of the lists.
    #[generator(node_ids())]
    first: u64,
}

/// An interest announcement of up to a node's whole budget: `patterns` patterns of `depth`
/// segments each (as many as the budget of segments takes).
#[derive(Debug, Clone, TypeGenerator)]
struct Announcement {
    node: Naming,
    #[generator(pattern_counts())]
    patterns: usize,
    #[generator(1..=MAX_PATTERN_SEGMENTS)]
    depth: usize,
    /// Mostly low, so that later announcements of the same node replace it.
    #[generator(one_of((1..=3u64, produce::<u64>())))]
    version: u64,
}

/// A list length: mostly short, sometimes at the bound or anywhere up to it.
fn listed_lens() -> impl bolero::ValueGenerator<Output = usize> {
    one_of((0..=3usize, 0..=3, 0..=16, 0..=16, one_value_of([MAX_LISTED]), 0..=MAX_LISTED))
}

/// A number of patterns: mostly few, sometimes a node's most or anywhere up to it.
fn pattern_counts() -> impl bolero::ValueGenerator<Output = usize> {
    one_of((0..=4usize, 0..=4, 0..=64, 0..=64, one_value_of([MAX_PATTERNS]), 0..=MAX_PATTERNS))
}

/// Lengths of the hub's own frames, without their lists.
struct Lens {
    /// A hello with the longest service name.
    hello: usize,
    /// An acknowledgement, a count of frames taken, a goodbye notice.
    ack: usize,
    relayed: usize,
    left: usize,
    /// The hub's own interest announcement.
    own_interest: usize,
    /// An interest announcement without patterns.
    interest: usize,
    /// What a pattern adds to it, besides its bytes.
    pattern: usize,
}

impl Lens {
    /// The lengths, measured on frames encoded as the hub encodes them.
    fn new() -> Lens {
        let hello =
            Hello { service: "s".repeat(MAX_SERVICE_LEN), ..Hello::sample(HUB, true, Joining::No) };
        let interest = |patterns: Vec<(String, u32)>| {
            Interest { node: HUB, version: 1, patterns }.encode().len()
        };
        let own = HUB_PATTERNS.iter().map(|p| (p.to_string(), 1)).collect();
        Lens {
            hello: hello.encode().len(),
            ack: Ack { node: HUB, epoch: 1, acks: vec![] }.encode().len(),
            relayed: Relayed { node: HUB, epoch: 1, frames: 1 }.encode().len(),
            left: Left { epoch: 1, node: HUB, reason: LeftReason::Closed }.encode().len(),
            own_interest: interest(own),
            interest: interest(vec![]),
            pattern: interest(vec![("p".into(), 1)]) - interest(vec![]) - 1,
        }
    }

    /// The longest hello the hub sends in the state `footprint` counts.
    fn hello(&self, footprint: &Footprint) -> usize {
        let relay = relay(footprint);
        let listed = |n: usize| n.min(MAX_LISTED);
        self.hello
            + PAIR_LEN * listed(relay.last_relayed)
            + PAIR_LEN * listed(relay.clients.len())
            + PAIR_LEN * listed(footprint.owed)
    }

    /// The longest acknowledgement the hub sends in that state.
    fn ack(&self, footprint: &Footprint) -> usize {
        let relay = relay(footprint);
        self.ack + PAIR_LEN * relay.last_relayed.max(relay.acked_upstream)
    }

    /// What the hub's timers may send one connection in that state (see the module docs).
    fn timer(&self, footprint: &Footprint) -> usize {
        let relay = relay(footprint);
        let goodbyes = relay.awaited.len() + relay.clients.len();
        self.hello(footprint)
            + 2 * self.ack(footprint)
            + self.relayed
            + self.left * goodbyes
            + self.own_interest
    }

    /// The greeting of a connection in that state: the hub's hello, every interest frame it
    /// keeps, and its own.
    fn greeting(&self, footprint: &Footprint) -> usize {
        let kept = &footprint.interest;
        self.hello(footprint)
            + self.interest * footprint.interest_nodes
            + self.pattern * kept.patterns
            + kept.bytes
            + self.own_interest
    }
}

/// The relay of the hub's footprint.
fn relay(footprint: &Footprint) -> &RelayFootprint {
    footprint.relay.as_ref().expect("the node stays the hub")
}

/// The hub under test, its honest member, and what the shell counted of their traffic.
struct Shell {
    /// The hub.
    node: Node,
    /// The time of the script.
    now: Instant,
    /// The attempt of the hub's link, which connection reports are tagged with.
    attempt: u64,
    /// Lengths of the hub's frames, for what its greetings and timers may send.
    lens: Lens,
    /// Which connections are up.
    up: [bool; CONNS],
    /// The node id each connection's first hello (as sent) gave.
    named: [Option<u64>; CONNS],
    /// Whether the hub greeted the connection since it came up.
    greeted: [bool; CONNS],
    /// The hub's epoch, as its hellos tell.
    epoch: u64,
    /// Per sender, what the honest member was sent.
    honest_holds: BTreeMap<u64, u64>,
    /// Whether it acknowledged all of it.
    honest_acked: bool,
    /// When the honest member beats next.
    honest_beat: Instant,
    /// Deliveries the hub issued, and how far its listeners took them (all, once settled).
    issued: u64,
    taken: u64,
    /// Bytes of every frame peers sent that the hub got.
    received: usize,
    /// Bytes the hub sent each connection handling inputs, but events frames.
    sent: [usize; CONNS],
    /// The same, running timers.
    sent_on_timers: [usize; CONNS],
    /// Whether the hub is running a timer.
    on_timer: bool,
    /// The greetings each connection may have been sent.
    greetings: [usize; CONNS],
    /// What the timers run so far may have sent each connection.
    timers: usize,
    /// Connections closed so far.
    closed: usize,
}

impl Shell {
    /// A hub, bound and listening to [`HUB_PATTERNS`], with its honest member connected,
    /// introduced, and listening too.
    fn new(wait: bool) -> Shell {
        let policy =
            if wait { SlowConsumer::Wait } else { SlowConsumer::Evict(Duration::from_secs(5)) };
        let settings = Settings {
            liveness_interval: LIVENESS,
            slow_consumer: policy,
            local_echo: false,
            window: 2,
            ..Settings::new("hub", "tcp://127.0.0.1:1")
        };
        let now = Instant::now();
        let mut shell = Shell {
            node: Node::new(settings, HUB, NodeKey::sample(HUB), Arc::new(Stats::default()), now),
            now,
            attempt: 0,
            lens: Lens::new(),
            up: [false; CONNS],
            named: [None; CONNS],
            greeted: [false; CONNS],
            epoch: 0,
            honest_holds: BTreeMap::new(),
            honest_acked: true,
            honest_beat: now + LIVENESS,
            issued: 0,
            taken: 0,
            received: 0,
            sent: [0; CONNS],
            sent_on_timers: [0; CONNS],
            on_timer: false,
            greetings: [0; CONNS],
            timers: 0,
            closed: 0,
        };
        shell.node.set_patterns(HUB_PATTERNS.iter().map(|p| (p.to_string(), 1)).collect());
        shell.node.start_election(now);
        shell.settle();
        shell.open(HONEST);
        let hello = Hello {
            service: "honest".into(),
            proof: Proof::Key(HONEST_KEY),
            ..Hello::sample(ME, false, Joining::Fresh)
        };
        shell.feed(HONEST, hello.encode());
        let interest = Interest { node: ME, version: 1, patterns: vec![("a.*".into(), 1)] };
        shell.feed(HONEST, interest.encode());
        shell.settle();
        shell
    }

    /// The transport's id of connection `index`.
    fn conn(index: usize) -> ConnId {
        FIRST_CONN + index as ConnId
    }

    /// The index of the connection the transport names `conn`, if it is one of the script's.
    fn index(conn: ConnId) -> Option<usize> {
        conn.checked_sub(FIRST_CONN).map(|i| i as usize).filter(|i| *i < CONNS)
    }

    /// The id a frame of connection `conn` speaks for, named as `naming`.
    fn id(&self, conn: usize, naming: Naming) -> u64 {
        let own = |conn: usize| match conn {
            HONEST => ME,
            _ => self.named[conn].unwrap_or(100 + conn as u64),
        };
        match naming {
            Naming::Own => own(conn),
            Naming::OfConn(other) => own(other),
            Naming::Hub => HUB,
            Naming::Any(id) => id,
        }
    }

    /// Connection `conn` comes up, if it is not up.
    fn open(&mut self, conn: usize) {
        if !self.up[conn] {
            self.up[conn] = true;
            self.greeted[conn] = false;
            self.named[conn] = None;
            self.node.connection_up(self.now, self.attempt, Shell::conn(conn));
        }
    }

    /// Connection `conn` goes down, if it is up; the honest member's never does.
    fn close(&mut self, conn: usize) {
        if self.up[conn] {
            assert_ne!(conn, HONEST, "the honest member was cut off");
            self.up[conn] = false;
            self.closed += 1;
            self.node.connection_down(self.now, self.attempt, Shell::conn(conn));
        }
    }

    /// The frame `bytes` arrives on `conn`, if it decodes (the link drops what does not).
    fn feed(&mut self, conn: usize, bytes: Vec<u8>) {
        let Ok(received) = Received::decode(Bytes::from(bytes)) else { return };
        self.received += received.bytes().len();
        if let Frame::Hello(hello) = received.frame() {
            if !self.greeted[conn] {
                self.greetings[conn] += self.lens.greeting(&self.node.footprint());
            }
            if !hello.hub && self.named[conn].is_none() {
                self.named[conn] = Some(hello.node);
            }
        }
        self.node.receive(self.now, self.attempt, Some(Shell::conn(conn)), received);
    }

    /// The bytes of an adversary's frame, sent on `conn`.
    fn bytes(&self, conn: usize, incoming: &Incoming) -> Vec<u8> {
        match incoming {
            Incoming::Forged(spec) => spec.encode(),
            Incoming::Own(spec) => self.own(conn, spec.encode()),
            Incoming::OwnEvents(spec) => self.own(conn, spec.encode()),
            Incoming::Listing(listing) => {
                let ids = |n: usize| (0..n as u64).map(|i| listing.first.wrapping_add(i));
                Hello {
                    node: self.id(conn, listing.node),
                    epoch: self.epoch,
                    hub: false,
                    joining: listing.joining,
                    service: "listing".into(),
                    last_seq: listing.last_seq,
                    retained_from: 1,
                    received: ids(listing.received).map(|id| (id, id % 8 + 1)).collect(),
                    members: ids(listing.members).map(|id| (id, id)).collect(),
                    owed: ids(listing.owed).map(|id| (id, id % 8)).collect(),
                    proof: Proof::Key(NodeKey::sample(self.id(conn, listing.node))),
                }
                .encode()
            }
            Incoming::Announce(announcement) => {
                let depth = announcement.depth;
                let count = announcement.patterns.min(MAX_INTEREST_SEGMENTS / depth);
                let tail = ".s".repeat(depth - 1);
                let patterns = (0..count).map(|i| (format!("p{i}{tail}"), 1)).collect();
                let node = self.id(conn, announcement.node);
                Interest { node, version: announcement.version, patterns }.encode()
            }
            Incoming::Overtake { node, ahead } => Hello {
                epoch: self.epoch + ahead,
                ..Hello::sample(self.id(conn, *node), false, Joining::No)
            }
            .encode(),
        }
    }

    /// The valid frame `bytes` made to speak in the name of connection `conn`.
    fn own(&self, conn: usize, bytes: Vec<u8>) -> Vec<u8> {
        let mut frame = wire::decode(Bytes::from(bytes)).expect("a valid frame");
        let own = self.id(conn, Naming::Own);
        match &mut frame {
            Frame::Events(events) => events.node = own,
            Frame::Ack(ack) => ack.node = own,
            Frame::Hello(hello) => hello.node = own,
            Frame::Nack(nack) => nack.node = own,
            Frame::Left(left) => left.node = own,
            Frame::Interest(interest) => interest.node = own,
            Frame::Relayed(relayed) => relayed.node = own,
        }
        super::frames::reencode(&frame)
    }

    /// Plays one step, and settles the hub.
    fn step(&mut self, step: &Step) {
        match step {
            Step::Up(conn) => self.open(*conn),
            Step::Down(conn) => self.close(*conn),
            Step::Receive { conn, frames } => {
                if !self.up[*conn] {
                    self.open(*conn);
                    let node = self.id(*conn, Naming::Own);
                    let hello =
                        Hello { epoch: self.epoch, ..Hello::sample(node, false, Joining::Fresh) };
                    self.feed(*conn, hello.encode());
                }
                for incoming in frames {
                    let bytes = self.bytes(*conn, incoming);
                    self.feed(*conn, bytes);
                }
            }
            Step::Elapse { millis } => return self.elapse(Duration::from_millis(*millis)),
        }
        self.settle();
    }

    /// Time passes by `by`; each of the hub's timers and the honest member's beats due
    /// meanwhile runs at its time.
    fn elapse(&mut self, by: Duration) {
        let until = self.now + by;
        for _ in 0..TIMEOUTS_PER_STEP {
            let timer = self.node.poll_timeout();
            let next = [timer, Some(self.honest_beat)].into_iter().flatten().min();
            let Some(at) = next.filter(|at| *at <= until) else {
                self.now = until;
                return;
            };
            self.now = self.now.max(at);
            if self.honest_beat <= self.now {
                self.honest_beat = self.now + LIVENESS;
                let beat = Hello {
                    epoch: self.epoch,
                    service: "honest".into(),
                    ..Hello::sample(ME, false, Joining::No)
                };
                self.feed(HONEST, beat.encode());
                self.settle();
            }
            if timer.is_some_and(|at| at <= self.now) {
                self.timers += self.lens.timer(&self.node.footprint());
                self.on_timer = true;
                self.node.handle_timeout(self.now);
                self.settle();
                self.on_timer = false;
            }
        }
        panic!("more than {TIMEOUTS_PER_STEP} timeouts in {by:?}");
    }

    /// Carries out what the hub asks until it asks nothing more: the honest member acknowledges
    /// what it was sent, and the hub's listeners take every delivery. Then checks the hub.
    fn settle(&mut self) {
        for _ in 0..SETTLE_ROUNDS {
            self.node.caught_up(self.now);
            let mut acted = false;
            let mut cut_off = Vec::new();
            while let Some(action) = self.node.poll_action() {
                acted = true;
                self.carry_out(action, &mut cut_off);
            }
            for conn in cut_off {
                if let Some(conn) = Shell::index(conn) {
                    self.close(conn);
                }
            }
            if self.taken < self.issued {
                acted = true;
                self.taken = self.issued;
                self.node.listeners_took(self.now, self.taken);
            }
            if !self.honest_acked {
                acted = true;
                self.honest_acked = true;
                let acks = self.honest_holds.iter().map(|(s, q)| (*s, *q)).collect();
                self.feed(HONEST, Ack { node: ME, epoch: self.epoch, acks }.encode());
            }
            if !acted {
                return self.check();
            }
        }
        panic!("the hub did not settle in {SETTLE_ROUNDS} rounds of catching up");
    }

    /// Carries out one action of the hub; connections to cut off are closed after catching up.
    fn carry_out(&mut self, action: Action, cut_off: &mut Vec<ConnId>) {
        match action {
            Action::Open { attempt, .. } => {
                self.attempt = attempt;
                self.node.opened(self.now, attempt, Ok(OpenedAs::Hub));
            }
            Action::Send(frame) => self.sent_to_all(None, &frame),
            Action::Relay { except, frame } => self.sent_to_all(Some(except), &frame),
            Action::SendTo { to, frame } => {
                if let Some(conn) = Shell::index(to) {
                    let hello = matches!(wire::decode(frame.clone()), Ok(Frame::Hello(_)));
                    self.greeted[conn] |= hello;
                    self.sent_to(conn, &frame);
                }
            }
            Action::CutOff(conn) => cut_off.push(conn),
            Action::Deliver { number, .. } => self.issued = number,
            Action::Crash(why) => panic!("the hub crashed: {why}"),
            Action::Probe { .. } | Action::Release(_) | Action::Flushed(_) | Action::State(_) => {}
        }
    }

    /// The hub sent `frame` to every connection up, but `except`.
    fn sent_to_all(&mut self, except: Option<ConnId>, frame: &Bytes) {
        for conn in 0..CONNS {
            if self.up[conn] && Some(Shell::conn(conn)) != except {
                self.sent_to(conn, frame);
            }
        }
    }

    /// The hub sent `frame` to `conn`: counted, and taken by the honest member.
    fn sent_to(&mut self, conn: usize, frame: &Bytes) {
        let decoded = wire::decode(frame.clone()).expect("the hub sends frames that decode");
        match decoded {
            Frame::Events(events) => {
                if conn == HONEST {
                    let held = self.honest_holds.entry(events.node).or_default();
                    *held = (*held).max(events.covers_to);
                    self.honest_acked = false;
                }
                return;
            }
            Frame::Hello(hello) if hello.hub => self.epoch = self.epoch.max(hello.epoch),
            _ => {}
        }
        let sent = if self.on_timer { &mut self.sent_on_timers } else { &mut self.sent };
        sent[conn] += frame.len();
    }

    /// Checks the hub against its budgets (see the module docs).
    fn check(&self) {
        let footprint = self.node.footprint();
        let relay = relay(&footprint);
        let relayed = relay.last_relayed;
        let clients = relay.clients.len();
        assert!(clients <= MAX_LISTED, "{clients} clients");
        let on_word = relay.awaited.iter().filter(|held| held.is_none()).count();
        assert!(on_word <= MAX_AWAITED_ON_WORD, "{on_word} members awaited on word");
        let gone: Vec<usize> = relay.awaited.iter().flatten().copied().collect();
        assert!(gone.len() <= self.closed, "{} awaited, {} closed", gone.len(), self.closed);
        for held in &gone {
            assert!(*held <= MAX_LISTED + relayed, "an awaited client held {held} of {relayed}");
        }
        assert!(footprint.owed <= MAX_LISTED, "{} members owed word", footprint.owed);
        let bindings = footprint.bindings;
        assert!(bindings <= clients + MAX_LINGERING, "{bindings} ids bound, {clients} clients");
        for maps in &relay.clients {
            assert!(maps.acked <= MAX_LISTED + relayed, "{maps:?} of {relayed} relayed");
            assert!(maps.relayed_before <= relayed, "{maps:?} of {relayed} relayed");
        }
        let (kept, nodes) = (footprint.interest, footprint.interest_nodes);
        assert!(
            kept.patterns <= CLUSTER_INTEREST.patterns + nodes
                && kept.bytes <= CLUSTER_INTEREST.bytes + nodes
                && kept.segments <= CLUSTER_INTEREST.segments + nodes,
            "interests of {nodes} nodes: {kept:?}"
        );
        assert!(footprint.peers <= clients, "{} peers, {clients} clients", footprint.peers);
        let grown = uncopied_entries(&footprint);
        let allowed = GROWTH_FIXED + clients + self.received / BYTES_PER_ENTRY;
        assert!(
            grown <= allowed,
            "{grown} entries after {} bytes received: {footprint:?}",
            self.received
        );
        for conn in 0..CONNS {
            let allowed = AMPLIFICATION * self.received + self.greetings[conn];
            let sent = self.sent[conn];
            assert!(
                sent <= allowed,
                "sent connection {conn} {sent} bytes handling inputs, allowed {allowed} ({} \
                 received, {} greeting)",
                self.received,
                self.greetings[conn]
            );
            let sent = self.sent_on_timers[conn];
            assert!(
                sent <= self.timers,
                "sent connection {conn} {sent} bytes running timers, allowed {}",
                self.timers
            );
        }
    }
}

/// The entries of every structure `footprint` counts, but the copies of the senders the hub
/// relays that each client holds (see the module docs).
fn uncopied_entries(footprint: &Footprint) -> usize {
    let relay = relay(footprint);
    let past_copies = |entries: usize| entries.saturating_sub(relay.last_relayed);
    let clients: usize = relay
        .clients
        .iter()
        .map(|m| 1 + past_copies(m.acked) + past_copies(m.relayed_before) + m.last_nack)
        .sum();
    let awaited: usize = relay.awaited.iter().map(|held| 1 + held.map_or(0, past_copies)).sum();
    clients
        + awaited
        + relay.log
        + relay.logged_bytes
        + relay.queue
        + relay.last_relayed
        + relay.retained_from
        + relay.acked_upstream
        + relay.taken_here
        + footprint.interest_nodes
        + footprint.interest.patterns
        + footprint.receiver_senders
        + footprint.loss_claims
        + footprint.peers
        + footprint.departed
        + footprint.owed
        + footprint.hub_members
        + footprint.bindings
        + footprint.marks
}

/// Plays `script` on a hub.
fn play(script: &Script) {
    let mut shell = Shell::new(script.wait);
    for step in &script.steps {
        shell.step(step);
    }
}

#[test]
fn hub_stays_within_its_budgets_whatever_peers_send() {
    check!().with_type::<Script>().with_iterations(SCRIPTS).for_each(play);
}

/// Once found by this target: a client that lists many members to await makes the hub owe
/// word to them all once it gives up on them, which its hello then lists; a beat claiming an
/// epoch past the hub's made the hub send that whole hello to every client at once, for each
/// such beat. Now the hub tells its clients at once at most once per liveness interval.
#[test]
fn beats_claiming_newer_elections_buy_no_broadcast_of_the_hubs_hello() {
    let listing = Incoming::Listing(Listing {
        node: Naming::Own,
        joining: Joining::Again,
        last_seq: 0,
        received: 0,
        members: MAX_AWAITED_ON_WORD,
        owed: 0,
        first: 1000,
    });
    let overtake = |ahead| Incoming::Overtake { node: Naming::Own, ahead };
    let mut steps = vec![
        Step::Up(1),
        Step::Receive { conn: 1, frames: vec![listing] },
        Step::Elapse { millis: 3000 },
    ];
    for conn in 2..CONNS {
        steps.push(Step::Up(conn));
        steps.push(Step::Receive { conn, frames: vec![overtake(1), overtake(2), overtake(3)] });
    }
    play(&Script { wait: false, steps });
}
