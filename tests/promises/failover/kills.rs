//! Let it crash, lose nothing: real processes under load while hubs are killed, consumers are
//! slow or stuck. Every check is by sender and sequence number.

use crate::common;

use common::{
    assert_received_all, free_address, is_hub_now, load_node, stop_and_report, wait_until, Process,
};
use serde_json::Value;
use std::collections::HashMap;
use std::time::{Duration, Instant};

#[test]
fn chaos_five_hub_kills_under_load_lose_and_duplicate_nothing() {
    let address = free_address();
    // (process, order of start): a receiver started before a sender must get all of its events.
    let mut nodes: Vec<(Process, usize)> =
        (0..5).map(|i| (load_node(&format!("n{i}"), &address, 1000, &[]), i)).collect();
    assert_eq!(nodes[0].0.times_hub(), 1, "the first node binds");
    let mut failovers = Vec::new();
    for round in 0..5 {
        let load_until = Instant::now() + Duration::from_millis(700);
        let hub = wait_until("exactly one hub", || {
            let hubs: Vec<usize> = (0..nodes.len()).filter(|&i| is_hub_now(&nodes[i].0)).collect();
            (hubs.len() == 1).then(|| hubs[0])
        });
        std::thread::sleep(load_until.saturating_duration_since(Instant::now()));
        let before: Vec<usize> = nodes.iter().map(|(n, _)| n.times_hub()).collect();
        let (mut killed, _) = nodes.remove(hub);
        let killed_at = Instant::now();
        killed.kill();
        let before: Vec<usize> =
            before.iter().enumerate().filter(|(i, _)| *i != hub).map(|(_, b)| *b).collect();
        wait_until("a survivor to become the hub", || {
            nodes.iter().zip(&before).any(|((n, _), b)| n.times_hub() > *b).then_some(())
        });
        failovers.push(killed_at.elapsed());
        let name = format!("r{round}");
        nodes.push((load_node(&name, &address, 1000, &[]), 5 + round));
    }
    std::thread::sleep(Duration::from_millis(500));
    let mut processes: Vec<Process> = Vec::new();
    let mut order = Vec::new();
    for (process, started) in nodes {
        processes.push(process);
        order.push(started);
    }
    let reports = stop_and_report(&mut processes);
    for ((receiver, receiver_started), process) in reports.iter().zip(&order).zip(&processes) {
        let log: Vec<String> =
            process.stderr().into_iter().filter(|l| !l.contains("DEBUG")).collect();
        assert_eq!(receiver["lagged"], 0, "{}: {}", receiver["node"], log.join("\n"));
        for (sender, sender_started) in reports.iter().zip(&order) {
            assert_received_all(receiver, sender, receiver_started <= sender_started);
        }
    }
    for process in &processes {
        assert!(!process.stderr().iter().any(|l| l.contains("panicked")), "{}", process.name);
    }
    failovers.sort();
    let total: u64 = reports.iter().map(|r| r["emitted"].as_u64().unwrap()).sum();
    eprintln!(
        "chaos: {total} events from {} surviving nodes; failover after a hub kill: median {:?}, worst {:?} ({:?})",
        reports.len(),
        failovers[failovers.len() / 2],
        failovers[failovers.len() - 1],
        failovers
    );
}

#[test]
fn overload_slows_the_producer_and_loses_nothing_with_bounded_memory() {
    let address = free_address();
    let mut hub = Process::start("hub", &["hub", "--addr", &address, "--every", "0.2"]);
    hub.wait_stderr("as Hub");
    // The consumer spends 20 µs per event: at most ~50 k events/s. The producer asks for 1 M/s.
    let consumer = load_node("consumer", &address, 0, &["--slow-us", "20"]);
    let producer_args = ["--max-pending-bytes", "1000000", "--size", "64"];
    let producer = load_node("producer", &address, 1_000_000, &producer_args);
    let started = Instant::now();
    std::thread::sleep(Duration::from_secs(3));
    let peaks: HashMap<&str, u64> =
        [("hub", &hub), ("consumer", &consumer), ("producer", &producer)]
            .into_iter()
            .map(|(name, p)| (name, p.peak_rss_kib()))
            .collect();
    let mut nodes = vec![producer, consumer];
    let reports = stop_and_report(&mut nodes);
    let elapsed = started.elapsed();
    let (producer, consumer) = (&reports[0], &reports[1]);
    assert_received_all(consumer, producer, true);
    let emitted = producer["emitted"].as_u64().unwrap();
    let rate = emitted as f64 / elapsed.as_secs_f64();
    assert!(emitted < 1_000_000 * 3 / 2, "backpressure slowed the producer ({emitted} events)");
    for (name, kib) in &peaks {
        assert!(*kib < 200 * 1024, "{name} peak RSS {kib} KiB");
    }
    assert!(hub.is_running());
    eprintln!("overload: {emitted} events delivered once each in {elapsed:?} ({rate:.0}/s, producer asked for 1000000/s); peak RSS KiB {peaks:?}");
}

#[test]
fn a_stuck_consumer_is_evicted_and_told_what_it_missed() {
    let address = free_address();
    let mut hub = Process::start(
        "hub",
        &["hub", "--addr", &address, "--every", "0.1", "--evict-after", "0.5", "--liveness", "0.2"],
    );
    hub.wait_stderr("as Hub");
    let consumer = load_node("consumer", &address, 0, &[]);
    let mut producer = load_node("producer", &address, 5000, &[]);
    std::thread::sleep(Duration::from_millis(300));
    consumer.signal("STOP");
    let evicted = wait_until("the hub to evict the stuck consumer", || {
        let line = hub.stdout().into_iter().rev().find(|l| l.contains("\"stats\""))?;
        let stats: Value = serde_json::from_str(&line).ok()?;
        (stats["stats"]["evictions"].as_u64()? >= 1).then_some(stats)
    });
    consumer.signal("CONT");
    let lagged = consumer.wait_reply("lagged");
    assert!(lagged["missed"].as_u64().unwrap_or(0) > 0, "{lagged}");
    producer.send("stop");
    producer.wait_reply("stopped");
    assert!(hub.is_running());
    eprintln!("eviction: {evicted}; consumer was told {lagged}");
}
