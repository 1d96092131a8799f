//! `nanomitter bench`: goodput, loss and latency through the hub, and through nanomitter's NATS
//! backend, against raw NNG and NATS in the same run.
//!
//! Owns: the scenarios (one-to-one, fan-out to 4 and 16, many-to-one from 4 and 8, flat out at
//! each payload size; a latency scenario at a fixed rate), the systems and which of them run,
//! running each scenario with every system in turn (a hub, or the NATS servers, and producer and
//! consumer processes on loopback, or `--addr`), and gathering what each process reports and
//! what the OS says it used. The systems' processes live in `node` (nanomitter, over either
//! backend), `raw_nng` and `nats`; the NATS backend's systems in `nats_backend`; starting NATS
//! servers in `nats_server`; the counting in `tally`; resource use in `usage`; the table, ratios
//! and `--json` in `report`. It must not change the library's behaviour: nanomitter nodes use
//! the public API only.

mod nats;
mod nats_backend;
mod nats_probe;
mod nats_server;
mod node;
mod raw_nng;
mod report;
mod tally;
mod usage;

use crate::progress::Progress;
use crate::security::SecurityArgs;
use clap::{Args, ValueEnum};
use serde::{Deserialize, Serialize};
use std::ffi::OsString;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tally::{Produced, Received};
use usage::Usage;

pub use node::run as node;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
pub enum Scenario {
    #[value(name = "one-to-one")]
    #[serde(rename = "one-to-one")]
    OneToOne,
    #[value(name = "fan-out-4")]
    #[serde(rename = "fan-out-4")]
    FanOut4,
    #[value(name = "fan-out-16")]
    #[serde(rename = "fan-out-16")]
    FanOut16,
    #[value(name = "many-to-one-4")]
    #[serde(rename = "many-to-one-4")]
    ManyToOne4,
    #[value(name = "many-to-one-8")]
    #[serde(rename = "many-to-one-8")]
    ManyToOne8,
    /// One-to-one at `--rate` events/s: latency through the hub at a load it easily carries.
    #[value(name = "latency")]
    #[serde(rename = "latency")]
    Latency,
}

impl Scenario {
    const ALL: [Scenario; 6] = [
        Scenario::OneToOne,
        Scenario::FanOut4,
        Scenario::FanOut16,
        Scenario::ManyToOne4,
        Scenario::ManyToOne8,
        Scenario::Latency,
    ];

    /// (producers, consumers).
    fn shape(self) -> (usize, usize) {
        match self {
            Scenario::OneToOne | Scenario::Latency => (1, 1),
            Scenario::FanOut4 => (1, 4),
            Scenario::FanOut16 => (1, 16),
            Scenario::ManyToOne4 => (4, 1),
            Scenario::ManyToOne8 => (8, 1),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Scenario::OneToOne => "one-to-one",
            Scenario::FanOut4 => "fan-out-4",
            Scenario::FanOut16 => "fan-out-16",
            Scenario::ManyToOne4 => "many-to-one-4",
            Scenario::ManyToOne8 => "many-to-one-8",
            Scenario::Latency => "latency",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum System {
    /// Nanomitter with its NNG hub.
    Nanomitter,
    /// Raw NNG byte streams, one message per event, relayed by a minimal hub.
    #[value(name = "raw-nng")]
    RawNng,
    /// NATS: a `nats-server` and async-nats clients.
    Nats,
    /// Nanomitter over NATS JetStream: one `nats-server` with JetStream.
    #[value(name = "nanomitter-jetstream")]
    NanomitterJetstream,
    /// Nanomitter over NATS JetStream: three routed `nats-server`s, the stream with 3 replicas.
    #[value(name = "nanomitter-jetstream-r3")]
    NanomitterJetstreamR3,
    /// Nanomitter over core NATS: one `nats-server`.
    #[value(name = "nanomitter-core")]
    NanomitterCore,
}

impl System {
    pub fn name(self) -> &'static str {
        match self {
            System::Nanomitter => "nanomitter",
            System::RawNng => "raw-nng",
            System::Nats => "nats",
            System::NanomitterJetstream => "nanomitter-jetstream",
            System::NanomitterJetstreamR3 => "nanomitter-jetstream-r3",
            System::NanomitterCore => "nanomitter-core",
        }
    }

    /// The NATS servers a run of it starts (none: it runs a hub process of its own).
    fn nats_servers(self) -> Option<nats_server::Plan> {
        match self {
            System::Nats => Some(nats_server::Plan { servers: 1, jetstream: false }),
            _ => nats_backend::servers(self),
        }
    }

    /// The baselines its ratios are taken against: every one for nanomitter with its hub, raw
    /// NATS (the same server, without nanomitter) for nanomitter over NATS, none for a baseline.
    fn compared_with(self) -> &'static [System] {
        match self {
            System::Nanomitter => &[System::RawNng, System::Nats],
            System::NanomitterJetstream
            | System::NanomitterJetstreamR3
            | System::NanomitterCore => &[System::Nats],
            System::RawNng | System::Nats => &[],
        }
    }
}

#[derive(Args)]
pub struct BenchArgs {
    /// Scenarios to run (default: all).
    #[arg(long, value_enum, value_delimiter = ',')]
    scenario: Vec<Scenario>,
    /// Payload sizes in bytes (default: 64, 1024).
    #[arg(long, value_delimiter = ',')]
    size: Vec<usize>,
    /// Events per second of the latency scenario's producer.
    #[arg(long, default_value_t = 1000)]
    rate: u64,
    /// Seconds each producer emits.
    #[arg(long, default_value_t = 3.0)]
    seconds: f64,
    /// Distinct topics each producer emits on, in turn (every consumer listens to them all
    /// through one pattern): many measure the receivers' topic cache.
    #[arg(long, default_value_t = 1)]
    topics: u64,
    /// The delay target of nanomitter producers (`EmitterBuilder::delay_target`); 0 turns it
    /// off, so a producer may queue up to `max_pending_bytes`.
    #[arg(long, value_parser = crate::duration::parse, default_value = "20ms")]
    delay_target: Duration,
    /// Systems to run next to nanomitter with its hub (default: every one that can run here):
    /// the baselines raw NNG, and NATS when this binary was built with the `nats-baseline`
    /// feature and `nats-server` is on the PATH; nanomitter over NATS (JetStream on one server,
    /// JetStream on three with 3 replicas, core) when it was built with the `nats` feature and
    /// `nats-server` 2.12.1 or later is on the PATH.
    #[arg(long, value_enum, value_delimiter = ',')]
    baseline: Vec<System>,
    /// Skip every other system: nanomitter with its hub alone.
    #[arg(long, conflicts_with = "baseline")]
    no_baseline: bool,
    /// Hub address; default: a free loopback port per run. (NATS runs on loopback only.)
    #[arg(long)]
    addr: Option<String>,
    /// Print the results as JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Passed to every nanomitter node (the raw NNG baseline uses only the TLS files).
    #[command(flatten)]
    security: SecurityArgs,
}

/// The hidden `bench-node` subcommand: one process of a run.
#[derive(Args)]
pub struct NodeArgs {
    #[arg(long, value_enum)]
    system: System,
    #[arg(long, value_enum)]
    role: Role,
    #[arg(long)]
    addr: String,
    #[arg(long, default_value_t = 64)]
    size: usize,
    /// Events per second; 0 is flat out.
    #[arg(long, default_value_t = 0)]
    rate: u64,
    #[arg(long, default_value_t = 3.0)]
    seconds: f64,
    /// The consumers a producer waits to know of before it is ready.
    #[arg(long, default_value_t = 1)]
    consumers: usize,
    #[arg(long, default_value_t = 1)]
    topics: u64,
    #[arg(long, value_parser = crate::duration::parse, default_value = "20ms")]
    delay_target: Duration,
    #[command(flatten)]
    security: SecurityArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Role {
    Hub,
    Producer,
    Consumer,
}

/// The pattern (or subject wildcard) every consumer listens to.
const PATTERN: &str = "bench.*";

/// The topics (or subjects) producers emit on, in turn: `bench.0` to `bench.<n - 1>`.
fn topics(n: u64) -> Vec<String> {
    (0..n.max(1)).map(|k| format!("bench.{k}")).collect()
}

/// What one run of one system in one scenario measured, before it is summarised.
pub struct Measured {
    /// The system run, for its row.
    system: System,
    /// The scenario run, for its row.
    scenario: Scenario,
    /// The payload size run, for its row.
    size: usize,
    /// Events per second each producer was asked for: `--rate` in the latency scenario, 0 (flat
    /// out) in every other.
    rate: u64,
    /// Each producer's `done` report, in the order they came: what the consumers were owed, and
    /// when emitting began.
    produced: Vec<Produced>,
    /// Each consumer's `report`: unique events, duplicates, the last delivery and latency buckets.
    received: Vec<Received>,
    /// What the hub process used (for NATS, each `nats-server`), from the OS once it was ended.
    hub: Vec<Usage>,
    /// What each producer process used.
    producers: Vec<Usage>,
    /// What each consumer process used.
    consumers: Vec<Usage>,
}

pub fn run(args: BenchArgs) -> Result<(), String> {
    if !(args.seconds > 0.0 && args.seconds.is_finite()) {
        return Err("--seconds must be above zero".into());
    }
    if args.rate == 0 {
        return Err("--rate must be above zero".into());
    }
    if !(1..=10_000_000).contains(&args.topics) {
        return Err("--topics must be between 1 and 10000000".into());
    }
    let scenarios =
        if args.scenario.is_empty() { Scenario::ALL.to_vec() } else { args.scenario.clone() };
    // The security options' errors, before any process starts.
    args.security.check(&args.addr.iter().map(String::as_str).collect::<Vec<_>>())?;
    let sizes = if args.size.is_empty() { vec![64, 1024] } else { args.size.clone() };
    if let Some(size) = sizes.iter().find(|s| **s < 16 || **s > 1 << 20) {
        return Err(format!("--size {size}: payloads from 16 bytes to 1 MiB"));
    }
    let mut notes = Vec::new();
    let systems = systems(&args, &mut notes)?;
    let mut measured = Vec::new();
    let progress = Progress::on_stderr();
    let runs = scenarios.len() * sizes.len() * systems.len();
    for &scenario in &scenarios {
        for &size in &sizes {
            // The systems take turns within each scenario and size, so drift on a shared
            // machine touches them alike.
            for &system in &systems {
                let label = format!(
                    "bench [{}/{runs}] {} {size} B, {}",
                    measured.len() + 1,
                    scenario.name(),
                    system.name()
                );
                let run =
                    run_one(&args, system, scenario, size, &Shown { progress: &progress, label })?;
                progress.clear();
                eprintln!("  {}", report::progress_line(&run));
                measured.push(run);
            }
        }
    }
    progress.clear();
    let report = report::Report::new(&measured, &args, notes);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?);
    } else {
        report.print_table();
    }
    Ok(())
}

/// The systems to run: nanomitter with its hub, and the others asked for (or those that can run
/// here), each once.
fn systems(args: &BenchArgs, notes: &mut Vec<String>) -> Result<Vec<System>, String> {
    let asked = !args.baseline.is_empty();
    if args.baseline.contains(&System::Nanomitter) {
        return Err("--baseline: nanomitter always runs; the others are raw-nng, nats, \
                    nanomitter-jetstream, nanomitter-jetstream-r3 and nanomitter-core"
            .into());
    }
    let wanted = if args.no_baseline {
        vec![]
    } else if asked {
        args.baseline.clone()
    } else {
        [System::RawNng, System::Nats].into_iter().chain(nats_backend::SYSTEMS).collect()
    };
    let mut others: Vec<System> = Vec::new();
    for system in wanted {
        if !others.contains(&system) {
            others.push(system);
        }
    }
    // Who runs only where a feature and a server allow: each family with its check.
    type Check = fn(Option<&str>) -> Result<(), String>;
    let families: [(&str, &[System], Check); 2] = [
        ("the NATS baseline", &[System::Nats], nats::available),
        ("nanomitter over NATS", &nats_backend::SYSTEMS, nats_backend::available),
    ];
    for (what, family, available) in families {
        let wanted: Vec<&str> =
            others.iter().filter(|s| family.contains(s)).map(|s| s.name()).collect();
        if wanted.is_empty() {
            continue;
        }
        if let Err(why) = available(args.addr.as_deref()) {
            if asked {
                return Err(format!("{what} ({}) cannot run: {why}", wanted.join(", ")));
            }
            notes.push(format!("{what} ({}) skipped: {why}", wanted.join(", ")));
            others.retain(|s| !family.contains(s));
        }
    }
    Ok([System::Nanomitter].into_iter().chain(others).collect())
}

/// One process of a run, with its stdin for commands.
struct Spawned {
    /// The process: ended and reaped by `usage::end`, which reads what it used.
    child: Child,
    /// The write end of its stdin, for the orchestrator's commands: `go` to a producer,
    /// `report <expected>` to a consumer.
    stdin: Option<ChildStdin>,
}

/// Starts `command` with its stdout lines sent to `lines`, tagged with `role`.
fn spawn(
    mut command: Command,
    role: Role,
    lines: &mpsc::Sender<(Role, String)>,
) -> Result<Spawned, String> {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start a {role:?}: {e}"))?;
    let stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?);
    let lines = lines.clone();
    std::thread::spawn(move || {
        for line in stdout.lines().map_while(Result::ok) {
            if lines.send((role, line)).is_err() {
                break;
            }
        }
    });
    let stdin = child.stdin.take();
    Ok(Spawned { child, stdin })
}

/// `n` distinct loopback TCP ports that were free a moment ago (held together while chosen, so
/// no two are the same).
pub(crate) fn free_ports(n: usize) -> Result<Vec<u16>, String> {
    let listeners = (0..n)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0"))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("no free port: {e}"))?;
    listeners
        .iter()
        .map(|l| l.local_addr().map(|a| a.port()).map_err(|e| format!("no free port: {e}")))
        .collect()
}

/// A loopback TCP port that was free a moment ago.
fn free_port() -> Result<u16, String> {
    free_ports(1)?.pop().ok_or_else(|| "no free port".to_owned())
}

/// The status line of one run: what runs, then how far it is.
struct Shown<'a> {
    /// The line, drawn on a terminal only.
    progress: &'a Progress,
    /// Which run this is: its place among the runs, scenario, size and system.
    label: String,
}

impl Shown<'_> {
    /// Shows that the run waits for `want` from a `from`, for `waited` so far; the producers'
    /// `done` is the measurement itself, shown against its length.
    fn waiting(&self, want: &str, from: Role, waited: Duration, seconds: f64) {
        let doing = if want == "done" {
            format!("measuring {:.1} / {seconds} s", waited.as_secs_f64())
        } else {
            format!("waiting for the {from:?}'s {want} ({:.1} s)", waited.as_secs_f64())
        };
        self.progress.show(&format!("{}: {doing}", self.label));
    }
}

/// How often the status line moves while a run waits.
const PROGRESS_EVERY: Duration = Duration::from_millis(200);

fn run_one(
    args: &BenchArgs,
    system: System,
    scenario: Scenario,
    size: usize,
    shown: &Shown<'_>,
) -> Result<Measured, String> {
    // The NATS servers first, when the system runs on them: their URLs are the address.
    let servers = system.nats_servers().map(nats_server::Servers::start).transpose()?;
    let addr = match (&servers, &args.addr) {
        (Some(servers), _) => servers.urls(),
        (None, Some(addr)) => addr.clone(),
        (None, None) => format!("tcp://127.0.0.1:{}", free_port()?),
    };
    let (producers, consumers) = scenario.shape();
    let rate = if scenario == Scenario::Latency { args.rate } else { 0 };
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let node = |role: Role| -> Command {
        let mut command = Command::new(&exe);
        let role_name = format!("{role:?}").to_lowercase();
        command
            .args(["bench-node", "--system", system.name(), "--role", &role_name])
            .args(["--addr", &addr, "--size", &size.to_string(), "--rate", &rate.to_string()])
            .args(["--seconds", &args.seconds.to_string(), "--consumers", &consumers.to_string()])
            .args(["--topics", &args.topics.to_string()])
            .args(["--delay-target", &crate::duration::show(args.delay_target)])
            .args(args.security.child_args().iter().map(OsString::as_os_str));
        command
    };
    let (tx, lines) = mpsc::channel::<(Role, String)>();
    let deadline = Instant::now() + Duration::from_secs_f64(args.seconds) + Duration::from_secs(90);
    let wait = |want: &str, from: Role| -> Result<String, String> {
        let since = Instant::now();
        loop {
            shown.waiting(want, from, since.elapsed(), args.seconds);
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(format!("a {from:?} of {} did not answer {want}", system.name()));
            }
            match lines.recv_timeout(left.min(PROGRESS_EVERY)) {
                Ok((who, line)) if who == from && line.contains(want) => return Ok(line),
                Ok(_) | Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(format!("a {from:?} of {} did not answer {want}", system.name()))
                }
            }
        }
    };
    let mut hub = match servers {
        Some(servers) => Hub::Servers(servers),
        None => Hub::Node(spawn(node(Role::Hub), Role::Hub, &tx)?),
    };
    let mut started: Vec<(Role, Spawned)> = Vec::new();
    let outcome: Result<(Vec<Produced>, Vec<Received>), String> = (|| {
        if let Hub::Node(_) = hub {
            wait("ready", Role::Hub)?;
        }
        for _ in 0..consumers {
            started.push((Role::Consumer, spawn(node(Role::Consumer), Role::Consumer, &tx)?));
            wait("ready", Role::Consumer)?;
        }
        for _ in 0..producers {
            started.push((Role::Producer, spawn(node(Role::Producer), Role::Producer, &tx)?));
            wait("ready", Role::Producer)?;
        }
        command(&mut started, Role::Producer, "go")?;
        let mut produced = Vec::new();
        for _ in 0..producers {
            produced.push(answer::<Produced>(&wait("done", Role::Producer)?, "done")?);
        }
        // Every consumer is owed every event of every producer.
        let expected: u64 = produced.iter().map(|p| p.emitted).sum();
        command(&mut started, Role::Consumer, &format!("report {expected}"))?;
        let mut received = Vec::new();
        for _ in 0..consumers {
            received.push(answer::<Received>(&wait("report", Role::Consumer)?, "report")?);
        }
        Ok((produced, received))
    })();
    // Every process ends here, whatever happened: the OS's account of each comes with it.
    let hub_usage = hub.end();
    let mut used = |role: Role| -> Result<Vec<Usage>, String> {
        started
            .iter_mut()
            .filter(|(r, _)| *r == role)
            .map(|(_, p)| usage::end(&mut p.child))
            .collect()
    };
    let (producers_usage, consumers_usage) = (used(Role::Producer), used(Role::Consumer));
    let (produced, received) = outcome?;
    Ok(Measured {
        system,
        scenario,
        size,
        rate,
        produced,
        received,
        hub: hub_usage?,
        producers: producers_usage?,
        consumers: consumers_usage?,
    })
}

/// What relays a run's events: a hub process of this binary, or NATS servers.
enum Hub {
    /// The nanomitter or raw NNG hub.
    Node(Spawned),
    /// One `nats-server` or a cluster.
    Servers(nats_server::Servers),
}

impl Hub {
    /// Ends it and returns what each of its processes used.
    fn end(&mut self) -> Result<Vec<Usage>, String> {
        match self {
            Hub::Node(process) => usage::end(&mut process.child).map(|used| vec![used]),
            Hub::Servers(servers) => servers.end(),
        }
    }
}

/// Sends `line` to every started process of `role`.
fn command(started: &mut [(Role, Spawned)], role: Role, line: &str) -> Result<(), String> {
    for (_, process) in started.iter_mut().filter(|(r, _)| *r == role) {
        let stdin = process.stdin.as_mut().ok_or("no stdin")?;
        writeln!(stdin, "{line}").map_err(|e| format!("cannot tell a {role:?} {line:?}: {e}"))?;
    }
    Ok(())
}

/// The value under `key` of a process's JSON line.
fn answer<T: serde::de::DeserializeOwned>(line: &str, key: &str) -> Result<T, String> {
    let mut value: serde_json::Value =
        serde_json::from_str(line).map_err(|e| format!("a bench process said {line:?}: {e}"))?;
    serde_json::from_value(value[key].take()).map_err(|e| format!("a bench {key} {line:?}: {e}"))
}
