//! How the command line prints events: one line per event on stdout.
//!
//! Owns: the line formats (`{"topic","service","node","seq","data"}` in that order, or the data
//! alone) and the printing actor. It must not connect or emit anything.

use actix::prelude::*;
use nanomitter::DistributedEvent;
use serde::Serialize;
use std::cell::Cell;
use std::io::Write;
use std::rc::Rc;
use tokio::sync::oneshot;

/// What a line shows of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The whole event as a JSON object, topic first.
    Event,
    /// Only its data, as JSON.
    Data,
}

/// One event as printed, its keys in this order.
#[derive(Serialize)]
struct EventLine<'a> {
    /// The event's topic, first on the line.
    topic: &'a str,
    /// The service name of the node that emitted it.
    service: &'a str,
    /// The emitting node's id as 16 hex digits, as the command line shows node ids everywhere.
    node: String,
    /// Its sequence number at the emitting node: a reader sees gaps and repeats in it.
    seq: u64,
    /// The payload as JSON: JSON and MessagePack payloads as their values, bincode ones as hex.
    data: serde_json::Value,
}

/// The line of one event. JSON payloads appear as JSON, bincode ones as `{"bincode": "<hex>"}`.
pub fn event_line(event: &DistributedEvent, format: Format) -> String {
    match format {
        Format::Event => serde_json::to_string(&EventLine {
            topic: event.topic(),
            service: event.service(),
            node: format!("{:016x}", event.node()),
            seq: event.seq(),
            data: event.to_json(),
        })
        .expect("an event line is plain JSON"),
        Format::Data => event.to_json().to_string(),
    }
}

/// Writes a line to stdout; `false` when stdout is gone (the reader quit).
pub fn print_line(line: &str) -> bool {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}").and_then(|()| out.flush()).is_ok()
}

/// Prints every event it receives; after `limit` events (or when stdout closes) it signals `done`.
pub struct Printer {
    /// Whether a line is the whole event or its data alone (`--raw`).
    format: Format,
    /// `--count`: after this many events `done` is signalled; `None`: it prints until stopped.
    limit: Option<u64>,
    /// Events handed to it so far, counted before each is printed; shared through
    /// `Printer::printed`, so `listen` can say how many of `--count` arrived before `--timeout`.
    printed: Rc<Cell<u64>>,
    /// Signalled once, at the limit or when stdout is gone; `None` after that, and later events are
    /// ignored.
    done: Option<oneshot::Sender<()>>,
}

impl Printer {
    /// A printer of lines in `format`, for `limit` events or forever.
    pub fn new(format: Format, limit: Option<u64>, done: oneshot::Sender<()>) -> Self {
        Printer { format, limit, printed: Rc::default(), done: Some(done) }
    }

    /// The number of events printed so far, readable after the printer was started.
    pub fn printed(&self) -> Rc<Cell<u64>> {
        self.printed.clone()
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
        let printed = self.printed.get() + 1;
        self.printed.set(printed);
        let reached_limit = self.limit.is_some_and(|limit| printed >= limit);
        if !print_line(&event_line(&event, self.format)) || reached_limit {
            if let Some(done) = self.done.take() {
                let _ = done.send(());
            }
        }
    }
}
