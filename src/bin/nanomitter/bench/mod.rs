//! `nanomitter bench`: throughput, loss and latency through the hub, against raw NNG.
//!
//! Owns: the scenarios (one-to-one, fan-out to 4, many-to-one from 4; 64 B, 1 KiB, 64 KiB;
//! flat-out or fixed-rate), the orchestration of a hub, producer and consumer processes of this
//! same binary on loopback (or `--addr`), the baseline of raw NNG bus0 (one NNG message per event,
//! relayed by a raw bus hub) measured in the same run, and the report (a table, or `--json`).
//! The hidden `bench-node` subcommand is one such process. It must not change the library's
//! behaviour: nanomitter nodes use the public API only.

use crate::output::print_line;
use crate::security::SecurityArgs;
use actix::prelude::*;
use clap::{Args, ValueEnum};
use nanomitter::{DistributedEvent, Emitter};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::ffi::OsString;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::rc::Rc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scenario {
    OneToOne,
    FanOut,
    ManyToOne,
}

impl Scenario {
    /// (producers, consumers); many-to-one has `many` producers.
    fn shape(self, many: usize) -> (usize, usize) {
        match self {
            Scenario::OneToOne => (1, 1),
            Scenario::FanOut => (1, 4),
            Scenario::ManyToOne => (many, 1),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum System {
    Nanomitter,
    Nng,
}

#[derive(Args)]
pub struct BenchArgs {
    /// Scenarios to run (default: all three).
    #[arg(long, value_enum, value_delimiter = ',')]
    scenario: Vec<Scenario>,
    /// Payload sizes in bytes (default: 64, 1024, 65536).
    #[arg(long, value_delimiter = ',')]
    size: Vec<usize>,
    /// Events per second per producer; 0 (the default) is flat out.
    #[arg(long, default_value_t = 0)]
    rate: u64,
    /// Seconds each producer emits.
    #[arg(long, default_value_t = 3.0)]
    seconds: f64,
    /// Producers in the many-to-one scenario.
    #[arg(long, default_value_t = 4)]
    producers: usize,
    /// Skip the raw NNG baseline.
    #[arg(long)]
    no_baseline: bool,
    /// Hub address; default: a free loopback port per run.
    #[arg(long)]
    addr: Option<String>,
    /// Print the results as JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Passed to every node (the raw NNG baseline uses only the TLS files).
    #[command(flatten)]
    security: SecurityArgs,
}

#[derive(Args)]
pub struct NodeArgs {
    #[arg(long, value_enum)]
    system: System,
    #[arg(long)]
    role: Role,
    #[arg(long)]
    addr: String,
    #[arg(long, default_value_t = 64)]
    size: usize,
    #[arg(long, default_value_t = 0)]
    rate: u64,
    #[arg(long, default_value_t = 3.0)]
    seconds: f64,
    #[command(flatten)]
    security: SecurityArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Role {
    Hub,
    Producer,
    Consumer,
}

/// What a consumer measured.
#[derive(Serialize, Deserialize, Default, Clone)]
struct Received {
    events: u64,
    lost: u64,
    duplicates: u64,
    seconds: f64,
    p50_us: f64,
    p99_us: f64,
    p999_us: f64,
}

/// One process's resource use.
#[derive(Serialize, Deserialize, Clone)]
struct Usage {
    role: String,
    cpu_seconds: f64,
    peak_rss_kib: u64,
}

/// One row of the report.
#[derive(Serialize, Deserialize, Clone)]
struct Row {
    system: System,
    scenario: Scenario,
    producers: usize,
    size: usize,
    rate: u64,
    sent: u64,
    /// Per consumer.
    received: Vec<Received>,
    usage: Vec<Usage>,
}

impl Row {
    /// Events per second per receiver, averaged over the consumers.
    fn per_receiver(&self) -> f64 {
        let rates: Vec<f64> =
            self.received.iter().map(|r| r.events as f64 / r.seconds.max(1e-9)).collect();
        rates.iter().sum::<f64>() / rates.len().max(1) as f64
    }

    fn lost(&self) -> u64 {
        self.received.iter().map(|r| r.lost).sum()
    }
}

pub fn run(args: BenchArgs) -> Result<(), String> {
    if !(args.seconds > 0.0 && args.seconds.is_finite()) {
        return Err("--seconds must be above zero".into());
    }
    if !(1..=64).contains(&args.producers) {
        return Err("--producers must be between 1 and 64".into());
    }
    let scenarios = if args.scenario.is_empty() {
        vec![Scenario::OneToOne, Scenario::FanOut, Scenario::ManyToOne]
    } else {
        args.scenario.clone()
    };
    // The security options' errors, before any process starts.
    args.security.check(&args.addr.iter().map(String::as_str).collect::<Vec<_>>())?;
    let sizes = if args.size.is_empty() { vec![64, 1024, 65536] } else { args.size.clone() };
    if let Some(size) = sizes.iter().find(|s| **s < 16 || **s > 1 << 20) {
        return Err(format!("--size {size}: payloads from 16 bytes to 1 MiB"));
    }
    let systems: &[System] =
        if args.no_baseline { &[System::Nanomitter] } else { &[System::Nanomitter, System::Nng] };
    let mut rows = Vec::new();
    for &scenario in &scenarios {
        for &size in &sizes {
            for &system in systems {
                let row = run_one(&args, system, scenario, size)?;
                if !args.json {
                    eprintln!(
                        "  {:<10} {:<11} {:>6} B  {:>12.0} events/s per receiver  lost {}",
                        format!("{:?}", system).to_lowercase(),
                        format!("{:?}", scenario),
                        size,
                        row.per_receiver(),
                        row.lost()
                    );
                }
                rows.push(row);
            }
        }
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&rows).map_err(|e| e.to_string())?);
    } else {
        print_table(&rows);
    }
    Ok(())
}

fn print_table(rows: &[Row]) {
    println!(
        "\n{:<11} {:>7} {:<10} {:>13} {:>9} {:>9} {:>9} {:>9} {:>9} {:>10}",
        "scenario",
        "size",
        "system",
        "events/s/recv",
        "lost",
        "p50 µs",
        "p99 µs",
        "p99.9 µs",
        "hub CPU s",
        "hub RSS"
    );
    for row in rows {
        let latency = |f: fn(&Received) -> f64| row.received.iter().map(f).fold(0.0, f64::max);
        let hub = row.usage.iter().find(|u| u.role == "hub");
        println!(
            "{:<11} {:>7} {:<10} {:>13.0} {:>9} {:>9.0} {:>9.0} {:>9.0} {:>9.2} {:>7} MiB",
            format!("{:?}", row.scenario),
            row.size,
            format!("{:?}", row.system).to_lowercase(),
            row.per_receiver(),
            row.lost(),
            latency(|r| r.p50_us),
            latency(|r| r.p99_us),
            latency(|r| r.p999_us),
            hub.map_or(0.0, |u| u.cpu_seconds),
            hub.map_or(0, |u| u.peak_rss_kib / 1024),
        );
    }
    let pairs: Vec<(&Row, &Row)> = rows
        .iter()
        .filter(|r| r.system == System::Nanomitter)
        .filter_map(|n| {
            rows.iter()
                .find(|b| b.system == System::Nng && b.scenario == n.scenario && b.size == n.size)
                .map(|b| (n, b))
        })
        .collect();
    if !pairs.is_empty() {
        println!("\nnanomitter / raw NNG bus, events/s per receiver:");
        for (n, b) in pairs {
            println!(
                "  {:<11} {:>7} B  {:>7.1}x",
                format!("{:?}", n.scenario),
                n.size,
                n.per_receiver() / b.per_receiver().max(1e-9)
            );
        }
    }
    println!("\nper-process CPU seconds and peak RSS are in --json.");
}

struct Spawned {
    child: Child,
    stdin: ChildStdin,
    role: String,
}

fn spawn(
    args: &[OsString],
    role: &str,
    lines: mpsc::Sender<(String, String)>,
) -> Result<Spawned, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut child = Command::new(exe)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start a {role}: {e}"))?;
    let stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?);
    let name = role.to_owned();
    std::thread::spawn(move || {
        for line in stdout.lines().map_while(Result::ok) {
            if lines.send((name.clone(), line)).is_err() {
                break;
            }
        }
    });
    let stdin = child.stdin.take().ok_or("no stdin")?;
    Ok(Spawned { child, stdin, role: role.to_owned() })
}

fn run_one(
    args: &BenchArgs,
    system: System,
    scenario: Scenario,
    size: usize,
) -> Result<Row, String> {
    let addr = match &args.addr {
        Some(addr) => addr.clone(),
        None => {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .map_err(|e| e.to_string())?
                .port();
            format!("tcp://127.0.0.1:{port}")
        }
    };
    let system_name = format!("{system:?}").to_lowercase();
    let node_args = |role: &str| -> Vec<OsString> {
        ["bench-node", "--system", &system_name, "--role", role, "--addr", &addr]
            .iter()
            .map(|s| s.to_string())
            .chain(["--size".into(), size.to_string(), "--rate".into(), args.rate.to_string()])
            .chain(["--seconds".into(), args.seconds.to_string()])
            .map(OsString::from)
            .chain(args.security.child_args())
            .collect()
    };
    let (tx, lines) = mpsc::channel::<(String, String)>();
    let deadline = Instant::now() + Duration::from_secs_f64(args.seconds) + Duration::from_secs(60);
    let wait = |want: &str, from: &str| -> Result<String, String> {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let (who, line) = lines
                .recv_timeout(left)
                .map_err(|_| format!("the {from} did not answer {want}"))?;
            if who.starts_with(from) && line.contains(want) {
                return Ok(line);
            }
        }
    };
    let mut processes = vec![spawn(&node_args("hub"), "hub", tx.clone())?];
    wait("ready", "hub")?;
    let (producers, consumers) = scenario.shape(args.producers);
    for i in 0..consumers {
        processes.push(spawn(&node_args("consumer"), &format!("consumer{i}"), tx.clone())?);
        wait("ready", "consumer")?;
    }
    for i in 0..producers {
        processes.push(spawn(&node_args("producer"), &format!("producer{i}"), tx.clone())?);
        wait("ready", "producer")?;
    }
    let outcome =
        measure(&mut processes, &wait, producers, consumers, system, scenario, size, args.rate);
    for p in &mut processes {
        let _ = p.child.kill();
        let _ = p.child.wait();
    }
    outcome
}

#[allow(clippy::too_many_arguments)]
fn measure(
    processes: &mut [Spawned],
    wait: &dyn Fn(&str, &str) -> Result<String, String>,
    producers: usize,
    consumers: usize,
    system: System,
    scenario: Scenario,
    size: usize,
    rate: u64,
) -> Result<Row, String> {
    for p in processes.iter_mut().filter(|p| p.role.starts_with("producer")) {
        writeln!(p.stdin, "go").map_err(|e| e.to_string())?;
    }
    let mut sent = 0;
    for _ in 0..producers {
        let line = wait("done", "producer")?;
        let value: serde_json::Value = serde_json::from_str(&line).map_err(|e| e.to_string())?;
        sent += value["done"].as_u64().unwrap_or(0);
    }
    // Every consumer is owed every event of every producer.
    let expected = sent;
    let mut received = Vec::new();
    for p in processes.iter_mut().filter(|p| p.role.starts_with("consumer")) {
        writeln!(p.stdin, "report {expected}").map_err(|e| e.to_string())?;
    }
    for _ in 0..consumers {
        let line = wait("report", "consumer")?;
        let value: serde_json::Value = serde_json::from_str(&line).map_err(|e| e.to_string())?;
        received.push(serde_json::from_value(value["report"].clone()).map_err(|e| e.to_string())?);
    }
    let usage = processes.iter().map(|p| usage_of(p.child.id(), &p.role)).collect();
    Ok(Row { system, scenario, producers, size, rate, sent, received, usage })
}

fn usage_of(pid: u32, role: &str) -> Usage {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name: utime and stime are the 12th and 13th of those.
    let fields: Vec<&str> =
        stat.rsplit_once(')').map_or(vec![], |(_, rest)| rest.split_whitespace().collect());
    let ticks: f64 = [11, 12].iter().filter_map(|i| fields.get(*i)?.parse::<f64>().ok()).sum();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let peak_rss_kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    let role = role.trim_end_matches(char::is_numeric).to_owned();
    Usage { role, cpu_seconds: ticks / 100.0, peak_rss_kib }
}

// ----- the processes -------------------------------------------------------------------------

const TOPIC: &str = "bench";

fn now_ns() -> u64 {
    std::time::UNIX_EPOCH.elapsed().map_or(0, |d| d.as_nanos() as u64)
}

/// A payload of `size` bytes that starts with the send time.
fn payload(size: usize) -> Vec<u8> {
    let mut bytes = vec![0x5a; size];
    bytes[..8].copy_from_slice(&now_ns().to_le_bytes());
    bytes
}

/// What a consumer keeps: per sender the sequence numbers seen, and every latency.
#[derive(Default)]
struct Tally {
    first: Option<Instant>,
    last: Option<Instant>,
    seen: std::collections::HashMap<u64, Vec<u64>>,
    latencies_us: Vec<u32>,
}

impl Tally {
    fn record(&mut self, sender: u64, seq: u64, sent_ns: u64) {
        let now = Instant::now();
        self.first.get_or_insert(now);
        self.last = Some(now);
        self.seen.entry(sender).or_default().push(seq);
        self.latencies_us.push((now_ns().saturating_sub(sent_ns) / 1000) as u32);
    }

    /// Whether `expected` events arrived, or none for a second (the rest are lost).
    fn settled(&self, expected: u64) -> bool {
        let count: u64 = self.seen.values().map(|v| v.len() as u64).sum();
        count >= expected || self.last.is_none_or(|l| l.elapsed() > Duration::from_secs(1))
    }

    fn report(&mut self, expected: u64) -> Received {
        let mut events = 0;
        let mut duplicates = 0;
        for seqs in self.seen.values_mut() {
            let total = seqs.len() as u64;
            seqs.sort_unstable();
            seqs.dedup();
            duplicates += total - seqs.len() as u64;
            events += seqs.len() as u64;
        }
        self.latencies_us.sort_unstable();
        let at = |q: f64| {
            let n = self.latencies_us.len();
            if n == 0 {
                0.0
            } else {
                f64::from(self.latencies_us[((n as f64 * q) as usize).min(n - 1)])
            }
        };
        let seconds = match (self.first, self.last) {
            (Some(first), Some(last)) => last.duration_since(first).as_secs_f64(),
            _ => 0.0,
        };
        Received {
            events,
            lost: expected.saturating_sub(events),
            duplicates,
            seconds,
            p50_us: at(0.5),
            p99_us: at(0.99),
            p999_us: at(0.999),
        }
    }
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
        let payload = event.payload();
        let sent_ns =
            payload.get(..8).map_or(0, |b| u64::from_le_bytes(b.try_into().unwrap_or([0; 8])));
        self.0.borrow_mut().record(event.node(), event.seq(), sent_ns);
    }
}

pub async fn node(args: NodeArgs) -> Result<(), String> {
    match args.system {
        System::Nanomitter => nanomitter_node(args).await,
        System::Nng => {
            tokio::task::spawn_blocking(move || nng_node(args)).await.map_err(|e| e.to_string())?
        }
    }
}

async fn nanomitter_node(args: NodeArgs) -> Result<(), String> {
    let builder = Emitter::builder(format!("{:?}", args.role).to_lowercase())
        .address(&args.addr)
        .heartbeat_interval(None)
        .local_echo(false);
    let emitter =
        args.security.apply(builder, &[&args.addr])?.connect().await.map_err(|e| e.to_string())?;
    let tally = Rc::new(RefCell::new(Tally::default()));
    if args.role == Role::Consumer {
        let counter = Counter(tally.clone()).start();
        emitter.on(TOPIC, counter.recipient()).map_err(|e| e.to_string())?;
        emitter.topics().await.map_err(|e| e.to_string())?;
    }
    print_line(r#"{"ready":true}"#);
    let mut lines = crate::repl::stdin_lines();
    while let Some(line) = lines.recv().await {
        if line == "go" {
            let emitted = produce(&args, |bytes| {
                let emitter = emitter.clone();
                async move { emitter.emit_wait(TOPIC, &BenchPayload::from(bytes)).await.is_ok() }
            })
            .await;
            emitter.flush().await.map_err(|e| e.to_string())?;
            print_line(&serde_json::json!({ "done": emitted }).to_string());
        } else if let Some(expected) = line.strip_prefix("report ") {
            let expected: u64 = expected.trim().parse().unwrap_or(0);
            settle(&tally, expected).await;
            let report = tally.borrow_mut().report(expected);
            print_line(&serde_json::json!({ "report": report }).to_string());
        }
    }
    Ok(())
}

/// A nanomitter bench event: the send time first, as 8 fixed bytes (bincode writes an array
/// as it is), then the rest of the payload as bytes.
struct BenchPayload {
    sent_ns: [u8; 8],
    rest: Vec<u8>,
}

impl From<Vec<u8>> for BenchPayload {
    fn from(mut bytes: Vec<u8>) -> Self {
        let rest = bytes.split_off(8);
        let mut sent_ns = [0; 8];
        sent_ns.copy_from_slice(&bytes);
        BenchPayload { sent_ns, rest }
    }
}

impl Serialize for BenchPayload {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeTuple;
        let mut tuple = serializer.serialize_tuple(2)?;
        tuple.serialize_element(&self.sent_ns)?;
        tuple.serialize_element(&RawBytes(&self.rest))?;
        tuple.end()
    }
}

struct RawBytes<'a>(&'a [u8]);

impl Serialize for RawBytes<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(self.0)
    }
}

/// Emits for `--seconds` at `--rate` (flat out when 0) with `emit`; returns how many went.
async fn produce<F, Fut>(args: &NodeArgs, mut emit: F) -> u64
where
    F: FnMut(Vec<u8>) -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    let run_for = Duration::from_secs_f64(args.seconds);
    let mut emitted = 0u64;
    while started.elapsed() < run_for {
        if args.rate > 0 {
            let due = (started.elapsed().as_secs_f64() * args.rate as f64) as u64;
            if emitted >= due {
                actix_rt::time::sleep(Duration::from_micros(200)).await;
                continue;
            }
        }
        if !emit(payload(args.size)).await {
            break;
        }
        emitted += 1;
    }
    emitted
}

/// Waits until `expected` events arrived, or until nothing arrived for a second.
async fn settle(tally: &Rc<RefCell<Tally>>, expected: u64) {
    while !tally.borrow().settled(expected) {
        actix_rt::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The baseline: raw NNG byte streams (the transport under nanomitter, without its protocol),
/// one length-prefixed message per event (`[producer id u64][seq u64][payload]`), relayed by a
/// hub that forwards each message to every other connection.
fn nng_node(args: NodeArgs) -> Result<(), String> {
    use nanomitter::nng::{Dialer, Listener, TransportOptions};
    let fail = |e: nanomitter::nng::NngError| e.to_string();
    let tls =
        args.addr.starts_with("tls+tcp://").then(|| args.security.raw_tls(args.role == Role::Hub));
    let options = TransportOptions { tls: tls.flatten(), ..TransportOptions::default() };
    let runtime = actix_rt::System::new();
    if args.role == Role::Hub {
        let listener = Listener::bind(&args.addr, &options).map_err(fail)?;
        print_line(r#"{"ready":true}"#);
        runtime.block_on(relay_messages(listener));
        return Ok(());
    }
    let dialer = Dialer::new(&args.addr, &options).map_err(fail)?;
    let stream = runtime.block_on(dialer.dial()).map_err(fail)?;
    let id: u64 = u64::from(std::process::id());
    if args.role == Role::Consumer {
        let tally = std::sync::Arc::new(std::sync::Mutex::new(Tally::default()));
        let recording = tally.clone();
        std::thread::spawn(move || {
            actix_rt::System::new().block_on(async move {
                while let Some(message) = read_message(&stream).await {
                    if message.len() >= 24 {
                        let field = |i: usize| {
                            u64::from_le_bytes(message[i..i + 8].try_into().unwrap_or([0; 8]))
                        };
                        if let Ok(mut tally) = recording.lock() {
                            tally.record(field(0), field(8), field(16));
                        }
                    }
                }
            });
        });
        print_line(r#"{"ready":true}"#);
        for line in std::io::stdin().lines().map_while(Result::ok) {
            if let Some(expected) = line.strip_prefix("report ") {
                let expected: u64 = expected.trim().parse().unwrap_or(0);
                while tally.lock().is_ok_and(|t| !t.settled(expected)) {
                    std::thread::sleep(Duration::from_millis(10));
                }
                let report = tally.lock().map(|mut t| t.report(expected)).unwrap_or_default();
                print_line(&serde_json::json!({ "report": report }).to_string());
            }
        }
        return Ok(());
    }
    print_line(r#"{"ready":true}"#);
    for line in std::io::stdin().lines().map_while(Result::ok) {
        if line == "go" {
            let sent = runtime.block_on(async {
                let started = Instant::now();
                let run_for = Duration::from_secs_f64(args.seconds);
                let mut seq = 0u64;
                while started.elapsed() < run_for {
                    if args.rate > 0
                        && seq >= (started.elapsed().as_secs_f64() * args.rate as f64) as u64
                    {
                        actix_rt::time::sleep(Duration::from_micros(200)).await;
                        continue;
                    }
                    seq += 1;
                    let body = payload(args.size);
                    let len = ((16 + body.len()) as u32).to_le_bytes();
                    let parts: [&[u8]; 4] = [&len, &id.to_le_bytes(), &seq.to_le_bytes(), &body];
                    if stream.write_all(&parts).await.is_err() {
                        break;
                    }
                }
                seq
            });
            print_line(&serde_json::json!({ "done": sent }).to_string());
        }
    }
    Ok(())
}

/// The baseline hub: every message from one connection goes to every other.
async fn relay_messages(listener: nanomitter::nng::Listener) {
    type Outboxes = Rc<RefCell<Vec<(u64, tokio::sync::mpsc::UnboundedSender<Vec<u8>>)>>>;
    let outboxes: Outboxes = Rc::default();
    let mut next_id = 0;
    while let Ok(stream) = listener.accept().await {
        next_id += 1;
        let (id, stream) = (next_id, Rc::new(stream));
        let (outbox, mut outgoing) = tokio::sync::mpsc::unbounded_channel::<Vec<u8>>();
        outboxes.borrow_mut().push((id, outbox));
        let writer = stream.clone();
        actix_rt::spawn(async move {
            while let Some(message) = outgoing.recv().await {
                let len = (message.len() as u32).to_le_bytes();
                if writer.write_all(&[&len, &message]).await.is_err() {
                    return;
                }
            }
        });
        let others = outboxes.clone();
        actix_rt::spawn(async move {
            while let Some(message) = read_message(&stream).await {
                for (to, outbox) in others.borrow().iter() {
                    if *to != id {
                        let _ = outbox.send(message.clone());
                    }
                }
            }
            others.borrow_mut().retain(|(to, _)| *to != id);
        });
    }
}

/// One length-prefixed message, or `None` once the stream ends.
async fn read_message(stream: &nanomitter::nng::Stream) -> Option<Vec<u8>> {
    let mut len = [0u8; 4];
    stream.read_exact(&mut len).await.ok()?;
    let mut message = vec![0u8; u32::from_le_bytes(len) as usize];
    stream.read_exact(&mut message).await.ok()?;
    Some(message)
}
