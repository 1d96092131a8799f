//! A mesh node: every node emits `myEvent` each second and logs the ones of the other nodes.
//!
//! A port of mesh's basic example. Each node emits `myEvent` with the JSON data
//! `{"pid": <its process id>}` every second, and its listener logs `mesh myEvent - <pid>` for
//! every `myEvent` that came from another node. The node turns local echo off
//! (`.local_echo(false)`), so its own events never reach its listener; the listener also skips
//! any event carrying its own node id.
//!
//! Run it several times, in several terminals:
//!
//! ```text
//! cargo run --example mesh                                # on nanomitter::DEFAULT_ADDRESS
//! cargo run --example mesh -- tcp://127.0.0.1:55555       # on a chosen address
//! ```
//!
//! The first node becomes the hub; if it stops, the others elect a new one and carry on.
//! Ctrl-C stops a node. Set `RUST_LOG=debug` for the library's logs (default: `warn`).

use actix::prelude::*;
use nanomitter::{DistributedEvent, Emitter, DEFAULT_ADDRESS};
use std::process::ExitCode;
use std::time::Duration;

const TOPIC: &str = "myEvent";

/// Logs `myEvent`s of other nodes.
struct MeshLogger {
    /// This node's id: its own events are not logged.
    own_node: u64,
}

impl Actor for MeshLogger {
    type Context = Context<Self>;
}

impl Handler<DistributedEvent> for MeshLogger {
    type Result = ();

    fn handle(&mut self, event: DistributedEvent, _: &mut Context<Self>) {
        if event.node() == self.own_node {
            return;
        }
        match event.to_json().get("pid") {
            Some(pid) => println!("mesh {} - {pid}", event.topic()),
            None => eprintln!("mesh: {} event without a pid: {}", event.topic(), event.to_json()),
        }
    }
}

#[actix::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let address = std::env::args().nth(1).unwrap_or_else(|| DEFAULT_ADDRESS.to_owned());

    let emitter = match Emitter::builder("mesh").address(&address).local_echo(false).connect().await
    {
        Ok(emitter) => emitter,
        Err(error) => {
            eprintln!("mesh: cannot connect to {address}: {error}");
            return ExitCode::FAILURE;
        }
    };
    let pid = std::process::id();
    println!(
        "mesh: pid {pid} connected to {address} as {:?} (node {:016x})",
        emitter.role(),
        emitter.node_id()
    );

    let logger = MeshLogger { own_node: emitter.node_id() };
    if let Err(error) = emitter.on(TOPIC, logger.start().recipient()) {
        eprintln!("mesh: cannot listen: {error}");
        return ExitCode::FAILURE;
    }

    let data = serde_json::json!({ "pid": pid });
    let mut ticks = actix_rt::time::interval(Duration::from_secs(1));
    let ctrl_c = actix_rt::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        tokio::select! {
            stopped = &mut ctrl_c => {
                if let Err(error) = stopped {
                    eprintln!("mesh: cannot wait for Ctrl-C: {error}");
                }
                break;
            }
            _ = ticks.tick() => {
                if let Err(error) = emitter.emit_json(TOPIC, &data) {
                    eprintln!("mesh: cannot emit: {error}");
                }
            }
        }
    }

    match emitter.close().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("mesh: closing failed: {error}");
            ExitCode::FAILURE
        }
    }
}
