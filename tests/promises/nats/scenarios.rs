//! The NATS backend under failure: real `nanomitter` processes on `nats://` addresses against
//! real `nats-server`s (tests/common/nats.rs) whose stream leader is killed, whose consumer is
//! killed and comes back under the same name, which are frozen, or which refuse the credentials;
//! and the core mode's slow consumer, told what it missed. Every check is by sender and sequence
//! number.
//!
//! Owns: these scenarios and the few helpers they share (a NATS load node, the sequence numbers
//! a `listen` process printed). It must not start servers by hand (the harness does) and must not
//! check the NNG backend (the other promises do).

use crate::certificates::make_certificates;
use crate::common;

use common::{
    assert_received_all, poll_until, wait_until, NatsCluster, NatsServer, Process, DEADLINE,
};
use serde_json::Value;
use std::time::{Duration, Instant};

/// The stream the backend uses with its default settings.
const STREAM: &str = "nanomitter";

/// What a node prints on stderr once connected to a NATS server.
const CONNECTED: &str = "connected to nats://";

/// A `load` node on the NATS `address` emitting `rate` events/s on topic `load` (0: none),
/// connected.
fn nats_load(name: &str, address: &str, rate: u64, extra: &[&str]) -> Process {
    let rate = rate.to_string();
    let mut args = vec!["load", "--addr", address, "--service", name, "--heartbeat", "0"];
    args.extend_from_slice(&["--rate", &rate]);
    args.extend_from_slice(extra);
    let node = Process::start(name, &args);
    node.wait_stderr(CONNECTED);
    node
}

/// A `listen load` process on the NATS `address`, printing every event, connected.
fn nats_listen(name: &str, address: &str, extra: &[&str]) -> Process {
    let mut args = vec!["listen", "load", "--addr", address, "--service", name, "--heartbeat", "0"];
    args.extend_from_slice(extra);
    let node = Process::start(name, &args);
    node.wait_stderr(CONNECTED);
    node
}

/// A load node's report.
fn report(node: &mut Process) -> Value {
    node.ask("report", "report")
}

/// A load node's id (16 hex digits), as reports and events name it.
fn node_of(node: &mut Process) -> String {
    report(node)["node"].as_str().expect("a node id").to_owned()
}

/// How many distinct events of `sender` the report says its node received.
fn unique_from(report: &Value, sender: &str) -> u64 {
    report["received"][sender]["unique"].as_u64().unwrap_or(0)
}

/// Waits until the load node `receiver` has received at least `n` distinct events of `sender`;
/// returns how many it has.
fn wait_received(receiver: &mut Process, sender: &str, n: u64, limit: Duration) -> u64 {
    let name = receiver.name.clone();
    poll_until(limit, || Some(unique_from(&report(receiver), sender)).filter(|got| *got >= n))
        .unwrap_or_else(|| {
            let got = unique_from(&report(receiver), sender);
            panic!("{name} received {got} of at least {n} events within {limit:?}")
        })
}

/// Stops the producer (it answers once the stream acknowledged every event it emitted), waits
/// until the listener read them all (reading from a stream is asynchronous: "stored" is not
/// "delivered"), then returns both reports.
fn stop_and_report_once_read(producer: &mut Process, listener: &mut Process) -> (Value, Value) {
    let sender = node_of(producer);
    let emitted = producer.ask("stop", "stopped").as_u64().expect("a count");
    let _ = poll_until(Duration::from_secs(30), || {
        (unique_from(&report(listener), &sender) >= emitted).then_some(())
    });
    listener.ask("stop", "stopped");
    (report(producer), report(listener))
}

/// The sequence numbers of `sender`'s events a `listen` process printed, in the order printed.
fn seqs_printed(process: &Process, sender: &str) -> Vec<u64> {
    process
        .stdout()
        .iter()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|event| event["node"] == sender)
        .filter_map(|event| event["seq"].as_u64())
        .collect()
}

/// The sequence number of the last event of `sender` a `listen` process printed, reading
/// from the end (cheap enough to poll).
fn last_seq_printed(process: &Process, sender: &str) -> Option<u64> {
    process.stdout().iter().rev().find_map(|line| {
        let event = serde_json::from_str::<Value>(line).ok()?;
        (event["node"] == sender).then(|| event["seq"].as_u64()).flatten()
    })
}

/// Waits until a `listen` process printed `sender`'s event `seq` (or a later one).
fn wait_printed(process: &Process, sender: &str, seq: u64, limit: Duration) {
    let reached = poll_until(limit, || last_seq_printed(process, sender).filter(|s| *s >= seq));
    assert!(
        reached.is_some(),
        "{} printed {sender}'s events up to {:?}, not {seq}, within {limit:?}; its stderr: {:?}",
        process.name,
        last_seq_printed(process, sender),
        process.stderr()
    );
}

/// Fails unless `seqs` is exactly `first..=last`, in that order.
fn assert_in_order(seqs: &[u64], first: u64, last: u64, what: &str) {
    let expected: Vec<u64> = (first..=last).collect();
    if seqs != expected {
        let wrong = seqs.iter().zip(&expected).position(|(got, want)| got != want);
        panic!(
            "{what}: {} events, expected {first}..={last} in order; first difference at index \
             {wrong:?} (got {:?}, expected {:?})",
            seqs.len(),
            wrong.and_then(|i| seqs.get(i)),
            wrong.and_then(|i| expected.get(i))
        );
    }
}

/// Fails if any process said it panicked.
fn assert_no_panic(processes: &[&Process]) {
    for process in processes {
        let panics: Vec<String> =
            process.stderr().into_iter().filter(|l| l.contains("panicked")).collect();
        assert!(panics.is_empty(), "{}: {panics:?}", process.name);
    }
}

#[test]
fn jetstream_loses_nothing_when_the_stream_leader_is_killed_during_a_burst() {
    const BURST: u64 = 100_000;
    let mut cluster = NatsCluster::start(3);
    let urls = cluster.urls();
    let replicas = ["--nats-replicas", "3"];
    let mut listener = nats_load("listener", &urls, 0, &replicas);
    // Prints every event in the order it arrives: the load node's report counts, not orders.
    let watcher = nats_listen("watcher", &urls, &replicas);
    let burst = BURST.to_string();
    let mut args = vec!["emit", "--addr", &urls, "--service", "burst", "--heartbeat", "0"];
    args.extend_from_slice(&replicas);
    args.extend_from_slice(&["--repeat", &burst, "load", "{}"]);
    let mut producer = Process::start("burst", &args);
    let connected = producer.wait_stderr(CONNECTED);
    let sender =
        connected.rsplit("node ").next().expect("a node id").trim_end_matches(')').to_owned();
    wait_printed(&watcher, &sender, BURST / 10, DEADLINE);
    let before = last_seq_printed(&watcher, &sender).unwrap_or(0);

    let leader = cluster.wait_stream_leader(STREAM, DEADLINE);
    let killed_at = Instant::now();
    cluster.server_mut(leader).kill();
    let successor = cluster.wait_stream_leader(STREAM, Duration::from_secs(30));
    let elected_after = killed_at.elapsed();
    let code = producer.wait_exit();
    let burst_took = killed_at.elapsed();
    // Truthful: 0 means the stream acknowledged every event, and then every one arrives.
    assert_eq!(code, 0, "the burst's emit failed: {:?}", producer.stderr());
    wait_printed(&watcher, &sender, BURST, Duration::from_secs(60));
    assert_in_order(&seqs_printed(&watcher, &sender), 1, BURST, "the watcher");
    let _ = poll_until(Duration::from_secs(30), || {
        (unique_from(&report(&mut listener), &sender) >= BURST).then_some(())
    });
    let listener_report = report(&mut listener);
    let got = &listener_report["received"][&sender];
    assert_eq!(got["count"], BURST, "each once: {listener_report}");
    assert_eq!(got["unique"], BURST, "every one: {listener_report}");
    assert_eq!(listener_report["lagged"], 0, "{listener_report}");
    assert_no_panic(&[&producer, &listener, &watcher]);
    eprintln!(
        "nats leader kill: a burst of {BURST} events, each once and in order; stream leader \
         n{leader} killed with {before} delivered, n{successor} elected after {elected_after:?}, \
         the burst acknowledged {burst_took:?} after the kill"
    );
}

#[test]
fn jetstream_consumer_killed_and_restarted_by_name_resumes_where_it_stopped() {
    const RATE: u64 = 1000;
    // At most the events the first incarnation took but had not yet acknowledged come again:
    // one second of them.
    const MAX_REPLAYED: u64 = RATE;
    let server = NatsServer::start();
    let url = server.url();
    let named = ["--nats-name", "c1"];
    let mut first = nats_listen("c1", &url, &named);
    let mut producer = nats_load("producer", &url, RATE, &[]);
    let sender = node_of(&mut producer);
    wait_printed(&first, &sender, 1000, DEADLINE);
    first.kill();
    first.wait_exit();
    let took = seqs_printed(&first, &sender);
    let first_last = *took.last().expect("the first incarnation printed events");
    assert_in_order(&took, 1, first_last, "the first incarnation");
    // A backlog builds up while nobody consumes under the name.
    wait_until("the producer to emit a backlog", || {
        (report(&mut producer)["emitted"].as_u64()? >= first_last + RATE).then_some(())
    });

    let second = nats_listen("c1 again", &url, &named);
    producer.send("stop");
    let emitted = producer.wait_reply("stopped").as_u64().expect("a count");
    wait_printed(&second, &sender, emitted, DEADLINE);
    let got = seqs_printed(&second, &sender);
    let resumed_at = *got.first().expect("the second incarnation printed events");
    assert_in_order(&got, resumed_at, emitted, "the second incarnation");
    assert!(
        resumed_at <= first_last + 1,
        "a hole: the first took up to {first_last}, the second resumed at {resumed_at}"
    );
    let replayed = first_last + 1 - resumed_at;
    assert!(
        replayed <= MAX_REPLAYED,
        "the second incarnation resumed at {resumed_at}, {replayed} events before the first's \
         last ({first_last}); at most {MAX_REPLAYED} may come again"
    );
    assert_no_panic(&[&first, &second, &producer]);
    eprintln!(
        "nats consumer restart: {emitted} events; the first incarnation took 1..={first_last}, \
         the second {resumed_at}..={emitted} ({replayed} taken twice)"
    );
}

#[test]
fn jetstream_loses_and_duplicates_nothing_across_a_frozen_server() {
    const RATE: u64 = 2000;
    // Longer than the backend's ping interval (2 s), so the clients see the server as stale.
    const FROZEN_FOR: Duration = Duration::from_secs(6);
    let mut server = NatsServer::start();
    let url = server.url();
    let mut listener = nats_load("listener", &url, 0, &[]);
    let mut producer = nats_load("producer", &url, RATE, &[]);
    let sender = node_of(&mut producer);
    let before = wait_received(&mut listener, &sender, 500, DEADLINE);

    server.freeze();
    std::thread::sleep(FROZEN_FOR);
    server.thaw();
    let thawed_at = Instant::now();
    wait_received(&mut listener, &sender, before + RATE, Duration::from_secs(30));
    let flowing_after = thawed_at.elapsed();

    let (producer_report, listener_report) =
        stop_and_report_once_read(&mut producer, &mut listener);
    assert_received_all(&listener_report, &producer_report, true);
    assert_eq!(listener_report["lagged"], 0, "{listener_report}");
    assert_no_panic(&[&producer, &listener]);
    let emitted = producer_report["emitted"].as_u64().unwrap();
    eprintln!(
        "nats freeze: {emitted} events each once across {FROZEN_FOR:?} frozen ({before} before); \
         flowing again {flowing_after:?} after the thaw"
    );
}

#[test]
fn wrong_credentials_fail_with_one_line_and_right_ones_connect() {
    const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
    let server = NatsServer::with_args(&["--user", "u", "--pass", "right"]);
    let url = server.url();
    let credentials = |password: &'static str| {
        let mut args = vec!["--addr", url.as_str(), "--nats-user", "u"];
        args.extend_from_slice(&["--nats-password", password, "--connect-timeout", "5s"]);
        args
    };

    let mut args = vec!["listen", "x", "-n", "1"];
    args.extend(credentials("wrong"));
    let started = Instant::now();
    // As a user runs it (no RUST_LOG): stderr holds only what the command itself says.
    let mut refused = Process::start_as_user("refused", &args);
    let code = refused
        .wait_exit_within(CONNECT_TIMEOUT + Duration::from_secs(5))
        .expect("a refused listen exits");
    let took = started.elapsed();
    assert_eq!(code, 1, "stdout {:?}, stderr {:?}", refused.stdout(), refused.stderr());
    let stderr = refused.stderr();
    assert_eq!(stderr.len(), 1, "exactly one line: {stderr:?}");
    assert!(stderr[0].starts_with("nanomitter: error: "), "{stderr:?}");
    assert!(stderr[0].to_lowercase().contains("authorization"), "{stderr:?}");
    assert!(took < CONNECT_TIMEOUT + Duration::from_secs(2), "exited after {took:?}");

    let mut args = vec!["listen", "x", "-n", "1"];
    args.extend(credentials("right"));
    let mut listener = Process::start_as_user("listener", &args);
    listener.wait_stderr(CONNECTED);
    let mut args = vec!["emit", "x", r#"{"ok":true}"#];
    args.extend(credentials("right"));
    let mut emitter = Process::start_as_user("emitter", &args);
    assert_eq!(emitter.wait_exit(), 0, "emit: {:?}", emitter.stderr());
    assert_eq!(listener.wait_exit(), 0, "listen: {:?}", listener.stderr());
    let events = listener.events("x");
    assert_eq!(events.len(), 1, "{:?}", listener.stdout());
    assert_eq!(events[0]["data"], serde_json::json!({"ok": true}));
    eprintln!("nats credentials: refused in {took:?} with {:?}; accepted ones deliver", stderr[0]);
}

#[test]
fn core_mode_slow_consumer_is_told_exactly_what_it_missed() {
    const LOAD_FOR: Duration = Duration::from_secs(3);
    let server = NatsServer::start();
    let url = server.url();
    // 200 µs per event: at most 5 000 events/s, against a producer asking for 50 000/s (what a
    // debug build sustains), past what the subscription's buffer holds.
    let slow = ["--nats-mode", "core", "--slow-us", "200"];
    let mut listener = nats_load("listener", &url, 0, &slow);
    let mut producer = nats_load("producer", &url, 50_000, &["--nats-mode", "core"]);
    let sender = node_of(&mut producer);
    std::thread::sleep(LOAD_FOR);
    producer.send("stop");
    let emitted = producer.wait_reply("stopped").as_u64().expect("a count");

    // The listener works through its backlog; then what it received and what it was told it
    // missed add up to what was emitted.
    let mut last = Value::Null;
    let settled = poll_until(Duration::from_secs(30), || {
        last = report(&mut listener);
        let accounted = unique_from(&last, &sender) + last["lagged"].as_u64()?;
        (accounted >= emitted).then_some(())
    });
    let got = &last["received"][&sender];
    let (unique, lagged) = (unique_from(&last, &sender), last["lagged"].as_u64().unwrap_or(0));
    assert!(
        settled.is_some(),
        "received {unique} distinct + told of {lagged} missed != {emitted} emitted; the last \
         report: {last}"
    );
    assert_eq!(unique + lagged, emitted, "received + missed = emitted; the last report: {last}");
    assert_eq!(got["count"], got["unique"], "no duplicates: {last}");
    assert!(got["max"].as_u64().unwrap_or(0) <= emitted, "{last}");
    assert!(lagged > 0, "the consumer kept up ({unique} of {emitted}): make it slower");
    assert_no_panic(&[&producer, &listener]);
    eprintln!(
        "nats core slow consumer: {emitted} emitted in {LOAD_FOR:?}, {unique} received, {lagged} \
         reported missed through $lagged"
    );
}

#[test]
fn emit_exits_1_when_the_stream_never_acknowledges() {
    let mut server = NatsServer::start();
    let url = server.url();
    // A short duplicate window: a publish is retried for half of it (2 s), then given up.
    let args = ["emit", "--addr", &url, "--heartbeat", "0", "--nats-duplicate-window", "4s"];
    let mut emit =
        Process::start("emit", &[&args[..], &["--repeat", "1000000", "load", "{}"]].concat());
    emit.wait_stderr(CONNECTED);
    server.kill();
    let killed_at = Instant::now();
    let code = emit.wait_exit();
    let took = killed_at.elapsed();
    let said = emit.stderr().join("\n");
    assert_eq!(code, 1, "a truthful exit code: {said}");
    assert!(said.contains("not acknowledged by the NATS stream"), "{said}");
    assert_no_panic(&[&emit]);
    eprintln!("nats no stream: emit exited 1 {took:?} after the server died, saying: {said}");
}

#[test]
fn a_named_consumer_is_told_what_retention_dropped_while_it_was_away() {
    let server = NatsServer::start();
    let url = server.url();
    // The stream keeps an event one second.
    let named = ["--nats-name", "c1", "--nats-max-age", "1s"];
    let mut first = nats_load("c1", &url, 0, &named);
    let emit = |n: &str| {
        let args = ["emit", "--addr", &url, "--heartbeat", "0", "--nats-max-age", "1s"];
        let mut emit =
            Process::start("emit", &[&args[..], &["--repeat", n, "load", "{}"]].concat());
        assert_eq!(emit.wait_exit(), 0, "{:?}", emit.stderr());
    };
    emit("10");
    wait_until("c1 to take the first events", || {
        let got = report(&mut first)["received"].as_object()?.values().next()?["unique"].as_u64();
        (got == Some(10)).then_some(())
    });
    // Closed cleanly: its position is recorded.
    first.close_stdin();
    assert_eq!(first.wait_exit(), 0, "{:?}", first.stderr());
    emit("50");
    wait_until("the stream to drop the events by age", || {
        let jsz = server.jsz("streams=true")?;
        let messages = jsz["account_details"][0]["stream_detail"][0]["state"]["messages"].as_u64();
        (messages == Some(0)).then_some(())
    });
    let mut second = nats_load("c1 again", &url, 0, &named);
    let told = poll_until(DEADLINE, || {
        let lagged = report(&mut second)["lagged"].as_u64()?;
        (lagged > 0).then_some(lagged)
    });
    assert_eq!(told, Some(50), "the 50 events that expired while c1 was away, on $lagged");
    assert_no_panic(&[&first, &second]);
    eprintln!("nats retention: a named consumer away while 50 events expired was told of 50");
}

#[test]
fn tls_to_nats_verifies_the_servers_certificate() {
    let dir = common::TempDir::new("nats-tls");
    let (ca, server_pem) = make_certificates(&dir, "nats", true);
    let server_pem = server_pem.expect("a server certificate");
    let (other_ca, _) = make_certificates(&dir, "other", false);
    let tls = ["--tls", "--tlscert", server_pem.as_str(), "--tlskey", server_pem.as_str()];
    let server = NatsServer::with_args(&tls);
    let url = server.url();
    let trusted = ["--nats-tls-ca", ca.as_str()];
    let listener = nats_listen("listener", &url, &trusted);
    let args = ["emit", "--addr", &url, "--heartbeat", "0", "--nats-tls-ca", &ca, "load", "{}"];
    let mut emit = Process::start("emit", &args);
    assert_eq!(emit.wait_exit(), 0, "{:?}", emit.stderr());
    wait_until("the event over TLS", || (!listener.events("load").is_empty()).then_some(()));

    let args =
        ["listen", "x", "--addr", &url, "--nats-tls-ca", &other_ca, "--connect-timeout", "3s"];
    let mut stranger = Process::start_as_user("stranger", &args);
    assert_eq!(stranger.wait_exit(), 1, "a server whose certificate another CA signed is refused");
    let said = stranger.stderr().join("\n");
    assert!(said.contains("nanomitter: error: NATS"), "{said}");
    assert_no_panic(&[&listener, &emit, &stranger]);
    eprintln!("nats tls: events over TLS; another CA's node refused with: {said}");
}
