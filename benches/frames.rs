//! Frame encode and decode: the work every event costs on the way out and on the way in.

#![forbid(unsafe_code)]

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use nanomitter::Codec;
use nanomitter_protocol::wire::{decode, EventsBatch};

fn batch(events: u64, payload: &[u8]) -> Vec<u8> {
    let mut batch = EventsBatch::new(7, "bench", payload.len());
    for seq in 1..=events {
        batch.push(seq, Codec::Bincode, "stock.price", payload).expect("fits the format");
    }
    batch.finish(1, events)
}

fn frames(c: &mut Criterion) {
    let mut group = c.benchmark_group("frame");
    for size in [64usize, 1024] {
        let payload = vec![0x5a; size];
        let events = (64 * 1024 / (size + 32)) as u64;
        group.throughput(Throughput::Elements(events));
        group.bench_with_input(BenchmarkId::new("encode", size), &payload, |b, payload| {
            b.iter(|| batch(events, payload))
        });
        let frame = Bytes::from(batch(events, &payload));
        group.bench_with_input(BenchmarkId::new("decode", size), &frame, |b, frame| {
            b.iter(|| decode(frame.clone()).expect("well-formed"))
        });
    }
    group.finish();
}

criterion_group!(benches, frames);
criterion_main!(benches);
