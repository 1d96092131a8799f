//! Deterministic simulation of a cluster of protocol cores, run by the crate's tests.
//!
//! Owns: running N [`Node`](crate::Node)s (2–8) over a simulated network under a fault
//! schedule drawn from a seed, and checking the delivery promise afterwards. Nothing here reads
//! a clock, spawns a thread or touches a socket: time is virtual, every choice comes from one
//! seeded generator, so a seed replays the same run, step for step. It must not change the
//! core's behaviour: it only feeds it inputs and carries out its actions the way the emitter
//! actor and NNG would.
//!
//! The parts: `world` (the network, the nodes' shells, the fault schedule), `adversary` (peers
//! that attack the hub with well-formed frames), `checker` (the promise, checked on what the
//! listeners saw), `frame_trace` (every frame, readable) and `seeds` (the test: which seeds run).
//!
//! Run a seed with `SEED=… cargo test -p nanomitter-protocol --release simulation`; a failure
//! prints the seed, what was broken and the last steps of the run. `SIM_FRAMES=1` also prints
//! every step and every frame sent, dropped and arriving, as the run goes.

mod adversary;
mod checker;
mod frame_trace;
mod seeds;
mod world;

pub use adversary::Attack;
use std::collections::BTreeMap;
use std::fmt;

/// What a simulated run looked like.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Nodes that ran, replacements of killed ones included.
    pub nodes: usize,
    /// Events emitted with `Ok`.
    pub emitted: u64,
    /// Events handed to listeners.
    pub delivered: u64,
    /// Events announced lost (`$lagged`) to nodes that were cut off, frozen or slow.
    pub lagged: u64,
    /// Faults injected: kills, freezes, partitions, slow listeners, socket failures, forged
    /// frames, adversaries' attacks.
    pub faults: u64,
    /// Adversaries' attacks that ran, by kind.
    pub attacks: BTreeMap<Attack, u64>,
    /// Frames the simulated transport dropped (full queues, partitions).
    pub dropped_frames: u64,
    /// Flushes that resolved, each checked against what members held.
    pub flushes: u64,
    /// Elections run by all nodes.
    pub elections: u64,
}

/// A broken promise: the seed that shows it, what was broken, and the end of the trace.
#[derive(Debug, Clone)]
pub struct Failure {
    pub seed: u64,
    pub broken: String,
    pub trace: Vec<String>,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "seed {}: {}", self.seed, self.broken)?;
        writeln!(
            f,
            "replay: SEED={} cargo test -p nanomitter-protocol --release simulation",
            self.seed
        )?;
        writeln!(f, "last {} steps:", self.trace.len())?;
        for line in &self.trace {
            writeln!(f, "  {line}")?;
        }
        Ok(())
    }
}

/// Runs the simulation of `seed`: a cluster, a workload and a fault schedule all drawn from it,
/// then a quiet period, then the checks.
pub fn run(seed: u64) -> Result<Summary, Failure> {
    // Maps iterate alike on every run of this seed.
    let _hashing = crate::hashing::FixedSeed::new(0);
    let mut world = world::World::new(seed);
    world.run();
    checker::check(&world).map_err(|broken| Failure { seed, broken, trace: world.trace_tail() })?;
    let mut summary = world.summary.clone();
    summary.elections = world.nodes.iter().map(|n| n.stats.snapshot().elections).sum();
    Ok(summary)
}

/// A small, fast, seeded generator (SplitMix64): the only source of choices in a run.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `range` (half open).
    pub(crate) fn below(&mut self, bound: u64) -> u64 {
        if bound == 0 {
            0
        } else {
            self.next() % bound
        }
    }

    pub(crate) fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.below(high.saturating_sub(low).max(1))
    }

    /// True with probability `percent` / 100.
    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}
