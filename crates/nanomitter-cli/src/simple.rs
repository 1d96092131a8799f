//! The one-shot subcommands: `listen`, `emit` and `hub`.
//!
//! Owns: what each of them does between connect and exit, and their checks of arguments before
//! connecting. It must not reach past the library's public API.

use crate::duration::show;
use crate::explain;
use crate::interrupt::Interrupt;
use crate::node::{check_topics, NodeArgs};
use crate::output::{print_line, Format, Printer};
use crate::repl::stdin_lines;
use actix::Actor;
use nanomitter::json_view::BinaryAware;
use nanomitter::{Codec, EmitterHandle, Role};
use std::time::Duration;
use tokio::sync::oneshot;

/// What `listen` waits for.
pub struct ListenArgs<'a> {
    /// Stop after this many events.
    pub count: Option<u64>,
    /// Stop after this long.
    pub timeout: Option<Duration>,
    /// How events print.
    pub format: Format,
    /// Only dial: never become the hub.
    pub dial_only: bool,
    /// Topics or patterns.
    pub topics: &'a [String],
}

/// Prints events on `topics` until `count` of them arrived, `timeout` passed or Ctrl-C, then
/// closes. Fails if `timeout` passed before `count` events arrived.
pub async fn listen(node: &NodeArgs, args: ListenArgs<'_>) -> Result<(), String> {
    if args.count == Some(0) {
        return Err("--count must be at least 1".into());
    }
    check_topics(args.topics, true)?;
    let interrupt = Interrupt::install()?;
    let (done, finished) = oneshot::channel();
    let printer = Printer::new(args.format, args.count, done);
    let printed = printer.printed();
    let recipient = Some(printer.start().recipient());
    let emitter = node.connect_listening(args.topics, recipient, args.dial_only).await?;
    let timeout = args.timeout.map_or(Duration::MAX, |t| t);
    let timed_out = tokio::select! {
        _ = finished => false,
        _ = interrupt.requested() => false,
        _ = actix_rt::time::sleep(timeout) => true,
    };
    emitter.close().await.map_err(|e| explain(&e))?;
    match args.count {
        Some(count) if timed_out && printed.get() < count => {
            Err(format!("{} of {count} events arrived within {}", printed.get(), show(timeout)))
        }
        _ => Ok(()),
    }
}

/// Emits `what`'s data `repeat` times, the given JSON or, without it, every line of stdin (one
/// JSON value per line), waiting for room rather than refusing; returns once every member holds
/// the events. Ctrl-C stops emitting, flushes what was emitted, and fails.
pub async fn emit(node: &NodeArgs, what: Emission<'_>, json: Option<&str>) -> Result<(), String> {
    check_topics([&what.topic.to_owned()], false)?;
    let given = json.map(parse_json).transpose()?;
    let interrupt = Interrupt::install()?;
    // Dial-only unless --may-host: a one-shot sender must not stand in for an absent hub.
    let emitter = node.connect_dialing(!what.may_host).await?;
    // Over NATS there is no hub to lose: the client reconnects, and `close` (a flush) fails if
    // the stream never acknowledged some events.
    let hub_lost = async {
        if node.is_nats() {
            std::future::pending().await
        } else {
            hub_lost_for(&emitter, node.connect_timeout()).await
        }
    };
    tokio::pin!(hub_lost);
    let mut emitted = 0;
    let sending = emit_all(&emitter, &what, given, &mut emitted);
    let outcome = tokio::select! {
        outcome = sending => outcome,
        _ = interrupt.requested() => Err(Stop::Interrupted),
        _ = &mut hub_lost => Err(Stop::Failed(HUB_LOST.into())),
    };
    let closed = tokio::select! {
        closed = emitter.clone().close() => closed.map_err(|e| explain(&e)),
        _ = &mut hub_lost => Err(HUB_LOST.into()),
    };
    match outcome {
        Ok(()) => closed,
        Err(Stop::Interrupted) => {
            closed?;
            Err(format!("interrupted after {emitted} events (every member holds them)"))
        }
        Err(Stop::Failed(message)) => Err(message),
        // The close's error says how many and why; it fails, as the events were given up.
        Err(Stop::NotStored) => {
            closed.and(Err(format!("stopped after {emitted} events: some were not stored")))
        }
    }
}

const HUB_LOST: &str =
    "lost the hub, and none came back within --connect-timeout: some events may not have reached every member";

/// Resolves once `emitter` has been without a hub for `limit`.
async fn hub_lost_for(emitter: &EmitterHandle, limit: Duration) {
    let mut roles = emitter.roles();
    loop {
        if emitter.role() == Role::Electing
            && tokio::time::timeout(limit, emitter.wait_linked()).await.is_err()
        {
            return;
        }
        if roles.changed().await.is_err() {
            return std::future::pending().await;
        }
    }
}

/// What `emit` sends.
pub struct Emission<'a> {
    /// Each event this many times.
    pub repeat: u64,
    /// Become the hub if nobody is there.
    pub may_host: bool,
    /// The events' encoding (the data is given as JSON).
    pub codec: nanomitter::Codec,
    /// The topic to emit on.
    pub topic: &'a str,
}

/// Why `emit` stopped early.
enum Stop {
    Interrupted,
    Failed(String),
    /// The NATS backend gave events up: emitting more would only wait for each to be given up.
    NotStored,
}

async fn emit_all(
    emitter: &EmitterHandle,
    what: &Emission<'_>,
    given: Option<serde_json::Value>,
    emitted: &mut u64,
) -> Result<(), Stop> {
    if let Some(data) = given {
        return emit_repeated(emitter, what, &data, emitted).await;
    }
    let mut lines = stdin_lines();
    let mut number = 0;
    while let Some(line) = lines.recv().await {
        number += 1;
        if line.trim().is_empty() {
            continue;
        }
        let data =
            parse_json(&line).map_err(|e| Stop::Failed(format!("stdin line {number}: {e}")))?;
        emit_repeated(emitter, what, &data, emitted).await?;
    }
    Ok(())
}

/// The JSON given, as the codec writes it: MessagePack has byte strings, and `{"$bin": "<hex>"}`
/// is sent as one; JSON has none, and the object is sent as it is.
struct Data<'a> {
    value: &'a serde_json::Value,
    codec: Codec,
}

impl serde::Serialize for Data<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.codec {
            Codec::MessagePack => BinaryAware(self.value).serialize(serializer),
            Codec::Json | Codec::Bincode => self.value.serialize(serializer),
        }
    }
}

/// Events emitted in a row before `emit` lets the rest of the process run.
const YIELD_EVERY: u64 = 64;

/// Emits `data` `repeat` times, counting each in `emitted`.
async fn emit_repeated(
    emitter: &EmitterHandle,
    what: &Emission<'_>,
    data: &serde_json::Value,
    emitted: &mut u64,
) -> Result<(), Stop> {
    let data = Data { value: data, codec: what.codec };
    for _ in 0..what.repeat {
        emitter
            .emit_with_wait(what.topic, what.codec, &data)
            .await
            .map_err(|e| Stop::Failed(explain(&e)))?;
        *emitted += 1;
        if emitted.is_multiple_of(YIELD_EVERY) {
            // Events were given up (a NATS stream that stopped acknowledging): stop emitting
            // more into it; the close that follows says how many and why.
            if emitter.stats().not_stored > 0 {
                return Err(Stop::NotStored);
            }
            // Let the emitter actor (and Ctrl-C) run: waiting for room yields only once
            // `--max-pending-bytes` are held.
            tokio::task::yield_now().await;
        }
    }
    Ok(())
}

fn parse_json(text: &str) -> Result<serde_json::Value, String> {
    serde_json::from_str(text).map_err(|e| format!("the event data is not JSON ({e}): {text}"))
}

/// Relays until Ctrl-C (then closes, so members re-elect at once) or until stdout closes,
/// printing the role and counters every `every`. Says so when another node is the hub already
/// (or, over NATS, that the servers relay).
pub async fn hub(node: &NodeArgs, every: Duration) -> Result<(), String> {
    if every.is_zero() {
        return Err("--every must be above zero".into());
    }
    let interrupted = Interrupt::install()?.requested();
    tokio::pin!(interrupted);
    let emitter = node.connect().await?;
    if node.is_nats() {
        eprintln!("nanomitter: the NATS servers relay; this node only prints its counters");
    } else if emitter.role() == Role::Client {
        eprintln!("nanomitter: another node is the hub already; this one relays if it takes over");
    }
    let mut ticks = actix_rt::time::interval(every);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = &mut interrupted => break,
        }
        let line = serde_json::json!({ "role": emitter.role(), "stats": emitter.stats() });
        if !print_line(&line.to_string()) {
            break;
        }
    }
    emitter.close().await.map_err(|e| explain(&e))
}
