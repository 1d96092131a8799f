//! How the command line prints events: one JSON object per line on stdout.
//!
//! Owns: the line format `{"topic","service","node","seq","data"}` and the printing actor. It
//! must not connect or emit anything.

use actix::prelude::*;
use nanomitter::DistributedEvent;
use std::io::Write;
use tokio::sync::oneshot;

/// The JSON line of one event. JSON payloads appear as JSON, bincode ones as `{"bincode": "<hex>"}`.
pub fn event_line(event: &DistributedEvent) -> String {
    serde_json::json!({
        "topic": event.topic(),
        "service": event.service(),
        "node": format!("{:016x}", event.node()),
        "seq": event.seq(),
        "data": event.to_json(),
    })
    .to_string()
}

/// Writes a line to stdout; `false` when stdout is gone (the reader quit).
pub fn print_line(line: &str) -> bool {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}").and_then(|()| out.flush()).is_ok()
}

/// Prints every event it receives; after `limit` events (or when stdout closes) it signals `done`.
pub struct Printer {
    limit: Option<u64>,
    printed: u64,
    done: Option<oneshot::Sender<()>>,
}

impl Printer {
    pub fn new(limit: Option<u64>, done: oneshot::Sender<()>) -> Self {
        Printer { limit, printed: 0, done: Some(done) }
    }
}

impl Actor for Printer {
    type Context = Context<Self>;
}

impl Handler<DistributedEvent> for Printer {
    type Result = ();

    fn handle(&mut self, event: DistributedEvent, _: &mut Context<Self>) {
        if self.done.is_none() {
            return;
        }
        self.printed += 1;
        let reached_limit = self.limit.is_some_and(|limit| self.printed >= limit);
        if !print_line(&event_line(&event)) || reached_limit {
            if let Some(done) = self.done.take() {
                let _ = done.send(());
            }
        }
    }
}
