//! `nanomitter demo`: the seed's quickstart, live, on loopback.
//!
//! Owns: the orchestration (a hub process and worker processes of this same binary on a free
//! port, a start signal, progress and the summary) and the hidden `demo-worker` subcommand. Each
//! worker listens to `stockprice`, emits it at a fixed rate, then emits `done` with its count and
//! waits for every other worker's `done`: events of one sender arrive in order, so by then it has
//! everything the others sent, and any loss shows as a count below what they said they emitted.

use crate::node::NodeArgs;
use crate::output::print_line;
use crate::security::SecurityArgs;
use actix::prelude::*;
use clap::Args;
use nanomitter::DistributedEvent;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

#[derive(Args)]
pub struct DemoArgs {
    /// Number of worker processes.
    #[arg(long, default_value_t = 3)]
    workers: usize,
    /// Seconds the workers emit.
    #[arg(long, default_value_t = 3.0)]
    seconds: f64,
    /// Events per second each worker emits.
    #[arg(long, default_value_t = 20_000)]
    rate: u64,
    /// Passed to the hub and every worker.
    #[command(flatten)]
    security: SecurityArgs,
}

#[derive(Args)]
pub struct WorkerArgs {
    #[command(flatten)]
    node: NodeArgs,
    #[arg(long)]
    workers: usize,
    #[arg(long)]
    seconds: f64,
    #[arg(long)]
    rate: u64,
}

/// What a worker tells the orchestrator, one JSON line each.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Report {
    Ready,
    Progress { received: u64 },
    Summary(Summary),
}

#[derive(Serialize, Deserialize)]
struct Summary {
    service: String,
    role: String,
    emitted: u64,
    received: u64,
    expected: u64,
    gaps: u64,
}

#[derive(Serialize, Deserialize)]
struct Tick {
    ticker: String,
    price: f64,
}

pub fn run(args: DemoArgs) -> Result<(), String> {
    if args.workers < 2 || args.rate == 0 || !args.seconds.is_finite() || args.seconds <= 0.0 {
        return Err("the demo needs --workers >= 2, --rate >= 1 and --seconds > 0".into());
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("no free loopback port: {e}"))?
        .port();
    let addr = format!("tcp://127.0.0.1:{port}");
    // The security options' errors, before any process starts.
    args.security.check(&[&addr])?;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    println!(
        "nanomitter demo: a hub and {} workers on {addr}, {} events/s each for {} s",
        args.workers, args.rate, args.seconds
    );

    let mut hub = Command::new(&exe)
        .args(["hub", "--addr", &addr, "--service", "hub", "--every", "3600"])
        .args(args.security.child_args())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start the hub: {e}"))?;
    let mut hub_log = BufReader::new(hub.stderr.take().expect("piped")).lines();
    let hub_ready = hub_log.next();
    // Keep draining the hub's log so that it never blocks on a full pipe.
    std::thread::spawn(move || hub_log.for_each(drop));
    if !matches!(hub_ready, Some(Ok(line)) if line.contains("as Hub")) {
        let _ = hub.kill();
        return Err(format!("the hub did not start on {addr}"));
    }

    let (reports_tx, reports) = mpsc::channel();
    let mut workers: Vec<(Child, ChildStdin)> = Vec::new();
    for i in 0..args.workers {
        let mut child = Command::new(&exe)
            .args(["demo-worker", "--addr", &addr, "--service", &format!("worker-{i}")])
            .args(["--workers", &args.workers.to_string(), "--seconds", &args.seconds.to_string()])
            .args(["--rate", &args.rate.to_string()])
            .args(args.security.child_args())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start worker {i}: {e}"))?;
        let stdout = BufReader::new(child.stdout.take().expect("piped"));
        let tx = reports_tx.clone();
        std::thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                if let Ok(report) = serde_json::from_str::<Report>(&line) {
                    let _ = tx.send((i, report));
                }
            }
        });
        let stdin = child.stdin.take().expect("piped");
        workers.push((child, stdin));
    }
    drop(reports_tx);

    let outcome = supervise(&args, &reports, &mut workers);
    for (child, _) in &mut workers {
        let _ = child.kill();
        let _ = child.wait();
    }
    let _ = hub.kill();
    let _ = hub.wait();
    outcome
}

fn supervise(
    args: &DemoArgs,
    reports: &mpsc::Receiver<(usize, Report)>,
    workers: &mut [(Child, ChildStdin)],
) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs_f64(args.seconds) + Duration::from_secs(30);
    let next = || {
        reports
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .map_err(|_| "a worker stopped answering".to_string())
    };
    let mut ready = 0;
    while ready < workers.len() {
        if let (_, Report::Ready) = next()? {
            ready += 1;
        }
    }
    for (_, stdin) in workers.iter_mut() {
        writeln!(stdin, "go").map_err(|e| format!("cannot start a worker: {e}"))?;
    }
    let started = Instant::now();
    let mut received: HashMap<usize, u64> = HashMap::new();
    let mut summaries: Vec<(usize, Summary)> = Vec::new();
    let mut last_print = Instant::now();
    while summaries.len() < workers.len() {
        match next()? {
            (i, Report::Progress { received: n }) => {
                received.insert(i, n);
                if last_print.elapsed() >= Duration::from_millis(900) {
                    last_print = Instant::now();
                    let total: u64 = received.values().sum();
                    println!(
                        "  {:>4.1} s  {total:>10} events delivered across workers",
                        started.elapsed().as_secs_f64()
                    );
                }
            }
            (i, Report::Summary(summary)) => summaries.push((i, summary)),
            (_, Report::Ready) => {}
        }
    }
    summaries.sort_by_key(|(i, _)| *i);
    println!(
        "\n  {:<10} {:>7} {:>10} {:>10} {:>10} {:>6}",
        "node", "role", "emitted", "received", "expected", "gaps"
    );
    let mut all_good = true;
    let mut delivered = 0;
    for (_, s) in &summaries {
        println!(
            "  {:<10} {:>7} {:>10} {:>10} {:>10} {:>6}",
            s.service, s.role, s.emitted, s.received, s.expected, s.gaps
        );
        all_good &= s.gaps == 0 && s.received == s.expected;
        delivered += s.received;
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "\n  {delivered} events delivered between processes in {elapsed:.2} s: {:.0} events/s per receiving worker",
        delivered as f64 / summaries.len() as f64 / elapsed,
    );
    if all_good {
        println!("  every worker received every other worker's events exactly once (gaps = 0)");
        Ok(())
    } else {
        Err("some events were lost (see gaps above)".into())
    }
}

/// Counts `stockprice` events per sender and collects the `done` reports.
#[derive(Default)]
struct Tally {
    received: u64,
    done: HashMap<u64, u64>,
}

struct Counter(std::rc::Rc<std::cell::RefCell<Tally>>);

impl Actor for Counter {
    type Context = Context<Self>;
}

impl Handler<DistributedEvent> for Counter {
    type Result = ();

    fn handle(&mut self, event: DistributedEvent, _: &mut Context<Self>) {
        let mut tally = self.0.borrow_mut();
        match event.topic() {
            "done" => {
                let emitted = event.decode::<u64>().unwrap_or(0);
                tally.done.insert(event.node(), emitted);
            }
            _ => tally.received += 1,
        }
    }
}

pub async fn worker(args: WorkerArgs) -> Result<(), String> {
    let emitter = args
        .node
        .builder()?
        .heartbeat_interval(None)
        .local_echo(false)
        .connect()
        .await
        .map_err(|e| e.to_string())?;
    let tally = std::rc::Rc::new(std::cell::RefCell::new(Tally::default()));
    let counter = Counter(tally.clone()).start().recipient();
    emitter.on("stockprice", counter.clone()).map_err(|e| e.to_string())?;
    emitter.on("done", counter).map_err(|e| e.to_string())?;
    emitter.listener_count("done").await.map_err(|e| e.to_string())?;
    print_line(&serde_json::to_string(&Report::Ready).expect("serializable"));
    let go = tokio::task::spawn_blocking(|| std::io::stdin().lines().next());
    go.await.map_err(|e| e.to_string())?;

    let started = Instant::now();
    let run_for = Duration::from_secs_f64(args.seconds);
    let mut ticks = actix_rt::time::interval(Duration::from_millis(1));
    let mut emitted = 0u64;
    let mut last_progress = Instant::now();
    while started.elapsed() < run_for {
        ticks.tick().await;
        let due = (started.elapsed().as_secs_f64() * args.rate as f64) as u64;
        while emitted < due.min(args.rate * run_for.as_secs_f64().ceil() as u64) {
            emitted += 1;
            let tick =
                Tick { ticker: "AAPL".into(), price: 250.0 + (emitted % 1000) as f64 / 100.0 };
            emitter.emit_wait("stockprice", &tick).await.map_err(|e| e.to_string())?;
        }
        if last_progress.elapsed() >= Duration::from_millis(250) {
            last_progress = Instant::now();
            let received = tally.borrow().received;
            print_line(
                &serde_json::to_string(&Report::Progress { received }).expect("serializable"),
            );
        }
    }
    emitter.emit_wait("done", &emitted).await.map_err(|e| e.to_string())?;
    emitter.flush().await.map_err(|e| e.to_string())?;

    let others = args.workers - 1;
    let deadline = Instant::now() + Duration::from_secs(20);
    while tally.borrow().done.len() < others && Instant::now() < deadline {
        actix_rt::time::sleep(Duration::from_millis(5)).await;
    }
    let summary = {
        let tally = tally.borrow();
        Summary {
            service: emitter.service().to_owned(),
            role: format!("{:?}", emitter.role()).to_lowercase(),
            emitted,
            received: tally.received,
            expected: tally.done.values().sum(),
            gaps: emitter.stats().gaps,
        }
    };
    print_line(&serde_json::to_string(&Report::Summary(summary)).expect("serializable"));
    emitter.close().await.map_err(|e| e.to_string())
}
