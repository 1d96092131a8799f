//! Fuzz targets of the protocol core fed what the decoder lets through: one [`Node`], as a
//! client and as a hub, driven by a shell that carries out its actions like the emitter actor,
//! through a script of inputs: frames (seeds of the corpus, valid frames with forged ids and
//! numbers at the bounds, mutated seeds, arbitrary bytes; those that decode are received),
//! connections up and down, time passing, emits, flushes, listeners taking deliveries, pattern
//! changes, election outcomes, probe answers, socket failures, refusals, and close at any point.
//!
//! Owns: the shell and these targets. Whatever the script, the core never panics (overflow
//! included: the tests build in debug), and:
//! - every frame it sends or relays decodes;
//! - one input, and the rounds of catching up after it, queue at most [`ACTIONS_PER_INPUT`]
//!   actions, and the rounds settle (catching up with nothing to do queues nothing) within
//!   [`SETTLE_ROUNDS`];
//! - handling a timeout moves its deadline past now: a timer never spins;
//! - it never releases more bytes than emits reserved, resolves only flushes it ticketed, each
//!   once, and knows no more peers than the node ids it was told of.

use super::frames::{seed, FrameSpec, Mutation, HUB, ME, PEERS};
use super::ITERATIONS;
use crate::event::Codec;
use crate::identity::NodeKey;
use crate::settings::Settings;
use crate::stats::Stats;
use crate::topic;
use crate::wire::{self, Frame, Hello, Interest, Joining, Received};
use crate::{Action, ConnId, Node, OpenedAs};
use bolero::check;
use bolero::generator::{one_of, produce, TypeGenerator};
use bytes::Bytes;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Scripts per target in a `cargo test` run: each plays up to [`STEPS`] inputs.
const SCRIPTS: usize = ITERATIONS / 4;
/// Inputs of one script.
const STEPS: std::ops::Range<usize> = 1..64;
/// Actions one input may queue, the rounds of catching up after it included. The largest inputs
/// are frames of up to a few hundred events, each delivered and acknowledged.
const ACTIONS_PER_INPUT: usize = 1024;
/// Drains after one input before the node must be settled.
const SETTLE_ROUNDS: usize = 8;
/// Timeouts one step of time may run: at most a few timers every `NACK_INTERVAL` (50 ms).
const TIMEOUTS_PER_STEP: usize = 1024;
const ELECTION_TIMEOUT: Duration = Duration::from_secs(1);
/// Client connections of the hub (the client's one connection is [`CLIENT_CONN`]).
const HUB_CONNS: [ConnId; 3] = [5, 6, 7];
const CLIENT_CONN: ConnId = 1;

/// One input of a script.
#[derive(Debug, Clone, TypeGenerator)]
enum Step {
    /// Frames arrive: on the hub from client connection `conn`, on a client from its hub.
    Receive {
        #[generator(0..HUB_CONNS.len())]
        conn: usize,
        #[generator(produce::<Vec<Incoming>>().with().len(1usize..4))]
        frames: Vec<Incoming>,
    },
    ConnectionUp {
        #[generator(0..HUB_CONNS.len())]
        conn: usize,
    },
    ConnectionDown {
        #[generator(0..HUB_CONNS.len())]
        conn: usize,
    },
    /// Time passes, and the timers due meanwhile run.
    Elapse {
        #[generator(one_of((0..120u64, 0..6000u64)))]
        millis: u64,
    },
    Emit {
        #[generator(super::frames::emitted_topics())]
        topic: String,
        json: bool,
        #[generator(0..3000usize)]
        len: usize,
    },
    Flush,
    /// Listeners take up to `count` more deliveries.
    Take {
        count: u8,
    },
    /// This node's listeners now listen to these patterns (those the grammar accepts).
    Listen(
        #[generator(produce::<Vec<(String, u32)>>().with().values((super::frames::topics(), 1..=2u32)).len(0usize..3))]
         Vec<(String, u32)>,
    ),
    /// How the shell opens the candidates from now on.
    OpenAs(Opening),
    ProbeAnswer {
        live: bool,
    },
    LinkFailed,
    /// The hub dialed refuses this node for good (the cluster secret, the wire version).
    Refused,
}

/// The inputs of one run, and when the node is closed: a step of its own would close it early
/// in most scripts, and a closed node does little.
#[derive(Debug, Clone, TypeGenerator)]
struct Script {
    #[generator(produce::<Vec<Step>>().with().len(STEPS))]
    steps: Vec<Step>,
    /// The node is closed before the step of this index, if the script gets that far.
    close_before: u8,
}

/// Where a received frame comes from.
#[derive(Debug, Clone, TypeGenerator)]
enum Incoming {
    /// A seed of the corpus, by index (wrapping).
    Seed(u8),
    Forged(FrameSpec),
    Mutated {
        seed: u8,
        #[generator(produce::<Vec<Mutation>>().with().len(1usize..3))]
        mutations: Vec<Mutation>,
    },
    Bytes(#[generator(produce::<Vec<u8>>().with().len(0usize..64))] Vec<u8>),
}

impl Incoming {
    fn bytes(&self) -> Vec<u8> {
        match self {
            Incoming::Seed(index) => seed(*index).to_vec(),
            Incoming::Forged(spec) => spec.encode(),
            Incoming::Mutated { seed: index, mutations } => {
                let mut bytes = seed(*index).to_vec();
                for mutation in mutations {
                    mutation.apply(&mut bytes);
                }
                bytes
            }
            Incoming::Bytes(bytes) => bytes.clone(),
        }
    }
}

/// What opening a candidate makes of the node.
#[derive(Debug, Clone, Copy, TypeGenerator)]
enum Opening {
    /// It binds the address: the node is the hub.
    Hub,
    /// It dials, and the hub's connection comes up at once.
    Client,
    /// It dials, and no hub answers.
    Unanswered,
    /// The address cannot be opened.
    Fails,
}

/// The node under test and what its shell knows: a miniature of the emitter actor.
struct Shell {
    node: Node,
    now: Instant,
    opening: Opening,
    /// The attempt of the latest `Open`: the link the shell's reports are tagged with.
    attempt: u64,
    /// Whether the latest `Open` bound the address (frames then come from client connections).
    bound: bool,
    probes: Vec<(u64, usize)>,
    issued: u64,
    taken: u64,
    reserved: usize,
    released: usize,
    tickets: HashSet<u64>,
    /// Node ids the node was told of, its own included.
    named: HashSet<u64>,
}

impl Shell {
    /// The node, opened as `opening` and settled, listening to a few patterns, with one peer
    /// that joined and listens too.
    fn new(opening: Opening) -> Shell {
        let settings = Settings {
            candidates: vec!["tcp://127.0.0.1:1".into(), "tcp://127.0.0.1:2".into()],
            election_timeout: ELECTION_TIMEOUT,
            local_echo: false,
            window: 2,
            ..Settings::new("fuzzed", "")
        };
        let now = Instant::now();
        let node = Node::new(settings, ME, NodeKey::sample(ME), Arc::new(Stats::default()), now);
        let mut shell = Shell {
            node,
            now,
            opening,
            attempt: 0,
            bound: false,
            probes: Vec::new(),
            issued: 0,
            taken: 0,
            reserved: 0,
            released: 0,
            tickets: HashSet::new(),
            named: HashSet::from([ME]),
        };
        shell.node.set_patterns(vec![("a.*".into(), 1), ("c".into(), 1), ("$peer.*".into(), 1)]);
        shell.node.start_election(now);
        shell.settle();
        let hub = matches!(opening, Opening::Hub);
        if hub {
            shell.step(&Step::ConnectionUp { conn: 0 });
        }
        let (peer, members) = if hub { (PEERS[0], vec![]) } else { (HUB, vec![ME, PEERS[0]]) };
        let joining = if hub { Joining::Fresh } else { Joining::No };
        let members = members.into_iter().map(|member| (member, NodeKey::sample(member).hash()));
        let hello = Hello { members: members.collect(), ..Hello::sample(peer, !hub, joining) };
        shell.receive(0, hello.encode());
        let interest = Interest { node: peer, version: 1, patterns: vec![("a.*".into(), 1)] };
        shell.receive(0, interest.encode());
        shell
    }

    fn conn(&self, index: usize) -> ConnId {
        HUB_CONNS[index]
    }

    /// The frame `bytes` arrives, if it decodes.
    fn receive(&mut self, conn: usize, bytes: Vec<u8>) {
        let Ok(received) = Received::decode(Bytes::from(bytes)) else { return };
        self.named.extend(named_nodes(received.frame()));
        let from = self.bound.then(|| self.conn(conn));
        self.node.receive(self.now, self.attempt, from, received);
        self.settle();
    }

    fn step(&mut self, step: &Step) {
        let now = self.now;
        let attempt = self.attempt;
        match step {
            Step::Receive { conn, frames } => {
                for frame in frames {
                    self.receive(*conn, frame.bytes());
                }
                return;
            }
            Step::ConnectionUp { conn } => self.node.connection_up(now, attempt, self.conn(*conn)),
            Step::ConnectionDown { conn } => {
                self.node.connection_down(now, attempt, self.conn(*conn))
            }
            Step::Elapse { millis } => return self.elapse(Duration::from_millis(*millis)),
            Step::Emit { topic, json, len } => {
                let topic = if topic::check(topic, false).is_ok() { topic.as_str() } else { "a.x" };
                let codec = if *json { Codec::Json } else { Codec::Bincode };
                let payload = Bytes::from(vec![b'1'; *len]);
                self.reserved += len;
                self.node.emit(topic, codec, &payload, *len);
            }
            Step::Flush => {
                if let Some(ticket) = self.node.flush(now) {
                    assert!(self.tickets.insert(ticket), "flush ticket {ticket} given twice");
                }
            }
            Step::Take { count } => {
                self.taken = self.issued.min(self.taken + u64::from(*count));
                self.node.listeners_took(now, self.taken);
            }
            Step::Listen(patterns) => {
                let checked =
                    patterns.iter().filter(|(p, _)| topic::check(p, true).is_ok()).cloned();
                self.node.set_patterns(checked.collect());
            }
            Step::OpenAs(opening) => self.opening = *opening,
            Step::ProbeAnswer { live } => {
                if let Some((attempt, index)) = self.probes.pop() {
                    self.node.probe_answer(attempt, index, *live);
                }
            }
            Step::LinkFailed => self.node.link_failed(attempt, "fuzzed socket failure"),
            Step::Refused => {
                self.node.refused(attempt);
            }
        }
        self.settle();
    }

    /// Time passes by `by`; each timer due meanwhile runs at its deadline.
    fn elapse(&mut self, by: Duration) {
        let until = self.now + by;
        for _ in 0..TIMEOUTS_PER_STEP {
            let Some(at) = self.node.poll_timeout().filter(|at| *at <= until) else {
                self.now = until;
                return;
            };
            self.now = self.now.max(at);
            self.node.handle_timeout(self.now);
            self.settle();
            if let Some(next) = self.node.poll_timeout() {
                assert!(next > self.now, "a timeout handled at {:?} is due again", self.now);
            }
        }
        panic!("more than {TIMEOUTS_PER_STEP} timeouts in {by:?}");
    }

    /// Carries out what the node asks, draining it like the actor does when its mailbox is
    /// empty, until it asks nothing more.
    fn settle(&mut self) {
        let mut actions = 0;
        for _ in 0..SETTLE_ROUNDS {
            self.node.caught_up(self.now);
            let mut cut_off = Vec::new();
            let mut acted = false;
            while let Some(action) = self.node.poll_action() {
                acted = true;
                actions += 1;
                assert!(actions <= ACTIONS_PER_INPUT, "one input queued over {ACTIONS_PER_INPUT}");
                if let Action::CutOff(conn) = action {
                    cut_off.push(conn);
                } else {
                    self.carry_out(action);
                }
            }
            for conn in cut_off {
                self.node.connection_down(self.now, self.attempt, conn);
            }
            if !acted {
                self.check_state();
                return;
            }
        }
        panic!("the node did not settle in {SETTLE_ROUNDS} rounds of catching up");
    }

    fn carry_out(&mut self, action: Action) {
        match action {
            Action::Open { attempt, .. } => {
                self.attempt = attempt;
                self.bound = matches!(self.opening, Opening::Hub);
                self.probes.clear();
                let outcome = match self.opening {
                    Opening::Hub => Ok(OpenedAs::Hub),
                    Opening::Client | Opening::Unanswered => Ok(OpenedAs::Client),
                    Opening::Fails => Err(&"fuzzed open failure" as &dyn std::fmt::Display),
                };
                self.node.opened(self.now, attempt, outcome);
                if matches!(self.opening, Opening::Client) {
                    self.node.connection_up(self.now, attempt, CLIENT_CONN);
                }
            }
            Action::Send(frame) | Action::Relay { frame, .. } | Action::SendTo { frame, .. } => {
                if let Err(error) = wire::decode(frame.clone()) {
                    panic!("the node sent a frame that does not decode ({error}): {frame:?}");
                }
            }
            Action::Deliver { number, .. } => self.issued = number,
            Action::Probe { attempt, index, .. } => self.probes.push((attempt, index)),
            Action::Release(bytes) => {
                self.released += bytes;
                assert!(
                    self.released <= self.reserved,
                    "released {} bytes of {} reserved",
                    self.released,
                    self.reserved
                );
            }
            Action::Flushed(ticket) => {
                assert!(self.tickets.remove(&ticket), "flush {ticket} resolved unasked or twice");
            }
            Action::State(_) => {}
            Action::Crash(_) => {
                self.node.restarted(self.now);
                self.node.start_election(self.now);
            }
            Action::CutOff(_) => unreachable!("cut-offs are reported after the drain"),
        }
    }

    fn check_state(&self) {
        let peers = self.node.peers();
        assert!(
            peers.iter().all(|peer| self.named.contains(&peer.node)),
            "the node knows peers it was never told of: {peers:?}"
        );
        assert!(self.probes.len() <= 2, "more probes than candidates: {:?}", self.probes);
    }
}

/// The node ids a frame names.
fn named_nodes(frame: &Frame) -> Vec<u64> {
    match frame {
        Frame::Events(events) => vec![events.node],
        Frame::Ack(ack) => std::iter::once(ack.node).chain(ack.acks.iter().map(|a| a.0)).collect(),
        Frame::Hello(hello) => std::iter::once(hello.node)
            .chain(hello.received.iter().map(|r| r.0))
            .chain(hello.members.iter().map(|m| m.0))
            .chain(hello.owed.iter().map(|o| o.0))
            .collect(),
        Frame::Nack(nack) => vec![nack.node, nack.sender],
        Frame::Left(left) => vec![left.node],
        Frame::Interest(interest) => vec![interest.node],
        Frame::Relayed(relayed) => vec![relayed.node],
    }
}

/// Plays `script` on a node opened as `opening`.
fn play(opening: Opening, script: &Script) {
    let mut shell = Shell::new(opening);
    for (index, step) in script.steps.iter().enumerate() {
        if index == usize::from(script.close_before) {
            shell.node.close(shell.now);
            shell.settle();
        }
        shell.step(step);
    }
}

#[test]
fn node_as_client_survives_what_peers_send() {
    check!()
        .with_type::<Script>()
        .with_iterations(SCRIPTS)
        .for_each(|script| play(Opening::Client, script));
}

#[test]
fn node_as_hub_survives_what_peers_send() {
    check!()
        .with_type::<Script>()
        .with_iterations(SCRIPTS)
        .for_each(|script| play(Opening::Hub, script));
}
