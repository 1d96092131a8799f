//! The hash maps and sets of the protocol core and of the simulation that drives it.
//!
//! Owns: which hasher they use: foldhash, with a random seed per map (peers choose the node ids
//! and topics used as keys; the hub hashes every relayed event's topic, where SipHash cost a
//! fifth of its time), or, on a thread that runs the deterministic simulation, a seed fixed for
//! the run, so maps iterate in the same order on every run and a seed replays exactly. The same
//! code either way: no feature changes how a node hashes. It must not hold anything else.

use foldhash::fast::{FoldHasher, SeedableRandomState};
use foldhash::SharedSeed;
use std::cell::Cell;
use std::hash::BuildHasher;

thread_local! {
    /// The seed of the maps this thread creates, while it runs a simulation.
    static FIXED_SEED: Cell<Option<u64>> = const { Cell::new(None) };
}

/// The hasher of the core's maps: random per map, or the fixed seed of a simulation's thread.
#[derive(Clone, Debug)]
pub struct State(SeedableRandomState);

impl Default for State {
    fn default() -> Self {
        State(match FIXED_SEED.get() {
            Some(seed) => SeedableRandomState::with_seed(seed, SharedSeed::global_fixed()),
            None => SeedableRandomState::random(),
        })
    }
}

impl BuildHasher for State {
    type Hasher = FoldHasher<'static>;

    fn build_hasher(&self) -> Self::Hasher {
        self.0.build_hasher()
    }
}

/// A hash map of the core, hashed by [`State`].
pub type Map<K, V> = std::collections::HashMap<K, V, State>;
/// A hash set of the core, hashed by [`State`].
pub type Set<K> = std::collections::HashSet<K, State>;

/// While it lives, the maps this thread creates hash with `seed`, so they iterate in the same
/// order on every run: a deterministic run (the simulation's) holds one. Without it, each map
/// draws a random seed.
pub struct FixedSeed(());

impl FixedSeed {
    /// Fixes the seed of the maps this thread creates until the value is dropped.
    pub fn new(seed: u64) -> FixedSeed {
        FIXED_SEED.set(Some(seed));
        FixedSeed(())
    }
}

impl Drop for FixedSeed {
    fn drop(&mut self) {
        FIXED_SEED.set(None);
    }
}
