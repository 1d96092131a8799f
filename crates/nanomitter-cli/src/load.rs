//! `nanomitter load` (hidden): a node under steady load that accounts for every event, for the
//! failure tests.
//!
//! Owns: emitting at a fixed rate (waiting when the cluster pushes back), recording every event
//! received per sender, and the line commands on stdin: `stop` (stop emitting, wait until every
//! member holds what was emitted, answer `{"stopped": <emitted>}`) and `report` (answer
//! `{"report": {...}}` with what was received). `$lagged` notices print as `{"lagged": ...}`.

use crate::node::{report_roles, NodeArgs};
use crate::output::print_line;
use crate::repl::stdin_lines;
use actix::prelude::*;
use clap::Args;
use nanomitter::{topic, DistributedEvent};
use serde::{Deserialize, Serialize};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::time::{Duration, Instant};

#[derive(Args)]
pub struct LoadArgs {
    #[command(flatten)]
    node: NodeArgs,
    /// Events per second to emit; 0 emits nothing.
    #[arg(long, default_value_t = 0)]
    rate: u64,
    /// The topic (or pattern) to listen to, and to emit on unless `--emit-on` says otherwise.
    #[arg(long, default_value = "load")]
    topic: String,
    /// Topics to emit on, in turn (comma-separated).
    #[arg(long, value_delimiter = ',')]
    emit_on: Vec<String>,
    /// Payload bytes besides the send timestamp.
    #[arg(long, default_value_t = 16)]
    size: usize,
    /// Microseconds this node spends on each received event (a slow consumer).
    #[arg(long, default_value_t = 0)]
    slow_us: u64,
}

/// The payload of a load event.
#[derive(Serialize, Deserialize)]
struct Payload {
    /// Wall-clock nanoseconds since the Unix epoch when it was emitted, for whoever reads the event
    /// to time it; the load node itself records only sequence numbers.
    sent_at_ns: u128,
    /// `--size` bytes of filler, so a test sets how large events are.
    pad: Vec<u8>,
}

/// Every sequence number received, per sender, and the lost-for-good notices.
#[derive(Default)]
struct Received {
    /// Per sender (its node id), every sequence number delivered, in arrival order and repeats
    /// kept: the report counts them, the distinct ones, and the lowest and highest.
    seqs: HashMap<u64, Vec<u64>>,
    /// The sum of `missed` over the `$lagged` notices: events this node was told it will never get.
    lagged: u64,
}

struct Recorder {
    /// The record, shared with `run`, which reads it to answer `report`.
    received: Rc<RefCell<Received>>,
    /// `--slow-us`: time spun on each event, making this node a slow consumer on purpose.
    slow: Duration,
}

impl Actor for Recorder {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        ctx.set_mailbox_capacity(1024);
    }
}

impl Handler<DistributedEvent> for Recorder {
    type Result = ();

    fn handle(&mut self, event: DistributedEvent, _: &mut Context<Self>) {
        if let Some(missed) = lagged_missed(&event) {
            self.received.borrow_mut().lagged += missed;
            print_line(&serde_json::json!({ "lagged": event.to_json() }).to_string());
            return;
        }
        // A slow consumer: the whole node is busy, as a CPU-bound handler would make it.
        let busy_since = Instant::now();
        while busy_since.elapsed() < self.slow {
            std::hint::spin_loop();
        }
        self.received.borrow_mut().seqs.entry(event.node()).or_default().push(event.seq());
    }
}

/// Answered once the recorder handled everything sent to it before.
#[derive(Message)]
#[rtype(result = "()")]
struct Drained;

impl Handler<Drained> for Recorder {
    type Result = ();

    fn handle(&mut self, _: Drained, _: &mut Context<Self>) {}
}

pub async fn run(args: LoadArgs) -> Result<(), String> {
    let received = Rc::new(RefCell::new(Received::default()));
    let recorder =
        Recorder { received: received.clone(), slow: Duration::from_micros(args.slow_us) }.start();
    let topics = [args.topic.clone(), topic::LAGGED.to_owned()];
    let emitter =
        args.node.connect_listening(&topics, Some(recorder.clone().recipient()), false).await?;
    report_roles(&emitter);

    let emitted = Rc::new(Cell::new(0u64));
    let stopped = Rc::new(Cell::new(false));
    let mut emitting = None;
    if args.rate > 0 {
        let (emitter, emitted, stopped) = (emitter.clone(), emitted.clone(), stopped.clone());
        let topics =
            if args.emit_on.is_empty() { vec![args.topic.clone()] } else { args.emit_on.clone() };
        let (pad, rate) = (vec![0x5a; args.size], args.rate);
        emitting = Some(actix_rt::spawn(async move {
            let started = Instant::now();
            let mut ticks = actix_rt::time::interval(Duration::from_millis(1));
            while !stopped.get() {
                ticks.tick().await;
                let due = (started.elapsed().as_secs_f64() * rate as f64) as u64;
                while emitted.get() < due && !stopped.get() {
                    let sent_at_ns = std::time::UNIX_EPOCH.elapsed().map_or(0, |d| d.as_nanos());
                    let payload = Payload { sent_at_ns, pad: pad.clone() };
                    let topic = &topics[emitted.get() as usize % topics.len()];
                    if emitter.emit_wait(topic, &payload).await.is_err() {
                        return;
                    }
                    emitted.set(emitted.get() + 1);
                }
            }
        }));
    }

    let mut lines = stdin_lines();
    while let Some(line) = lines.recv().await {
        match line.trim() {
            "stop" => {
                stopped.set(true);
                // An emit waiting for room when the stop came still counts: let it finish
                // before the flush, which covers only what was emitted before it.
                if let Some(loop_done) = emitting.take() {
                    let _ = loop_done.await;
                }
                emitter.flush().await.map_err(|e| e.to_string())?;
                print_line(&serde_json::json!({ "stopped": emitted.get() }).to_string());
            }
            "report" => {
                // A round trip through the emitter (it answers once it handed every event admitted
                // so far to the recorder), then through the recorder (it handled them).
                emitter.topics().await.map_err(|e| e.to_string())?;
                recorder.send(Drained).await.map_err(|e| e.to_string())?;
                let report = report(&received.borrow(), emitted.get(), &emitter);
                print_line(&serde_json::json!({ "report": report }).to_string());
            }
            other => eprintln!("nanomitter: unknown command {other:?} (stop, report)"),
        }
    }
    emitter.close().await.map_err(|e| e.to_string())
}

/// For a `$lagged` notice, how many events it says are lost for good (0 if it does not say);
/// `None` for any other event.
pub fn lagged_missed(event: &DistributedEvent) -> Option<u64> {
    (event.topic() == topic::LAGGED).then(|| {
        let notice = event.decode::<serde_json::Value>().ok();
        notice.and_then(|v| v["missed"].as_u64()).unwrap_or(0)
    })
}

fn report(
    received: &Received,
    emitted: u64,
    emitter: &nanomitter::EmitterHandle,
) -> serde_json::Value {
    let per_sender: serde_json::Map<String, serde_json::Value> = received
        .seqs
        .iter()
        .map(|(sender, seqs)| {
            let mut unique = seqs.clone();
            unique.sort_unstable();
            unique.dedup();
            let (min, max) = (unique.first().copied(), unique.last().copied());
            let summary = serde_json::json!({
                "count": seqs.len(), "unique": unique.len(), "min": min, "max": max,
            });
            (format!("{sender:016x}"), summary)
        })
        .collect();
    serde_json::json!({
        "node": format!("{:016x}", emitter.node_id()),
        "emitted": emitted,
        "lagged": received.lagged,
        "received": per_sender,
        "stats": emitter.stats(),
    })
}
