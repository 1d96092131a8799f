//! The hash maps and sets of the protocol core and of the simulation that drives it.
//!
//! Owns: which hasher they use. Under the deterministic simulation it is a fixed one, so maps
//! iterate in the same order on every run and a seed replays exactly; everywhere else foldhash
//! with a random seed per map (peers choose the node ids and topics used as keys; the hub hashes
//! every relayed event's topic, where SipHash cost a fifth of its time). It must not hold
//! anything.

#[cfg(feature = "simulation")]
type State = std::hash::BuildHasherDefault<std::collections::hash_map::DefaultHasher>;
#[cfg(not(feature = "simulation"))]
type State = foldhash::fast::RandomState;

pub(crate) type Map<K, V> = std::collections::HashMap<K, V, State>;
pub(crate) type Set<K> = std::collections::HashSet<K, State>;
