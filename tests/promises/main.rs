//! The integration tests of the `nanomitter` crate, in one binary, by the promise each checks.
//!
//! - `delivery`: every matching listener on every node gets every event once, in order — through
//!   the API in one process (`in_process`), across real processes (`processes`), and in the
//!   holes once found (`holes`).
//! - `failover`: hubs killed, frozen or stale, and candidates coming and going, lose nothing
//!   (`kills`, `candidates`).
//! - `security`: who may join (`joining`: the secret, TLS, origins), what a peer cannot buy
//!   with a few frames (`attacks`), and what a member with a scoped credential may do
//!   (`scoped`).
//! - `monitor`: a node's monitoring endpoint reports evictions, losses and hub changes with the
//!   right numbers, its counters reach the `metrics` facade, and `tracing` spans carry each
//!   event's sender and sequence number.
//! - `routing`: events go only where someone listens.
//! - `vectors`: the golden vectors of `docs/vectors/` against the Rust implementation.
//! - `nats` (only with `--features nats`): the NATS backend against real `nats-server` processes
//!   (2.12.1 or later on the PATH) — the harness's own checks (`harness`), then leader kills,
//!   consumer restarts, a frozen server, credentials and the core mode's slow consumer
//!   (`scenarios`).
//!
//! The transport's own tests are the `nanomitter-nng` crate's, the protocol core's (scripted,
//! fuzz, simulation) the `nanomitter-protocol` crate's, the command line's the `nanomitter-cli`
//! crate's. The multi-process tests run the CLI's binary, which `cargo test` at the repository's
//! root builds first. Run one promise with `cargo test --test promises failover::`.

#![forbid(unsafe_code)]

#[path = "../common/certificates.rs"]
mod certificates;
#[path = "../common/mod.rs"]
mod common;
#[path = "../common/handshake.rs"]
mod handshake;

mod delivery {
    mod holes;
    mod in_process;
    mod processes;
}
mod failover {
    mod candidates;
    mod kills;
}
mod monitor;
mod routing;
mod security {
    mod attacks;
    mod joining;
    mod scoped;
}
mod vectors;
#[cfg(feature = "nats")]
mod nats {
    mod api;
    mod harness;
    mod scenarios;
}
