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

#![forbid(unsafe_code)]

mod common;

use actix::prelude::*;
use nanomitter::{DistributedEvent, Emitter};
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
    let address = common::setup();
    let emitter =
        match common::connect("mesh", Emitter::builder("mesh").local_echo(false), &address).await {
            Ok(emitter) => emitter,
            Err(code) => return code,
        };
    let logger = MeshLogger { own_node: emitter.node_id() };
    if let Err(error) = emitter.on(TOPIC, logger.start().recipient()) {
        eprintln!("mesh: cannot listen: {error}");
        return ExitCode::FAILURE;
    }
    let data = serde_json::json!({ "pid": std::process::id() });
    common::run_until_ctrl_c("mesh", emitter, Some(Duration::from_secs(1)), move |emitter| {
        if let Err(error) = emitter.emit_json(TOPIC, &data) {
            eprintln!("mesh: cannot emit: {error}");
        }
    })
    .await
}
