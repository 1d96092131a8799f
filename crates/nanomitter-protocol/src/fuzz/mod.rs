//! Fuzz and property tests of everything in the core that reads what peers send — the frame
//! decoder, the topic grammar — and of the protocol core fed what the decoder lets through. They
//! run with `cargo test -p nanomitter-protocol`, on stable, in the crate's unit-test binary (the
//! core's parts are crate-private). The payload codecs' targets are the shell's (`src/fuzz.rs`).
//!
//! Owns: the fuzz targets (`wire`, `topics`, `node`), the property target of the hub's
//! budgets (`budgets`), what they feed (`frames`), the committed
//! seed corpus (`corpus`). It must not be compiled outside `cfg(test)`. The decoder target
//! measures what decoding allocates on its thread with the `allocation-counter` dev-dependency,
//! which becomes the unit-test binary's global allocator.
//!
//! # Tool: bolero
//!
//! Each target is a `#[test]` around bolero's `check!()`. Under `cargo test` it replays the
//! target's corpus files, then runs [`ITERATIONS`] random inputs (a quarter of that for the
//! protocol scripts, which are longer), shrinks a failing input and prints it with the
//! `BOLERO_RANDOM_SEED` that replays it. The same targets run under libFuzzer, AFL or honggfuzz
//! through cargo-bolero, coverage-guided, starting from the committed corpus. Structured inputs
//! (valid frames, mutations, protocol scripts) are derived with `TypeGenerator`, with generators
//! per field that favour the bounds of the format and the node ids the protocol targets know.
//! proptest offers the structured half only: no byte corpus, no coverage-guided engine.
//!
//! # Running
//!
//! - In CI: `cargo test` (all of them: `cargo test -p nanomitter-protocol --lib fuzz`, a few
//!   seconds in a debug build).
//! - Longer, still on stable:
//!   `BOLERO_RANDOM_ITERATIONS=1000000 cargo test -p nanomitter-protocol --lib fuzz::wire` (the
//!   variable overrides [`ITERATIONS`]; `BOLERO_RANDOM_TEST_TIME_MS` bounds the time instead;
//!   keep the debug profile, or add `CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS=true` to
//!   `--release`, so that overflows still panic).
//! - Replay a failure:
//!   `BOLERO_RANDOM_SEED=<seed> cargo test -p nanomitter-protocol --lib <target>`.
//! - Coverage-guided (cargo-bolero and a nightly toolchain), from `crates/nanomitter-protocol`:
//!   `cargo +nightly bolero test --engine libfuzzer fuzz::wire::decode_arbitrary_bytes` (targets
//!   are named by their test path); inputs it finds land in the target's corpus directory,
//!   `src/fuzz/__fuzz__/<target>/corpus/`.
//! - Rewrite the committed seeds:
//!   `FUZZ_WRITE_CORPUS=1 cargo test -p nanomitter-protocol --lib fuzz::corpus`.

mod budgets;
mod corpus;
mod frames;
mod node;
mod topics;
mod wire;

/// Random inputs per target in a `cargo test` run, unless `BOLERO_RANDOM_ITERATIONS` says.
const ITERATIONS: usize = 3000;
