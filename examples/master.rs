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

use actix::prelude::*;
use nanomitter::{DistributedEvent, Emitter, ANY_TOPIC, DEFAULT_ADDRESS};
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
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let address = std::env::args().nth(1).unwrap_or_else(|| DEFAULT_ADDRESS.to_owned());

    let emitter = match Emitter::builder("master")
        .address(&address)
        .heartbeat_interval(Some(Duration::from_secs(30)))
        .connect()
        .await
    {
        Ok(emitter) => emitter,
        Err(error) => {
            eprintln!("master: cannot connect to {address}: {error}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "master: connected to {address} as {:?} (node {:016x})",
        emitter.role(),
        emitter.node_id()
    );

    if let Err(error) = emitter.on(ANY_TOPIC, Logger.start().recipient()) {
        eprintln!("master: cannot listen: {error}");
        return ExitCode::FAILURE;
    }

    if let Err(error) = actix_rt::signal::ctrl_c().await {
        eprintln!("master: cannot wait for Ctrl-C: {error}");
    }
    match emitter.close().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("master: closing failed: {error}");
            ExitCode::FAILURE
        }
    }
}
