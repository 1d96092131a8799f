//! The hub's relay path without processes: one events frame in from a member, the frames out to
//! another, through the protocol core as a hub runs it (decode, admit, route, relay), with and
//! without the receiver's interest cutting the frame, and with the hub listening too.

#![forbid(unsafe_code)]

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use nanomitter::Codec;
use nanomitter_protocol::identity::NodeKey;
use nanomitter_protocol::stats::Stats;
use nanomitter_protocol::wire::{self, Hello, Joining, Received};
use nanomitter_protocol::{Node, OpenedAs, Settings};
use std::cell::Cell;
use std::sync::Arc;
use std::time::Instant;

/// The sender's and the receiver's node ids and connections.
const SENDER: (u64, u64) = (7, 5);
const RECEIVER: (u64, u64) = (8, 6);
/// Events per frame: a 64 KiB frame of 64-byte events.
const EVENTS: u64 = 900;

fn decoded(bytes: Bytes) -> Received {
    Received::decode(bytes).unwrap_or_else(|e| panic!("a valid frame: {e:?}"))
}

fn frame(bytes: Vec<u8>) -> Received {
    decoded(Bytes::from(bytes))
}

/// A hub with the sender and a receiver listening to `pattern`, its own listeners on `own`, and
/// the attempt of its link.
fn hub(pattern: &str, own: &[&str], now: Instant) -> (Node, u64) {
    let settings = Settings::new("hub", "tcp://127.0.0.1:1");
    let mut hub = Node::new(settings, 1, NodeKey::sample(1), Arc::new(Stats::default()), now);
    hub.set_patterns(own.iter().map(|p| (p.to_string(), 1)).collect());
    hub.start_election(now);
    let attempt = std::iter::from_fn(|| hub.poll_action())
        .find_map(|action| match action {
            nanomitter_protocol::Action::Open { attempt, .. } => Some(attempt),
            _ => None,
        })
        .expect("the hub opens its candidate");
    hub.opened(now, attempt, Ok(OpenedAs::Hub));
    for (node, conn) in [SENDER, RECEIVER] {
        hub.connection_up(now, attempt, conn);
        let hello = Hello::sample(node, false, Joining::Fresh);
        hub.receive(now, attempt, Some(conn), frame(hello.encode()));
    }
    let interest =
        wire::Interest { node: RECEIVER.0, version: 1, patterns: vec![(pattern.into(), 1)] };
    hub.receive(now, attempt, Some(RECEIVER.1), frame(interest.encode()));
    while hub.poll_action().is_some() {}
    (hub, attempt)
}

/// The sender's next frame, as its bytes arrive (the hub decodes them on its own thread, so the
/// bench does in the time measured): `EVENTS` events after `last`, alternating two topics.
fn events_after(last: u64) -> Bytes {
    let mut batch = wire::EventsBatch::new(SENDER.0, "peer", 64);
    for seq in last + 1..=last + EVENTS {
        let topic = if seq % 2 == 0 { "stock.a" } else { "stock.b" };
        batch.push(seq, Codec::Bincode, topic, &[0x5a; 64]).expect("fits");
    }
    let mut bytes = batch.finish(last + 1, last + EVENTS);
    // The sender still holds everything from its first event on.
    wire::set_retained_from(&mut bytes, 1);
    Bytes::from(bytes)
}

fn relay(c: &mut Criterion) {
    let mut group = c.benchmark_group("hub relay, one frame of 900 64-byte events");
    group.throughput(Throughput::Elements(EVENTS));
    let cases: [(&str, &str, &[&str]); 3] = [
        ("to a receiver of every topic", "*", &[]),
        ("cut for half", "stock.a", &[]),
        // Every event is made an event for the hub's own listener too.
        ("to a receiver of every topic, the hub listening too", "*", &["stock.*"]),
    ];
    for (name, pattern, own) in cases {
        let now = Instant::now();
        let (mut hub, attempt) = hub(pattern, own, now);
        // The path measured is the real one: a frame in makes a frame out to the receiver.
        hub.receive(now, attempt, Some(SENDER.1), decoded(events_after(0)));
        hub.caught_up(now);
        let out = std::iter::from_fn(|| hub.poll_action()).any(|action| {
            matches!(
                action,
                nanomitter_protocol::Action::Relay { .. }
                    | nanomitter_protocol::Action::SendTo { .. }
            )
        });
        assert!(out, "the hub relays the frame");
        let last = Cell::new(EVENTS);
        group.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter_batched(
                || {
                    let frame = events_after(last.get());
                    last.set(last.get() + EVENTS);
                    let held = wire::Ack {
                        node: RECEIVER.0,
                        epoch: 1,
                        acks: vec![(SENDER.0, last.get())],
                    };
                    (frame, frame_ack(held))
                },
                |(events, ack)| {
                    hub.receive(now, attempt, Some(SENDER.1), decoded(events));
                    hub.caught_up(now);
                    hub.receive(now, attempt, Some(RECEIVER.1), ack);
                    hub.caught_up(now);
                    let (mut actions, mut delivered) = (0, None);
                    while let Some(action) = hub.poll_action() {
                        if let nanomitter_protocol::Action::Deliver { number, .. } = action {
                            delivered = Some(number);
                        }
                        actions += 1;
                    }
                    // Its listeners take what was delivered, as the emitter tells it.
                    if let Some(number) = delivered {
                        hub.listeners_took(now, number);
                    }
                    actions
                },
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

fn frame_ack(ack: wire::Ack) -> Received {
    frame(ack.encode())
}

criterion_group!(benches, relay);
criterion_main!(benches);
