//! One process of a bench run (the hidden `bench-node` subcommand), and its nanomitter kind.
//!
//! Owns: choosing the process's system, the producer's loop (flat out or at a fixed rate, for
//! `--seconds`, the payload made just before each emit), and the nanomitter hub, producer
//! (`emit_wait`, then `flush`) and consumer (a listener actor that tallies), over the NNG hub or
//! over NATS with the options `nats_backend` gives each of its systems. Every process
//! prints `{"ready":true}` once it can take part, then answers on stdin `go` (a producer:
//! `{"done": Produced}` once `flush` answered: every member holds its events, or over NATS the
//! stream acknowledged them) and `report <expected>` (a consumer: `{"report": Received}` once
//! `expected` events arrived or were told missed on `$lagged`, or none came for a while).
//! It must not change the library's behaviour: it uses the public API only.

use super::tally::{self, Produced, Tally};
use super::{nats, nats_backend, raw_nng, topics, NodeArgs, Role, System, PATTERN};
use crate::output::print_line;
use actix::prelude::*;
use nanomitter::{DistributedEvent, Emitter, EmitterHandle};
use serde::Serialize;
use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// How long a producer waits to hear of every consumer's subscription.
const SUBSCRIPTIONS_WITHIN: Duration = Duration::from_secs(30);

pub async fn run(args: NodeArgs) -> Result<(), String> {
    match args.system {
        System::Nanomitter
        | System::NanomitterJetstream
        | System::NanomitterJetstreamR3
        | System::NanomitterCore => nanomitter_node(args).await,
        System::RawNng => tokio::task::spawn_blocking(move || raw_nng::node(args))
            .await
            .map_err(|e| e.to_string())?,
        System::Nats => nats::node(args).await,
    }
}

/// Emits for `--seconds` at `--rate` (flat out when 0) with `emit`, given each event's number
/// (from 0) and its payload, made just before its emit; returns what went out, from when.
pub async fn produce<F, Fut>(args: &NodeArgs, mut emit: F) -> Produced
where
    F: FnMut(u64, Vec<u8>) -> Fut,
    Fut: Future<Output = bool>,
{
    let started = Instant::now();
    let run_for = Duration::from_secs_f64(args.seconds);
    let mut produced = Produced::default();
    while started.elapsed() < run_for {
        if args.rate > 0 {
            let due = (started.elapsed().as_secs_f64() * args.rate as f64) as u64;
            if produced.emitted >= due {
                actix_rt::time::sleep(Duration::from_micros(200)).await;
                continue;
            }
        }
        let payload = tally::payload(args.size);
        if produced.first_ns == 0 {
            produced.first_ns = tally::sent_ns(&payload);
        }
        if !emit(produced.emitted, payload).await {
            break;
        }
        produced.emitted += 1;
    }
    produced
}

/// Prints a producer's or consumer's answer line.
pub fn answer<T: Serialize>(key: &str, value: &T) {
    print_line(&serde_json::json!({ key: value }).to_string());
}

/// Answers a `report <expected>` line once `expected` events (or a quiet spell) are tallied.
pub async fn report_when_settled(tally: &RefCell<Tally>, expected: &str) {
    let expected: u64 = expected.trim().parse().unwrap_or(0);
    while !tally.borrow().settled(expected) {
        actix_rt::time::sleep(Duration::from_millis(10)).await;
    }
    answer("report", &tally.borrow().report());
}

struct Counter(Rc<RefCell<Tally>>);

impl Actor for Counter {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        ctx.set_mailbox_capacity(65536);
    }
}

impl Handler<DistributedEvent> for Counter {
    type Result = ();

    fn handle(&mut self, event: DistributedEvent, _: &mut Context<Self>) {
        // Every listener of a node hears its `$lagged` notices: what it will never get.
        if let Some(missed) = crate::load::lagged_missed(&event) {
            self.0.borrow_mut().told_missed(missed);
            return;
        }
        let sent_ns = tally::sent_ns(event.payload());
        self.0.borrow_mut().record(event.node(), event.seq(), sent_ns);
    }
}

async fn nanomitter_node(args: NodeArgs) -> Result<(), String> {
    // One address, or the seed URLs of a NATS cluster.
    let candidates: Vec<&str> = args.addr.split(',').collect();
    let builder = Emitter::builder(format!("{:?}", args.role).to_lowercase())
        .candidates(candidates.iter().copied())
        .heartbeat_interval(None)
        .local_echo(false)
        .delay_target((!args.delay_target.is_zero()).then_some(args.delay_target));
    // The NATS servers a run starts take no credentials and no TLS.
    let builder = if nats_backend::servers(args.system).is_some() {
        nats_backend::configure(builder, args.system)?
    } else {
        args.security.apply(builder, &candidates)?
    };
    let emitter = builder.connect().await.map_err(|e| e.to_string())?;
    let tally = Rc::new(RefCell::new(Tally::default()));
    match args.role {
        Role::Consumer => {
            emitter
                .on(PATTERN, Counter(tally.clone()).start().recipient())
                .map_err(|e| e.to_string())?;
            emitter.topics().await.map_err(|e| e.to_string())?;
        }
        Role::Producer => knows_every_consumer(&emitter, args.consumers).await?,
        Role::Hub => {}
    }
    print_line(r#"{"ready":true}"#);
    let mut lines = crate::repl::stdin_lines();
    while let Some(line) = lines.recv().await {
        if line == "go" {
            let topics = topics(args.topics);
            let produced = produce(&args, |n, bytes| {
                let (emitter, topic) = (emitter.clone(), &topics[(n % args.topics) as usize]);
                async move { emitter.emit_wait(topic, &BenchPayload(bytes)).await.is_ok() }
            })
            .await;
            emitter.flush().await.map_err(|e| e.to_string())?;
            answer("done", &produced);
        } else if let Some(expected) = line.strip_prefix("report ") {
            report_when_settled(&tally, expected).await;
        }
    }
    Ok(())
}

/// Waits until the cluster's subscriptions reached this node: an event emitted before that
/// would go nowhere.
async fn knows_every_consumer(emitter: &EmitterHandle, consumers: usize) -> Result<(), String> {
    let deadline = Instant::now() + SUBSCRIPTIONS_WITHIN;
    let topic = &topics(1)[0];
    while emitter.cluster_listener_count(topic).await.map_err(|e| e.to_string())? < consumers {
        if Instant::now() > deadline {
            return Err(format!("never heard of {consumers} consumers"));
        }
        actix_rt::time::sleep(Duration::from_millis(5)).await;
    }
    Ok(())
}

/// A nanomitter bench event: the payload's send time first, as its 8 bytes (bincode writes an
/// array as it is), then the rest of the payload as a byte string, so the encoded event starts
/// with the send time as every system's does.
struct BenchPayload(Vec<u8>);

impl Serialize for BenchPayload {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeTuple;
        let (sent_ns, rest) = self.0.split_at(8.min(self.0.len()));
        let mut tuple = serializer.serialize_tuple(sent_ns.len() + 1)?;
        for byte in sent_ns {
            tuple.serialize_element(byte)?;
        }
        tuple.serialize_element(&RawBytes(rest))?;
        tuple.end()
    }
}

/// Bytes serialized as one byte string.
struct RawBytes<'a>(&'a [u8]);

impl Serialize for RawBytes<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(self.0)
    }
}
