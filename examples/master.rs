//! The master: logs every event broadcast on the emitter, whatever its topic.
//!
//! A port of the TypeScript seed's master:
//!
//! ```ts
//! const emitter = await new DistributedEventEmitter("master", 30000).connect();
//! const logger = ({ topic, data }) => console.log(`Broadcasted ${topic} ${JSON.stringify(data)}`);
//! emitter.on("*", logger);
//! ```
//!
//! The node joins as service `master` with a heartbeat every 30 s, and one listener on `*`
//! prints each event as `Broadcasted <topic> <data as JSON>`. JSON payloads are printed as they
//! are; bincode payloads (such as the workers' stock prices) are not self-describing, so they
//! show up as `{"bincode": "<hex>"}`.
//!
//! Run it (the first node on an address becomes the hub, later ones dial it):
//!
//! ```text
//! cargo run --example master                              # on nanomitter::DEFAULT_ADDRESS
//! cargo run --example master -- tcp://127.0.0.1:55555     # on a chosen address
//! ```
//!
//! then start a few `cargo run --example worker` on the same address. Ctrl-C stops it.
//! Set `RUST_LOG=debug` for the library's logs (default: `warn`).

#![forbid(unsafe_code)]

mod common;

use actix::prelude::*;
use nanomitter::{DistributedEvent, Emitter, ANY_TOPIC};
use std::process::ExitCode;
use std::time::Duration;

/// Prints every event it receives, like the seed's `logger`.
struct Logger;

impl Actor for Logger {
    type Context = Context<Self>;
}

impl Handler<DistributedEvent> for Logger {
    type Result = ();

    fn handle(&mut self, event: DistributedEvent, _: &mut Context<Self>) {
        println!("Broadcasted {} {}", event.topic(), event.to_json());
    }
}

#[actix::main]
async fn main() -> ExitCode {
    let address = common::setup();
    let emitter = match common::connect(
        "master",
        Emitter::builder("master").heartbeat_interval(Some(Duration::from_secs(30))),
        &address,
    )
    .await
    {
        Ok(emitter) => emitter,
        Err(code) => return code,
    };
    if let Err(error) = emitter.on(ANY_TOPIC, Logger.start().recipient()) {
        eprintln!("master: cannot listen: {error}");
        return ExitCode::FAILURE;
    }
    common::run_until_ctrl_c("master", emitter, None, |_| {}).await
}
