//! The delivery promise under deterministic simulation: clusters of 2 to 8 protocol cores over a
//! simulated network, with kills, freezes, partitions, slow listeners, socket failures, forged
//! frames, candidates that are down and adversaries attacking the hub with well-formed frames,
//! each run drawn from a seed and checked afterwards.
//!
//! `cargo test -p nanomitter-protocol simulation` runs a fixed set of seeds; `SEED=n` replays
//! one; `SEEDS=a..b` runs a range
//! (`SEEDS=0..100000 cargo test -p nanomitter-protocol --release simulation`);
//! `SIM_FRAMES=1` with one seed prints every frame of the run (`-- --nocapture` shows it for a
//! seed that passes).

use super::{run, Attack, Summary};

/// Seeds every run checks: 200 in a release build (about 15 s), 40 in a debug one.
const FIXED: std::ops::Range<u64> = if cfg!(debug_assertions) { 0..40 } else { 0..200 };

/// Seeds that once broke the promise (each fixed since), checked on every run next to `FIXED`.
const REGRESSIONS: [u64; 9] = [2226, 5920, 7788, 9965, 11058, 19306, 24789, 25597, 25866];

fn seeds() -> Vec<u64> {
    if let Ok(seed) = std::env::var("SEED") {
        return vec![seed.parse().expect("SEED is a number")];
    }
    if let Ok(range) = std::env::var("SEEDS") {
        let (from, to) = range.split_once("..").expect("SEEDS is from..to");
        return (from.parse().expect("a number")..to.parse().expect("a number")).collect();
    }
    FIXED.chain(REGRESSIONS).collect()
}

#[test]
fn the_delivery_promise_holds_under_seeded_faults() {
    let mut total = Summary::default();
    let mut failed = Vec::new();
    let seeds = seeds();
    for &seed in &seeds {
        match run(seed) {
            Ok(summary) => {
                total.nodes += summary.nodes;
                total.emitted += summary.emitted;
                total.delivered += summary.delivered;
                total.lagged += summary.lagged;
                total.faults += summary.faults;
                total.dropped_frames += summary.dropped_frames;
                total.flushes += summary.flushes;
                for (kind, count) in summary.attacks {
                    *total.attacks.entry(kind).or_default() += count;
                }
            }
            // The first failure's trace is printed in full; the run goes on to count the rest.
            Err(failure) if failed.is_empty() => {
                eprintln!("{failure}");
                failed.push(seed);
            }
            Err(_) => failed.push(seed),
        }
    }
    println!("{} seeds: {total:?}", seeds.len());
    assert!(failed.is_empty(), "{} of {} seeds failed: {failed:?}", failed.len(), seeds.len());
    assert!(total.emitted > 0 && total.delivered > 0, "the runs carried events");
    let fixed = std::env::var_os("SEED").is_none() && std::env::var_os("SEEDS").is_none();
    assert!(!fixed || total.attacks.contains_key(&Attack::Scoped), "a scoped adversary ran");
}
