//! Local fan-out of one event to K actor recipients: nanomitter's emitter (local echo) against
//! actix-broker's system broker doing the same, and the hub's per-frame work.

#![forbid(unsafe_code)]

use actix::prelude::*;
use actix_broker::{BrokerIssue, BrokerSubscribe};
use bytes::Bytes;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use nanomitter::{Codec, DistributedEvent, Emitter};
use nanomitter_protocol::wire::{decode, EventsBatch, Frame};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const K: usize = 100;

/// Counts what it receives, from nanomitter or from the broker.
struct Sink(Arc<AtomicU64>);

impl Actor for Sink {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        ctx.set_mailbox_capacity(1 << 16);
        self.subscribe_system_async::<Tick>(ctx);
    }
}

impl Handler<DistributedEvent> for Sink {
    type Result = ();
    fn handle(&mut self, _: DistributedEvent, _: &mut Context<Self>) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

#[derive(Clone, Message)]
#[rtype(result = "()")]
struct Tick(#[allow(dead_code)] Bytes);

impl Handler<Tick> for Sink {
    type Result = ();
    fn handle(&mut self, _: Tick, _: &mut Context<Self>) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

/// Issues broker messages from inside an actor, as actix-broker expects.
struct Issuer;

impl Actor for Issuer {
    type Context = Context<Self>;
}

#[derive(Message)]
#[rtype(result = "()")]
struct Issue(u64);

impl Handler<Issue> for Issuer {
    type Result = ();
    fn handle(&mut self, Issue(n): Issue, _: &mut Context<Self>) {
        for _ in 0..n {
            self.issue_system_async(Tick(Bytes::from_static(b"0123456789abcdef")));
        }
    }
}

async fn wait_for(counter: &AtomicU64, n: u64) {
    while counter.load(Ordering::Relaxed) < n {
        actix_rt::task::yield_now().await;
    }
}

fn fanout(c: &mut Criterion) {
    let mut group = c.benchmark_group("local fan-out to 100 actors");
    group.throughput(Throughput::Elements(K as u64));
    group.bench_function(BenchmarkId::new("nanomitter", K), |b| {
        b.iter_custom(|events| {
            System::new().block_on(async move {
                let counter = Arc::new(AtomicU64::new(0));
                let address = format!("inproc://fanout-{}", std::process::id());
                let emitter = Emitter::builder("bench")
                    .address(address)
                    .heartbeat_interval(None)
                    .connect()
                    .await
                    .expect("an inproc hub");
                for _ in 0..K {
                    emitter.on("tick", Sink(counter.clone()).start().recipient()).unwrap();
                }
                emitter.topics().await.unwrap();
                let started = Instant::now();
                for _ in 0..events {
                    emitter.emit_wait("tick", &16u64).await.unwrap();
                }
                wait_for(&counter, events * K as u64).await;
                let elapsed = started.elapsed();
                let _ = emitter.close().await;
                elapsed
            })
        })
    });
    group.bench_function(BenchmarkId::new("actix-broker", K), |b| {
        b.iter_custom(|events| {
            System::new().block_on(async move {
                let counter = Arc::new(AtomicU64::new(0));
                for _ in 0..K {
                    Sink(counter.clone()).start();
                }
                actix_rt::time::sleep(Duration::from_millis(10)).await; // subscriptions settle
                let issuer = Issuer.start();
                let started = Instant::now();
                issuer.do_send(Issue(events));
                wait_for(&counter, events * K as u64).await;
                started.elapsed()
            })
        })
    });
    group.finish();
}

fn hub_frame(c: &mut Criterion) {
    let mut batch = EventsBatch::new(7, "bench", 64);
    let topics = ["stock.a", "stock.b"];
    let events = 900u64;
    for seq in 1..=events {
        batch.push(seq, Codec::Bincode, topics[seq as usize % 2], &[0x5a; 64]).unwrap();
    }
    let frame = Bytes::from(batch.finish(1, events));
    let mut group = c.benchmark_group("hub, one 64 KiB frame of 900 events");
    group.throughput(Throughput::Elements(events));
    group.bench_function("decode", |b| b.iter(|| decode(frame.clone()).unwrap()));
    group.bench_function("decode and re-batch the wanted half", |b| {
        b.iter(|| {
            let Ok(Frame::Events(decoded)) = decode(frame.clone()) else { unreachable!() };
            let mut half = EventsBatch::new(decoded.node, "bench", 64);
            for event in decoded.events.iter().filter(|e| e.topic == "stock.a") {
                half.push(event.seq, event.codec, event.topic, event.payload()).unwrap();
            }
            half.finish(decoded.covers_from, decoded.covers_to)
        })
    });
    group.finish();
}

criterion_group!(benches, fanout, hub_frame);
criterion_main!(benches);
