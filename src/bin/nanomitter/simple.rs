//! The one-shot subcommands: `listen`, `emit` and `hub`.
//!
//! Owns: what each of them does between connect and exit. It must not reach past the library's
//! public API.

use crate::node::NodeArgs;
use crate::output::{print_line, Printer};
use actix::Actor;
use std::time::Duration;
use tokio::sync::oneshot;

/// Prints events on `topics` until `count` of them arrived, or forever.
pub async fn listen(node: &NodeArgs, count: Option<u64>, topics: &[String]) -> Result<(), String> {
    if count == Some(0) {
        return Err("--count must be at least 1".into());
    }
    let (done, finished) = oneshot::channel();
    let printer = Printer::new(count, done).start().recipient();
    let emitter = node.connect_listening(topics, Some(printer)).await?;
    let _ = finished.await;
    emitter.close().await.map_err(|e| e.to_string())
}

/// Emits `json` on `topic` `repeat` times, encoded with `codec`, and returns once the events
/// have left the process.
pub async fn emit(
    node: &NodeArgs,
    repeat: u64,
    may_host: bool,
    codec: nanomitter::Codec,
    topic: &str,
    json: &str,
) -> Result<(), String> {
    let data: serde_json::Value = serde_json::from_str(json)
        .map_err(|e| format!("the event data is not JSON ({e}): {json}"))?;
    // Dial-only unless --may-host: a one-shot sender must not stand in for an absent hub.
    let emitter = node.connect_dialing(!may_host).await?;
    for _ in 0..repeat {
        emitter.emit_with(topic, codec, &data).map_err(|e| e.to_string())?;
    }
    emitter.close().await.map_err(|e| e.to_string())
}

/// Relays forever, printing the role and counters every `every`.
pub async fn hub(node: &NodeArgs, every: Duration) -> Result<(), String> {
    if every.is_zero() {
        return Err("--every must be above zero".into());
    }
    let emitter = node.connect().await?;
    let mut ticks = actix_rt::time::interval(every);
    loop {
        ticks.tick().await;
        let line = serde_json::json!({ "role": emitter.role(), "stats": emitter.stats() });
        if !print_line(&line.to_string()) {
            return emitter.close().await.map_err(|e| e.to_string());
        }
    }
}
