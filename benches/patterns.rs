//! Topic matching against thousands of patterns: the trie against checking each pattern.

#![forbid(unsafe_code)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use nanomitter::topic::matches;
use nanomitter::trie::Trie;

/// `n` patterns over a namespace like `market.<exchange>.<symbol>.<field>`, a quarter of them
/// with wildcards.
fn patterns(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| match i % 4 {
            0 => format!("market.x{}.s{}.bid", i % 17, i),
            1 => format!("market.x{}.*.ask", i % 17),
            2 => format!("market.x{}.s{}.>", i % 17, i),
            _ => format!("news.{}.headline", i),
        })
        .collect()
}

fn matching(c: &mut Criterion) {
    let mut group = c.benchmark_group("match one topic");
    let topic = "market.x5.s1234.bid";
    for n in [100usize, 1_000, 10_000] {
        let patterns = patterns(n);
        let mut trie = Trie::default();
        for (i, p) in patterns.iter().enumerate() {
            trie.insert(p, i);
        }
        group.bench_with_input(BenchmarkId::new("trie", n), &trie, |b, trie| {
            b.iter(|| {
                let mut found = 0;
                trie.for_each_match(topic, |_| found += 1);
                found
            })
        });
        group.bench_with_input(BenchmarkId::new("each pattern", n), &patterns, |b, patterns| {
            b.iter(|| patterns.iter().filter(|p| matches(p, topic)).count())
        });
    }
    group.finish();
}

criterion_group!(benches, matching);
criterion_main!(benches);
