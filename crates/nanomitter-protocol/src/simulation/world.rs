//! The simulated world: nodes with their shells, a network that behaves like the link's
//! connections where it matters, a workload and a fault schedule, all driven by virtual time and
//! one seed.
//!
//! Owns: the event queue, the candidate addresses (who holds each), the connections (each
//! direction an ordered, delayed queue of at most [`PIPE_QUEUE`] frames: one more closes the
//! connection; a partition drops frames silently), the nodes' listeners (which may be slow), and the faults: kill (and a new process
//! in its place), freeze and resume, partition, slow listeners, socket failures, forged frames,
//! candidates held by a program that is not a node, and carrying out the moves of adversaries
//! (see `adversary`) on connections whose client end is not a node. It must not judge the
//! outcome: it records what listeners saw, emits, flushes and faults, and the checker judges.

use super::adversary::{Act, Adversaries, Attack, Member, Move};
use super::Rng;
use crate::event::Codec;
use crate::hashing::{Map, Set};
use crate::identity::NodeKey;
use crate::sender::RETAINED_PER_WINDOW;
use crate::settings::{Settings, SlowConsumer};
use crate::stats::Stats;
use crate::topic::{self, HUB_CHANGED, LAGGED};
use crate::wire::{self, Received};
use crate::{Action, ConnId, LinkState, Node, OpenedAs};
use bytes::Bytes;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Frames one direction of a connection holds: one more closes the connection, as the link's
/// writer closes the connection of a peer that does not read. A client's may have to hold what
/// a sender retains for it (`window` x [`RETAINED_PER_WINDOW`] frames, re-sent at once by the
/// hub's own sender when it comes back), half as much again before the hub cuts it off as
/// behind, and the control frames in between: twice what a sender retains at the runs' window
/// of 4 (the link's writer holds four times as much at the default window of 8).
const PIPE_QUEUE: usize = 2 * 4 * RETAINED_PER_WINDOW;
/// Trace lines kept for a failure report.
const TRACE_KEPT: usize = 300;
/// How long the run injects faults and emits; a quiet period follows.
const ACTIVE: Duration = Duration::from_secs(12);
/// The quiet period in which everything must settle.
const QUIET: Duration = Duration::from_secs(20);
/// Steps a run may take: more means nodes keep each other busy (a livelock).
const MAX_STEPS: u64 = 2_000_000;
/// Topics of the workload, and the patterns nodes listen to.
const TOPICS: [&str; 4] = ["a.x", "a.y", "b.x", "c"];
const PATTERNS: [&str; 5] = ["a.*", "b.x", "c", "*", "a.>"];

/// Something that happens at a virtual time.
#[derive(Debug, Clone)]
enum Event {
    /// The node's timer is due (stale if its timer moved since).
    Wake {
        node: usize,
        at: Duration,
    },
    /// The first frame waiting in one direction of a connection arrives.
    Arrive {
        conn: ConnId,
        to_hub: bool,
    },
    /// A dialer tries to connect.
    Dial {
        node: usize,
        attempt: u64,
    },
    /// A connection closed: its end on `node` learns it.
    Down {
        node: usize,
        attempt: u64,
        conn: ConnId,
    },
    /// A probe's answer.
    Probed {
        node: usize,
        attempt: u64,
        index: usize,
        live: bool,
    },
    /// A node's listener takes its next delivery.
    Take {
        node: usize,
    },
    /// The workload: a node emits a burst, or flushes.
    Emit {
        node: usize,
    },
    Flush {
        node: usize,
    },
    Fault(Fault),
    /// A move of the adversary of attack `attack` (an index into the world's attacks).
    Adversary {
        attack: usize,
        step: Move,
    },
}

#[derive(Debug, Clone)]
pub(super) enum Fault {
    Kill(usize),
    Start(usize),
    Freeze(usize),
    Thaw(usize),
    Isolate(usize),
    Heal(usize),
    SlowListener(usize),
    FastListener(usize),
    SocketFailure(usize),
    Forge(usize),
    /// An adversary starts an attack on the hub of the moment.
    Attack(Attack),
}

struct Scheduled {
    at: Duration,
    order: u64,
    event: Event,
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.order) == (other.at, other.order)
    }
}
impl Eq for Scheduled {}
impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Scheduled {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.at, self.order).cmp(&(other.at, other.order))
    }
}

/// One candidate address.
struct Address {
    url: String,
    /// Held by a program that is not a node: it cannot be bound, and a dial never completes.
    foreign: bool,
    /// The node that bound it.
    holder: Option<usize>,
}

/// One connection between a client and the hub.
struct Conn {
    hub: usize,
    /// The client's node; `None` for an adversary's (what the hub sends there is dropped).
    client: Option<usize>,
    hub_attempt: u64,
    client_attempt: u64,
    up: bool,
    to_hub: VecDeque<Bytes>,
    to_client: VecDeque<Bytes>,
    /// When the last frame of each direction arrives (later frames arrive after it: order).
    arriving: [Duration; 2],
    /// The claims of a scoped adversary's credential on its connection: a frame it may not
    /// send closes the connection before the hub's core sees it, as the hub's link does
    /// (`src/link/connection.rs`). `None` for a full member.
    scope: Option<crate::credential::Claims>,
}

/// A simulated process: the core, its shell's state, and what its listeners saw.
pub(super) struct SimNode {
    pub(super) core: Node,
    pub(super) id: u64,
    pub(super) alive: bool,
    pub(super) frozen: bool,
    pub(super) isolated: bool,
    /// A hub back from a freeze or a partition while another node was hub: until it steps down,
    /// whoever links to it is cut off from the cluster, as by a partition.
    stale_hub: bool,
    /// Cut off, frozen, made slow, or its socket failed at some point: it may miss events, but
    /// only with a `$lagged` notice.
    pub(super) faulted: bool,
    /// Partitioned from the others at some point: a partition cuts both ways, so the others may
    /// miss this node's events too (with a `$lagged` notice), and its view of the membership
    /// may have been its own.
    pub(super) partitioned: bool,
    /// A replacement of a killed node (a new process with a new id).
    pub(super) replacement: bool,
    pub(super) patterns: Vec<String>,
    pub(super) stats: Arc<Stats>,
    link: Option<(u64, OpenedAs)>,
    wake_at: Option<Duration>,
    /// Events held while frozen, replayed on thaw.
    held: Vec<Event>,
    /// Deliveries issued by the core and not yet taken by the listener, with their numbers.
    backlog: VecDeque<(u64, crate::Event)>,
    /// The number of the last delivery the listener took.
    taken: u64,
    /// Per delivery, how long the listener takes (zero: at once).
    slow: Option<Duration>,
    take_scheduled: bool,
    /// Bytes reserved under the pending bound.
    pending: usize,
    /// What the listener saw: (sender, seq, topic) of events, in order.
    pub(super) received: Vec<(u64, u64, String)>,
    /// The same, as a set of (sender, seq), for the flush checks.
    pub(super) holds: Set<(u64, u64)>,
    /// `$lagged` notices: (sender, from, to).
    pub(super) lagged: Vec<(u64, u64, u64)>,
    /// Events emitted with `Ok`: (seq, topic).
    pub(super) emitted: Vec<(u64, String)>,
    /// Flushes waiting: ticket -> the last sequence number emitted before it.
    pub(super) flushes: Map<u64, u64>,
    pub(super) state: Option<LinkState>,
}

pub(super) struct World {
    rng: Rng,
    base: Instant,
    pub(super) now: Duration,
    order: u64,
    queue: BinaryHeap<Reverse<Scheduled>>,
    addresses: Vec<Address>,
    conns: Map<ConnId, Conn>,
    next_conn: ConnId,
    pub(super) nodes: Vec<SimNode>,
    trace: VecDeque<String>,
    /// Print every frame as the run goes (see `frame_trace`).
    frame_trace: bool,
    pub(super) summary: super::Summary,
    /// A promise broken while running (a flush that claimed too much).
    pub(super) broken: Option<String>,
    max_pending: usize,
    pub(super) adversaries: Adversaries,
    /// The attacks that started, in order.
    attacks: Vec<Running>,
}

/// An attack under way: its kind, when it started, the line saying what it does, and its
/// peers' connections.
struct Running {
    kind: Attack,
    started: Duration,
    about: String,
    conns: Vec<Option<ConnId>>,
}

impl World {
    pub(super) fn new(seed: u64) -> World {
        let mut rng = Rng::new(seed);
        let candidates = if rng.chance(30) { 2 } else { 1 };
        let first_foreign = candidates == 2 && rng.chance(40);
        let addresses = (0..candidates)
            .map(|i| Address {
                url: format!("ipc:///simulated/candidate-{i}"),
                foreign: i == 0 && first_foreign,
                holder: None,
            })
            .collect();
        let mut world = World {
            rng,
            base: Instant::now(),
            now: Duration::ZERO,
            order: 0,
            queue: BinaryHeap::new(),
            addresses,
            conns: Map::default(),
            next_conn: 1,
            nodes: Vec::new(),
            trace: VecDeque::new(),
            frame_trace: super::frame_trace::wanted(),
            summary: super::Summary::default(),
            broken: None,
            max_pending: 64 * 1024,
            adversaries: Adversaries::new(seed),
            attacks: Vec::new(),
        };
        let count = world.rng.between(2, 9) as usize;
        for i in 0..count {
            let start = Duration::from_millis(world.rng.below(200) + i as u64 * 5);
            world.spawn_node(start, false);
        }
        world.schedule_workload();
        world.schedule_faults();
        for (at, attack) in world.adversaries.schedule(ACTIVE) {
            world.schedule(at, Event::Fault(Fault::Attack(attack)));
        }
        world
    }

    fn settings(&self) -> Settings {
        Settings {
            candidates: self.addresses.iter().map(|a| a.url.clone()).collect(),
            liveness_interval: Duration::from_millis(200),
            election_timeout: Duration::from_millis(300),
            slow_consumer: SlowConsumer::Evict(Duration::from_secs(2)),
            batch_bytes: 2048,
            window: 4,
            max_pending_bytes: self.max_pending,
            ..Settings::new("sim", "")
        }
    }

    fn spawn_node(&mut self, at: Duration, replacement: bool) {
        let index = self.nodes.len();
        let id = self.rng.next() | 1;
        let stats = Arc::new(Stats::default());
        let key = NodeKey(std::array::from_fn(|_| self.rng.next() as u8));
        let mut core = Node::new(self.settings(), id, key, stats.clone(), self.base + at);
        let mut patterns =
            vec![PATTERNS[self.rng.below(PATTERNS.len() as u64) as usize].to_owned()];
        if self.rng.chance(30) {
            patterns.push(PATTERNS[self.rng.below(PATTERNS.len() as u64) as usize].to_owned());
        }
        patterns.sort();
        patterns.dedup();
        core.set_patterns(patterns.iter().map(|p| (p.clone(), 1)).collect());
        self.nodes.push(SimNode {
            core,
            id,
            alive: false,
            frozen: false,
            isolated: false,
            stale_hub: false,
            faulted: false,
            partitioned: false,
            replacement,
            patterns,
            stats,
            link: None,
            wake_at: None,
            held: Vec::new(),
            backlog: VecDeque::new(),
            taken: 0,
            slow: None,
            take_scheduled: false,
            pending: 0,
            received: Vec::new(),
            holds: Default::default(),
            lagged: Vec::new(),
            emitted: Vec::new(),
            flushes: Map::default(),
            state: None,
        });
        self.summary.nodes += 1;
        self.schedule(at, Event::Fault(Fault::Start(index)));
    }

    fn schedule(&mut self, at: Duration, event: Event) {
        self.order += 1;
        self.queue.push(Reverse(Scheduled { at, order: self.order, event }));
    }

    fn schedule_workload(&mut self) {
        let mut at = Duration::from_millis(1500);
        while at < ACTIVE {
            let node = self.rng.below(self.nodes.len() as u64) as usize;
            self.schedule(at, Event::Emit { node });
            if self.rng.chance(10) {
                self.schedule(at + Duration::from_micros(10), Event::Flush { node });
            }
            at += Duration::from_micros(self.rng.between(500, 20_000));
        }
    }

    fn schedule_faults(&mut self) {
        let faults = self.rng.below(7);
        for _ in 0..faults {
            let at = Duration::from_millis(self.rng.between(1800, ACTIVE.as_millis() as u64 - 500));
            let node = self.rng.below(self.nodes.len() as u64) as usize;
            let lasting = Duration::from_millis(self.rng.between(50, 3000));
            let (fault, undo) = match self.rng.below(7) {
                0 => (Fault::Kill(node), None),
                1 => (Fault::Freeze(node), Some(Fault::Thaw(node))),
                2 => (Fault::Isolate(node), Some(Fault::Heal(node))),
                3 => (Fault::SlowListener(node), Some(Fault::FastListener(node))),
                4 => (Fault::SocketFailure(node), None),
                5 => (Fault::Forge(node), None),
                _ => (Fault::Freeze(node), Some(Fault::Thaw(node))),
            };
            self.schedule(at, Event::Fault(fault));
            if let Some(undo) = undo {
                self.schedule(at + lasting, Event::Fault(undo));
            }
        }
    }

    /// With the frame trace on, prints what happens to `frame` (`what` says where it is).
    fn trace_frame(&self, what: std::fmt::Arguments, frame: &Bytes) {
        if !self.frame_trace {
            return;
        }
        let described = super::frame_trace::describe(frame, |id| self.name(id));
        eprintln!("{:>10.3} ms  {what}: {described}", self.now.as_secs_f64() * 1000.0);
    }

    /// The world's name for a node id: `n3` for a node, the id in hex for an adversary's.
    fn name(&self, id: u64) -> String {
        match self.nodes.iter().position(|n| n.id == id) {
            Some(index) => format!("n{index}"),
            None => format!("{id:x}"),
        }
    }

    fn instant(&self) -> Instant {
        self.base + self.now
    }

    pub(super) fn trace(&mut self, line: String) {
        if self.frame_trace {
            eprintln!("{:>10.3} ms  {line}", self.now.as_secs_f64() * 1000.0);
        }
        if self.trace.len() == TRACE_KEPT {
            self.trace.pop_front();
        }
        self.trace.push_back(format!("{:>9.3} ms  {line}", self.now.as_secs_f64() * 1000.0));
    }

    /// The trace kept, after a line for each attack of the run (the first of them may have
    /// left the trace).
    pub(super) fn trace_tail(&self) -> Vec<String> {
        let attacks = self.attacks.iter().enumerate().map(|(attack, running)| {
            let at = running.started.as_secs_f64() * 1000.0;
            format!("attack #{attack} at {at:.3} ms: {:?} {}", running.kind, running.about)
        });
        attacks.chain(self.trace.iter().cloned()).collect()
    }

    /// Runs the active period and the quiet one.
    pub(super) fn run(&mut self) {
        let end = ACTIVE + QUIET;
        let mut steps = 0u64;
        while let Some(Reverse(next)) = self.queue.pop() {
            if next.at > end {
                break;
            }
            steps += 1;
            if steps > MAX_STEPS {
                self.broken =
                    Some(format!("the run does not settle: {MAX_STEPS} steps by {:?}", self.now));
                break;
            }
            self.now = next.at;
            self.handle(next.event);
        }
        self.now = end;
    }

    /// The node an event is for, if it is for one.
    fn target(event: &Event) -> Option<usize> {
        match event {
            Event::Wake { node, .. }
            | Event::Dial { node, .. }
            | Event::Down { node, .. }
            | Event::Probed { node, .. }
            | Event::Take { node }
            | Event::Emit { node }
            | Event::Flush { node } => Some(*node),
            Event::Arrive { .. } | Event::Fault(_) | Event::Adversary { .. } => None,
        }
    }

    fn handle(&mut self, event: Event) {
        if let Some(node) = Self::target(&event) {
            if !self.nodes[node].alive {
                return;
            }
            if self.nodes[node].frozen {
                self.nodes[node].held.push(event);
                return;
            }
        }
        let now = self.instant();
        match event {
            Event::Wake { node, at } => {
                if self.nodes[node].wake_at != Some(at) {
                    return;
                }
                self.nodes[node].wake_at = None;
                self.nodes[node].core.handle_timeout(now);
                self.settle(node);
            }
            Event::Arrive { conn, to_hub } => self.arrive(conn, to_hub),
            Event::Dial { node, attempt } => self.dial(node, attempt),
            Event::Down { node, attempt, conn } => {
                self.nodes[node].core.connection_down(now, attempt, conn);
                self.settle(node);
            }
            Event::Probed { node, attempt, index, live } => {
                self.nodes[node].core.probe_answer(attempt, index, live);
                self.settle(node);
            }
            Event::Take { node } => self.take(node),
            Event::Emit { node } => self.emit(node),
            Event::Flush { node } => {
                let last = self.nodes[node].emitted.last().map_or(0, |(seq, _)| *seq);
                match self.nodes[node].core.flush(now) {
                    Some(ticket) => {
                        self.nodes[node].flushes.insert(ticket, last);
                    }
                    None => self.flushed(node, last),
                }
                self.settle(node);
            }
            Event::Fault(fault) => self.fault(fault),
            Event::Adversary { attack, step } => self.adversary_moves(attack, step),
        }
    }

    /// Carries out what a node's core asks, then re-arms its timer.
    fn settle(&mut self, node: usize) {
        let now = self.instant();
        loop {
            self.nodes[node].core.caught_up(now);
            let mut acted = false;
            while let Some(action) = self.nodes[node].core.poll_action() {
                acted = true;
                self.carry_out(node, action);
            }
            if !acted {
                break;
            }
        }
        let next = self.nodes[node].core.poll_timeout().map(|at| at.duration_since(self.base));
        if let Some(at) = next {
            if self.nodes[node].wake_at != Some(at) {
                self.nodes[node].wake_at = Some(at);
                self.schedule(at.max(self.now), Event::Wake { node, at });
            }
        }
    }

    fn carry_out(&mut self, node: usize, action: Action) {
        let now = self.instant();
        match action {
            Action::Open { attempt, address } => self.open(node, attempt, &address),
            Action::Send(frame) => {
                let conns: Vec<ConnId> = self.conns_of(node);
                for conn in conns {
                    self.send(conn, node, frame.clone());
                }
            }
            Action::Relay { except, frame } => {
                let conns: Vec<ConnId> = self.conns_of(node);
                for conn in conns.into_iter().filter(|c| *c != except) {
                    self.send(conn, node, frame.clone());
                }
            }
            Action::SendTo { to, frame } => self.send(to, node, frame),
            Action::CutOff(conn) => self.close(conn),
            Action::Deliver { number, event } => {
                self.nodes[node].backlog.push_back((number, event));
                self.take_soon(node);
            }
            Action::Probe { attempt, index, address: _ } => {
                let live = self.bindable_or_live(node, index);
                let at = self.now + Duration::from_millis(2);
                self.schedule(at, Event::Probed { node, attempt, index, live });
            }
            Action::Release(bytes) => {
                let pending = &mut self.nodes[node].pending;
                *pending = pending.saturating_sub(bytes);
            }
            Action::Flushed(ticket) => {
                if let Some(last) = self.nodes[node].flushes.remove(&ticket) {
                    self.flushed(node, last);
                }
            }
            Action::State(state) => {
                self.trace(format!("node {node} state {state:?}"));
                self.nodes[node].state = Some(state);
            }
            Action::Crash(why) => {
                self.trace(format!("node {node} crashes: {why}"));
                self.drop_link(node);
                self.nodes[node].core.restarted(now);
                self.nodes[node].core.start_election(now);
            }
        }
    }

    /// The connections a node's sends go to: a client's to its hub, the hub's to every client.
    fn conns_of(&self, node: usize) -> Vec<ConnId> {
        let Some((attempt, role)) = self.nodes[node].link else { return Vec::new() };
        let mut conns: Vec<ConnId> = self
            .conns
            .iter()
            .filter(|(_, c)| {
                c.up && match role {
                    OpenedAs::Hub => c.hub == node && c.hub_attempt == attempt,
                    OpenedAs::Client => c.client == Some(node) && c.client_attempt == attempt,
                }
            })
            .map(|(id, _)| *id)
            .collect();
        conns.sort_unstable();
        conns
    }

    fn open(&mut self, node: usize, attempt: u64, url: &str) {
        let now = self.instant();
        let Some(index) = self.addresses.iter().position(|a| a.url == url) else { return };
        self.drop_link(node);
        let address = &mut self.addresses[index];
        let role = if !address.foreign && address.holder.is_none() {
            address.holder = Some(node);
            OpenedAs::Hub
        } else {
            let delay = Duration::from_millis(self.rng.between(1, 15));
            self.schedule(self.now + delay, Event::Dial { node, attempt });
            OpenedAs::Client
        };
        self.trace(format!("node {node} opens {url} as {role:?} (attempt {attempt})"));
        if role == OpenedAs::Hub && self.nodes[node].isolated {
            // A partitioned node took the hub's address: the others cannot reach it any more
            // than a hub partitioned after binding.
            self.cut_off_every_member();
        }
        self.nodes[node].link = Some((attempt, role));
        self.nodes[node].core.opened(now, attempt, Ok(role));
    }

    /// Whether `node`'s probe of candidate `index` finds a hub or a free address. A hub on the
    /// other side of a partition does not answer, as a frozen one does not.
    fn bindable_or_live(&self, node: usize, index: usize) -> bool {
        let address = &self.addresses[index];
        let answers = |hub: usize| {
            let apart = hub != node && (self.nodes[hub].isolated || self.nodes[node].isolated);
            self.nodes[hub].alive && !self.nodes[hub].frozen && !apart
        };
        !address.foreign && address.holder.is_none_or(answers)
    }

    fn dial(&mut self, node: usize, attempt: u64) {
        if self.nodes[node].link != Some((attempt, OpenedAs::Client)) {
            return;
        }
        let index = self.dialed_address(node);
        let holder = index.and_then(|i| self.addresses[i].holder);
        let reachable = holder.filter(|&hub| {
            hub != node
                && self.nodes[hub].alive
                && !self.nodes[hub].frozen
                && !self.nodes[hub].isolated
                && !self.nodes[node].isolated
        });
        let Some(hub) = reachable else {
            // The dialer tries again after its reconnect interval.
            let again = Duration::from_millis(self.rng.between(10, 60));
            self.schedule(self.now + again, Event::Dial { node, attempt });
            return;
        };
        let Some((hub_attempt, OpenedAs::Hub)) = self.nodes[hub].link else {
            let again = Duration::from_millis(20);
            self.schedule(self.now + again, Event::Dial { node, attempt });
            return;
        };
        let conn = self.new_conn(hub, hub_attempt, Some(node), attempt);
        self.trace(format!("conn {conn}: node {node} -> hub {hub}"));
        if self.nodes[hub].stale_hub {
            self.nodes[node].faulted = true;
        }
        let now = self.instant();
        self.nodes[hub].core.connection_up(now, hub_attempt, conn);
        self.settle(hub);
        self.nodes[node].core.connection_up(now, attempt, conn);
        self.settle(node);
    }

    /// A connection that is up, from `client` (`None`: an adversary) to `hub`, neither end told
    /// yet.
    fn new_conn(
        &mut self,
        hub: usize,
        hub_attempt: u64,
        client: Option<usize>,
        client_attempt: u64,
    ) -> ConnId {
        let conn = self.next_conn;
        self.next_conn += 1;
        let (to_hub, to_client) = (VecDeque::new(), VecDeque::new());
        let arriving = [self.now; 2];
        let c = Conn {
            hub,
            client,
            hub_attempt,
            client_attempt,
            up: true,
            to_hub,
            to_client,
            arriving,
            scope: None,
        };
        self.conns.insert(conn, c);
        conn
    }

    fn dialed_address(&self, node: usize) -> Option<usize> {
        let url = self.nodes[node].core.candidate_address()?;
        self.addresses.iter().position(|a| a.url == url)
    }

    /// Queues a frame of node `from` in one direction of a connection, drops it (partition, or
    /// an adversary's end), or closes the connection (full queue).
    fn send(&mut self, conn: ConnId, from: usize, frame: Bytes) {
        let Some(c) = self.conns.get(&conn) else { return };
        let to_hub = c.client == Some(from);
        let Some(other) = (if to_hub { Some(c.hub) } else { c.client }) else {
            self.trace_frame(
                format_args!("conn {conn} to an adversary, dropped, from n{from}"),
                &frame,
            );
            return;
        };
        if self.nodes[from].isolated || self.nodes[other].isolated {
            self.summary.dropped_frames += 1;
            self.trace_frame(format_args!("conn {conn} drops from n{from}"), &frame);
            return;
        }
        self.enqueue(conn, to_hub, frame, format_args!("n{from} -> n{other}"));
    }

    /// Queues a frame in one direction of a connection (`route` says whose, for the frame
    /// trace), or closes the connection (full queue).
    fn enqueue(&mut self, conn: ConnId, to_hub: bool, frame: Bytes, route: std::fmt::Arguments) {
        let Some(c) = self.conns.get(&conn) else { return };
        if if to_hub { c.to_hub.len() } else { c.to_client.len() } >= PIPE_QUEUE {
            self.trace_frame(format_args!("conn {conn} full: closes, {route}"), &frame);
            self.close(conn);
            return;
        }
        self.trace_frame(format_args!("conn {conn} {route}"), &frame);
        let Some(c) = self.conns.get_mut(&conn) else { return };
        let queue = if to_hub { &mut c.to_hub } else { &mut c.to_client };
        queue.push_back(frame);
        let latency = Duration::from_micros(self.rng.between(30, 1500));
        let direction = usize::from(to_hub);
        let at = (self.now + latency).max(c.arriving[direction]);
        c.arriving[direction] = at;
        self.schedule(at, Event::Arrive { conn, to_hub });
    }

    fn arrive(&mut self, conn: ConnId, to_hub: bool) {
        let Some(c) = self.conns.get_mut(&conn) else { return };
        if !c.up {
            return;
        }
        let (node, attempt) =
            if to_hub { (Some(c.hub), c.hub_attempt) } else { (c.client, c.client_attempt) };
        let Some(node) = node else { return };
        if self.nodes[node].frozen {
            // The frame stays queued (the queue keeps filling); it arrives after the thaw.
            self.nodes[node].held.push(Event::Arrive { conn, to_hub });
            return;
        }
        let queue = if to_hub { &mut c.to_hub } else { &mut c.to_client };
        let Some(frame) = queue.pop_front() else { return };
        if !self.nodes[node].alive {
            return;
        }
        let from = to_hub.then_some(conn);
        let now = self.instant();
        self.trace_frame(format_args!("conn {conn} arrives at n{node}"), &frame);
        match Received::decode(frame) {
            Ok(received) => self.nodes[node].core.receive(now, attempt, from, received),
            Err(_) => Stats::add(&self.nodes[node].stats.malformed, 1),
        }
        self.settle(node);
    }

    /// Closes a connection: both ends learn it shortly after.
    fn close(&mut self, conn: ConnId) {
        let Some(c) = self.conns.get_mut(&conn) else { return };
        if !c.up {
            return;
        }
        c.up = false;
        c.to_hub.clear();
        c.to_client.clear();
        let ends = [(Some(c.hub), c.hub_attempt), (c.client, c.client_attempt)];
        self.trace(format!("conn {conn} closes"));
        for (node, attempt) in ends.into_iter().filter_map(|(node, a)| Some((node?, a))) {
            let at = self.now + Duration::from_micros(self.rng.between(100, 2000));
            self.schedule(at, Event::Down { node, attempt, conn });
        }
    }

    /// Drops a node's link: its connections close and an address it bound is free again.
    fn drop_link(&mut self, node: usize) {
        self.nodes[node].stale_hub = false;
        let Some((attempt, role)) = self.nodes[node].link.take() else { return };
        let conns: Vec<ConnId> = self
            .conns
            .iter()
            .filter(|(_, c)| match role {
                OpenedAs::Hub => c.hub == node && c.hub_attempt == attempt,
                OpenedAs::Client => c.client == Some(node) && c.client_attempt == attempt,
            })
            .map(|(id, _)| *id)
            .collect();
        for conn in conns {
            self.close(conn);
        }
        for address in &mut self.addresses {
            if address.holder == Some(node) {
                address.holder = None;
            }
        }
    }

    fn take_soon(&mut self, node: usize) {
        let n = &mut self.nodes[node];
        if n.take_scheduled || n.backlog.is_empty() {
            return;
        }
        match n.slow {
            None => self.take(node),
            Some(every) => {
                n.take_scheduled = true;
                let at = self.now + every;
                self.schedule(at, Event::Take { node });
            }
        }
    }

    /// The listener takes what it can: everything at once, or one delivery if it is slow.
    fn take(&mut self, node: usize) {
        let now = self.instant();
        self.nodes[node].take_scheduled = false;
        let slow = self.nodes[node].slow.is_some();
        while let Some((number, event)) = self.nodes[node].backlog.pop_front() {
            let n = &mut self.nodes[node];
            n.taken = number;
            if event.topic() == HUB_CHANGED {
                let data: serde_json::Value =
                    serde_json::from_slice(event.payload()).unwrap_or_default();
                let hub = u64::from_str_radix(data["node"].as_str().unwrap_or("0"), 16);
                if hub.is_ok_and(|hub| self.adversaries.scoped.contains_key(&hub)) {
                    self.broken.get_or_insert(format!("n{node} took a scoped member for its hub"));
                }
            }
            if event.topic() == LAGGED {
                let data: serde_json::Value =
                    serde_json::from_slice(event.payload()).unwrap_or_default();
                let sender = u64::from_str_radix(data["sender"].as_str().unwrap_or("0"), 16)
                    .unwrap_or_default();
                let (from, to) =
                    (data["from"].as_u64().unwrap_or(0), data["to"].as_u64().unwrap_or(0));
                n.lagged.push((sender, from, to));
                if !self.adversaries.ids.contains(&sender) {
                    self.summary.lagged += to + 1 - from;
                }
            } else if !topic::is_reserved(event.topic())
                && n.patterns.iter().any(|p| topic::matches(p, event.topic()))
            {
                let scope = self.adversaries.scoped.get(&event.node());
                if scope.is_some_and(|claims| !claims.may_publish(event.topic())) {
                    self.broken.get_or_insert(format!(
                        "n{node} received {:x}'s event on {}, which its scope forbids",
                        event.node(),
                        event.topic()
                    ));
                }
                n.received.push((event.node(), event.seq(), event.topic().to_owned()));
                n.holds.insert((event.node(), event.seq()));
                self.summary.delivered += 1;
            }
            if slow {
                break;
            }
        }
        let taken = self.nodes[node].taken;
        self.nodes[node].core.listeners_took(now, taken);
        self.settle(node);
        self.take_soon(node);
    }

    fn emit(&mut self, node: usize) {
        let burst = self.rng.between(1, 12);
        for _ in 0..burst {
            let topic = TOPICS[self.rng.below(TOPICS.len() as u64) as usize];
            let payload = Bytes::from(format!("{{\"n\":{}}}", self.rng.below(1000)));
            let size = wire::event_wire_size(topic, &payload);
            let n = &mut self.nodes[node];
            if n.pending > 0 && n.pending + size > self.max_pending {
                continue; // refused with Overflow: not emitted
            }
            n.pending += size;
            if let Some(seq) = n.core.emit(topic, Codec::Json, &payload, size) {
                n.emitted.push((seq, topic.to_owned()));
                self.summary.emitted += 1;
            }
        }
        self.settle(node);
    }

    /// Whether `node` is a hub while another node is one too: back from a freeze or a partition
    /// during which the others elected a new hub, it is stale until a client tells it, and whoever
    /// links to it meanwhile is cut off from the cluster.
    fn is_replaced_hub(&self, node: usize) -> bool {
        let is_hub = |n: &SimNode| matches!(n.link, Some((_, OpenedAs::Hub)));
        let replaced =
            self.nodes.iter().enumerate().any(|(other, n)| other != node && n.alive && is_hub(n));
        is_hub(&self.nodes[node]) && replaced
    }

    /// The hub is partitioned: every member is cut off from the cluster.
    fn cut_off_every_member(&mut self) {
        for other in &mut self.nodes {
            other.faulted = true;
        }
    }

    fn flushed(&mut self, node: usize, last: u64) {
        self.summary.flushes += 1;
        if let Some(broken) = super::checker::flush_holds(self, node, last) {
            self.broken.get_or_insert(broken);
        }
    }

    fn fault(&mut self, fault: Fault) {
        self.summary.faults += 1;
        self.trace(format!("fault {fault:?}"));
        let now = self.instant();
        match fault {
            Fault::Start(node) => {
                self.summary.faults -= 1;
                self.nodes[node].alive = true;
                self.nodes[node].core.start_election(now);
                self.settle(node);
            }
            Fault::Kill(node) => {
                if !self.nodes[node].alive {
                    return;
                }
                self.nodes[node].alive = false;
                self.drop_link(node);
                let at = self.now + Duration::from_millis(self.rng.between(10, 1500));
                self.spawn_node(at, true);
            }
            Fault::Freeze(node) => {
                self.nodes[node].frozen = true;
                self.nodes[node].faulted = true;
            }
            Fault::Thaw(node) => {
                self.nodes[node].frozen = false;
                self.nodes[node].stale_hub = self.is_replaced_hub(node);
                let held = std::mem::take(&mut self.nodes[node].held);
                for event in held {
                    self.schedule(self.now, event);
                }
            }
            Fault::Isolate(node) => {
                self.nodes[node].isolated = true;
                self.nodes[node].faulted = true;
                self.nodes[node].partitioned = true;
                if self.addresses.iter().any(|a| a.holder == Some(node)) {
                    self.cut_off_every_member();
                }
            }
            Fault::Heal(node) => {
                self.nodes[node].isolated = false;
                self.nodes[node].stale_hub = self.is_replaced_hub(node);
            }
            Fault::SlowListener(node) => {
                self.nodes[node].slow = Some(Duration::from_millis(self.rng.between(1, 20)));
                self.nodes[node].faulted = true;
            }
            Fault::FastListener(node) => {
                self.nodes[node].slow = None;
                self.take_soon(node);
            }
            Fault::SocketFailure(node) => {
                if let Some((attempt, _)) = self.nodes[node].link {
                    self.nodes[node].faulted = true;
                    self.nodes[node].core.link_failed(attempt, "simulated socket failure");
                    self.settle(node);
                }
            }
            Fault::Attack(kind) => {
                self.summary.faults -= 1;
                self.start_attack(kind);
            }
            Fault::Forge(node) => {
                // Garbage and frames with numbers out of range, from a peer on the node's link:
                // refused by the decoder, counted, and nothing else.
                let mut frame = wire::Hello {
                    node: self.rng.next(),
                    epoch: u64::MAX,
                    hub: true,
                    joining: wire::Joining::Again,
                    service: "forged".into(),
                    last_seq: u64::MAX,
                    retained_from: u64::MAX,
                    received: vec![],
                    members: vec![],
                    owed: vec![],
                    proof: wire::Proof::None,
                }
                .encode();
                if self.rng.chance(50) {
                    frame.truncate(self.rng.below(frame.len() as u64) as usize);
                }
                if wire::decode(Bytes::from(frame)).is_ok() {
                    self.broken.get_or_insert("a forged out-of-range frame was accepted".into());
                } else {
                    Stats::add(&self.nodes[node].stats.malformed, 1);
                }
            }
        }
    }

    /// Starts an attack on the hub of the moment, against the members alive that linked once,
    /// or tries again shortly if no hub can be reached.
    fn start_attack(&mut self, kind: Attack) {
        if self.current_hub().is_none() {
            let again = self.now + Duration::from_millis(100);
            if again < ACTIVE {
                self.schedule(again, Event::Fault(Fault::Attack(kind)));
            }
            return;
        }
        // Only ids that went over the wire: a node that never linked is known to nobody.
        let members: Vec<Member> = (self.nodes.iter().enumerate())
            .filter(|(_, n)| n.alive && n.core.ever_linked)
            .map(|(index, n)| Member {
                index,
                id: n.id,
                last_seq: n.emitted.last().map_or(0, |(seq, _)| *seq),
                live: !n.frozen && !n.isolated && matches!(n.state, Some(LinkState::Up(..))),
            })
            .collect();
        let plan = self.adversaries.plan(kind, &members);
        let attack = self.attacks.len();
        self.summary.faults += 1;
        *self.summary.attacks.entry(kind).or_default() += 1;
        self.trace(format!("attack #{attack}: {kind:?} {}", plan.about));
        let peers = plan.moves.iter().map(|(_, step)| step.peer + 1).max().unwrap_or(0);
        let conns = vec![None; peers];
        self.attacks.push(Running { kind, started: self.now, about: plan.about, conns });
        for (after, step) in plan.moves {
            self.schedule(self.now + after, Event::Adversary { attack, step });
        }
    }

    /// The hub an adversary reaches, and its link's attempt: the node holding a candidate
    /// address as hub, alive, not frozen and not partitioned off.
    fn current_hub(&self) -> Option<(usize, u64)> {
        self.addresses.iter().filter_map(|a| a.holder).find_map(|hub| {
            let n = &self.nodes[hub];
            match n.link {
                Some((attempt, OpenedAs::Hub)) if n.alive && !n.frozen && !n.isolated => {
                    Some((hub, attempt))
                }
                _ => None,
            }
        })
    }

    /// Carries out a move of the adversary of `attack`.
    fn adversary_moves(&mut self, attack: usize, step: Move) {
        let peer = step.peer;
        let up = |conn: &ConnId| self.conns.get(conn).is_some_and(|c| c.up);
        let conn = self.attacks[attack].conns[peer].filter(up);
        match step.act {
            Act::Connect(scope) => {
                if let Some(old) = conn {
                    self.close(old);
                }
                let Some((hub, hub_attempt)) = self.current_hub() else {
                    self.trace(format!("attack #{attack} peer {peer}: no hub to connect to"));
                    return;
                };
                let conn = self.new_conn(hub, hub_attempt, None, 0);
                if let Some(c) = self.conns.get_mut(&conn) {
                    c.scope = scope;
                }
                self.attacks[attack].conns[peer] = Some(conn);
                self.trace(format!("conn {conn}: attack #{attack} peer {peer} -> hub {hub}"));
                let now = self.instant();
                self.nodes[hub].core.connection_up(now, hub_attempt, conn);
                self.settle(hub);
            }
            Act::Send(frame) => {
                let Some(conn) = conn else { return };
                let described = super::frame_trace::describe(&frame, |id| self.name(id));
                let short: String = described.chars().take(160).collect();
                self.trace(format!("attack #{attack} peer {peer} sends on conn {conn}: {short}"));
                if self.nodes[self.conns[&conn].hub].isolated {
                    self.summary.dropped_frames += 1;
                    return;
                }
                let forbidden = self.conns[&conn].scope.as_ref().is_some_and(|scope| {
                    wire::decode(frame.clone()).is_ok_and(|decoded| !scope.may_send(&decoded))
                });
                if forbidden {
                    self.trace(format!("conn {conn}: outside its scope, the hub's link closes it"));
                    self.close(conn);
                    return;
                }
                self.enqueue(conn, true, frame, format_args!("attack #{attack} -> hub"));
            }
            Act::Close => {
                if let Some(conn) = conn {
                    self.close(conn);
                }
            }
        }
    }
}
