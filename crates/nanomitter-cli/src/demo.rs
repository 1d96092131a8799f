//! `nanomitter demo`: the seed's quickstart, live, on loopback.
//!
//! Owns: the orchestration (a hub process and worker processes of this same binary on a free
//! port, a start signal, progress and the summary) and the hidden `demo-hub` and `demo-worker`
//! subcommands. Each worker listens to `stockprice`, emits it at a fixed rate, then emits `done`
//! with its count and waits for every other worker's `done`: events of one sender arrive in
//! order, so by then it has everything the others sent, and any loss shows as a count below what
//! they said they emitted.
//!
//! The children talk to the demo on stdout only, one JSON [`Report`] per line (readiness first),
//! so their logs (stderr, shown prefixed with their name) never get in the way. Each child's
//! stdin is a pipe from the demo: the demo writes the start signal on it, and when the demo dies,
//! however it dies, the pipe closes and the child exits at once.

use crate::explain;
use crate::node::NodeArgs;
use crate::output::print_line;
use crate::progress::Progress;
use crate::security::SecurityArgs;
use actix::prelude::*;
use clap::Args;
use nanomitter::DistributedEvent;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{ChildStdin, Command, Stdio};
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
    /// Events per second each worker emits; default: 120,000 deliveries a second shared out
    /// (20,000 each for 3 workers, 76 each for 40: every event reaches every other worker).
    #[arg(long)]
    rate: Option<u64>,
    /// Passed to the hub and every worker.
    #[command(flatten)]
    security: SecurityArgs,
}

/// The demo's hub: a node that binds and relays until its parent goes.
#[derive(Args)]
pub struct HubArgs {
    #[command(flatten)]
    node: NodeArgs,
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
    Progress {
        /// `stockprice` events this worker received so far (sent every 250 ms): the demo
        /// adds up each worker's latest for its progress line.
        received: u64,
    },
    Summary(
        /// The worker's result, its last report.
        Summary,
    ),
}

#[derive(Serialize, Deserialize)]
struct Summary {
    /// The worker's service name (`worker-<i>`), naming its row.
    service: String,
    /// Its node's role when it finished, lowercase, as the table shows it.
    role: String,
    /// `stockprice` events it emitted: what its `done` event told the other workers.
    emitted: u64,
    /// `stockprice` events it received, from all the other workers (no local echo).
    received: u64,
    /// What the other workers' `done` events said they emitted, summed: `received` must equal it.
    expected: u64,
    /// Events its node found missing for good (`stats().gaps`): must be 0.
    gaps: u64,
}

#[derive(Serialize, Deserialize)]
struct Tick {
    /// A stock symbol (always `AAPL`): payloads shaped like the seed quickstart's stock prices.
    ticker: String,
    /// Changes with each event, so the payloads differ.
    price: f64,
}

/// Exit code of a child whose parent went away.
const ORPHANED: i32 = 3;
/// How long the demo waits for a report before it gives up on its children.
const SILENCE: Duration = Duration::from_secs(30);

/// One child process and the write end of its stdin (dropping it stops the child).
struct Child {
    /// The child itself: killed and reaped when this is dropped, so no child outlives the demo.
    process: std::process::Child,
    /// The write end of the child's stdin: a worker's start signal (`go`) goes down it, and the
    /// child exits once it closes.
    stdin: ChildStdin,
}

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// Deliveries a second the demo asks of the machine when `--rate` is not given.
const DEFAULT_DELIVERIES: u64 = 120_000;

pub fn run(args: DemoArgs) -> Result<(), String> {
    let workers = args.workers as u64;
    let rate = args.rate.unwrap_or_else(|| {
        (DEFAULT_DELIVERIES / (workers * workers.saturating_sub(1)).max(1)).max(1)
    });
    if args.workers < 2 || rate == 0 || !args.seconds.is_finite() || args.seconds <= 0.0 {
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
        args.workers, rate, args.seconds
    );

    let (reports_tx, reports) = mpsc::channel();
    let mut hub = Command::new(&exe);
    hub.args(["demo-hub", "--addr", &addr, "--service", "hub"]).args(args.security.child_args());
    let _hub = spawn(hub, "hub", usize::MAX, &reports_tx)?;
    match reports.recv_timeout(SILENCE) {
        Ok((_, Report::Ready)) => {}
        _ => return Err(format!("the hub did not start on {addr} (see its lines above)")),
    }

    let mut workers = Vec::new();
    for i in 0..args.workers {
        let mut worker = Command::new(&exe);
        worker
            .args(["demo-worker", "--addr", &addr, "--service", &format!("worker-{i}")])
            .args(["--workers", &args.workers.to_string(), "--seconds", &args.seconds.to_string()])
            .args(["--rate", &rate.to_string()])
            .args(args.security.child_args());
        workers.push(spawn(worker, &format!("worker-{i}"), i, &reports_tx)?);
    }
    drop(reports_tx);
    supervise(&reports, &mut workers, args.seconds)
}

/// Starts a child: its reports (stdout) go to `reports` tagged with `index`, its stderr is
/// shown prefixed with `name`, its stdin stays with the returned [`Child`].
fn spawn(
    mut command: Command,
    name: &str,
    index: usize,
    reports: &mpsc::Sender<(usize, Report)>,
) -> Result<Child, String> {
    let mut process = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {name}: {e}"))?;
    let stdout = BufReader::new(process.stdout.take().expect("piped"));
    let tx = reports.clone();
    std::thread::spawn(move || {
        for line in stdout.lines().map_while(Result::ok) {
            if let Ok(report) = serde_json::from_str::<Report>(&line) {
                let _ = tx.send((index, report));
            }
        }
    });
    let stderr = BufReader::new(process.stderr.take().expect("piped"));
    let prefix = format!("[{name}] ");
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            eprintln!("{prefix}{line}");
        }
    });
    let stdin = process.stdin.take().expect("piped");
    Ok(Child { process, stdin })
}

/// Starts the workers once all are ready, follows their progress, and prints the summary;
/// on a terminal, a status line on stderr says which part runs and how far (`seconds`: how
/// long the workers emit).
fn supervise(
    reports: &mpsc::Receiver<(usize, Report)>,
    workers: &mut [Child],
    seconds: f64,
) -> Result<(), String> {
    let next = || {
        reports.recv_timeout(SILENCE).map_err(|_| {
            format!("no worker reported for {} s (see their lines above)", SILENCE.as_secs())
        })
    };
    let progress = Progress::on_stderr();
    let mut ready = 0;
    while ready < workers.len() {
        progress.show(&format!("demo: starting workers, {ready} / {} ready", workers.len()));
        if let (_, Report::Ready) = next()? {
            ready += 1;
        }
    }
    for worker in workers.iter_mut() {
        writeln!(worker.stdin, "go").map_err(|e| format!("cannot start a worker: {e}"))?;
    }
    let started = Instant::now();
    let mut received: HashMap<usize, u64> = HashMap::new();
    let mut summaries: Vec<(usize, Summary)> = Vec::new();
    let mut last_print = Instant::now();
    while summaries.len() < workers.len() {
        match next()? {
            (i, Report::Progress { received: n }) => {
                received.insert(i, n);
                let total: u64 = received.values().sum();
                let elapsed = started.elapsed().as_secs_f64();
                if last_print.elapsed() >= Duration::from_millis(900) {
                    last_print = Instant::now();
                    progress.clear();
                    println!("  {elapsed:>4.1} s  {total:>10} events delivered across workers");
                }
                progress.show(&format!(
                    "demo: emitting {:.1} / {seconds} s, {total} events delivered",
                    elapsed.min(seconds)
                ));
            }
            (i, Report::Summary(summary)) => {
                summaries.push((i, summary));
                progress.show(&format!(
                    "demo: workers done, {} / {} summaries",
                    summaries.len(),
                    workers.len()
                ));
            }
            (_, Report::Ready) => {}
        }
    }
    progress.clear();
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

/// Prints one report on stdout for the demo.
fn report(report: &Report) {
    print_line(&serde_json::to_string(report).expect("serializable"));
}

/// Follows the parent through stdin, whose write end it holds: the lines it sends arrive on
/// the returned channel, and when the pipe closes (the parent exited, or was killed) this process
/// exits at once.
fn follow_parent() -> tokio::sync::mpsc::UnboundedReceiver<String> {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    std::thread::spawn(move || {
        for line in std::io::stdin().lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
        std::process::exit(ORPHANED);
    });
    rx
}

/// The demo's hub: binds, says it is ready, relays until the demo goes.
pub async fn hub(args: HubArgs) -> Result<(), String> {
    let mut parent = follow_parent();
    let emitter = args.node.builder()?.connect().await.map_err(|e| explain(&e))?;
    if emitter.role() != nanomitter::Role::Hub {
        return Err(format!("another node holds {}", emitter.hub_address().unwrap_or_default()));
    }
    report(&Report::Ready);
    while parent.recv().await.is_some() {}
    Ok(())
}

/// Counts `stockprice` events per sender and collects the `done` reports.
#[derive(Default)]
struct Tally {
    /// `stockprice` events received, from every other worker together (local echo is off): what
    /// progress reports and the summary give.
    received: u64,
    /// Per sending node's id, the number its `done` event said it emitted: which workers are done,
    /// and what this one is owed.
    done: HashMap<u64, u64>,
}

struct Counter(
    /// The tally, shared with the worker's task, which reads it for progress and the summary.
    std::rc::Rc<std::cell::RefCell<Tally>>,
);

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
    let mut parent = follow_parent();
    let emitter = args
        .node
        .builder()?
        .heartbeat_interval(None)
        .local_echo(false)
        .connect()
        .await
        .map_err(|e| explain(&e))?;
    let tally = std::rc::Rc::new(std::cell::RefCell::new(Tally::default()));
    let counter = Counter(tally.clone()).start().recipient();
    emitter.on("stockprice", counter.clone()).map_err(|e| explain(&e))?;
    emitter.on("done", counter).map_err(|e| explain(&e))?;
    emitter.listener_count("done").await.map_err(|e| explain(&e))?;
    report(&Report::Ready);
    parent.recv().await;

    // Progress every 250 ms, whether emitting or waiting.
    let progress = {
        let tally = tally.clone();
        actix_rt::spawn(async move {
            let mut every = actix_rt::time::interval(Duration::from_millis(250));
            loop {
                every.tick().await;
                report(&Report::Progress { received: tally.borrow().received });
            }
        })
    };
    let started = Instant::now();
    let run_for = Duration::from_secs_f64(args.seconds);
    let mut ticks = actix_rt::time::interval(Duration::from_millis(1));
    let mut emitted = 0u64;
    while started.elapsed() < run_for {
        ticks.tick().await;
        let due = (started.elapsed().as_secs_f64() * args.rate as f64) as u64;
        while emitted < due.min(args.rate * run_for.as_secs_f64().ceil() as u64) {
            emitted += 1;
            let tick =
                Tick { ticker: "AAPL".into(), price: 250.0 + (emitted % 1000) as f64 / 100.0 };
            emitter.emit_wait("stockprice", &tick).await.map_err(|e| explain(&e))?;
        }
    }
    emitter.emit_wait("done", &emitted).await.map_err(|e| explain(&e))?;
    emitter.flush().await.map_err(|e| explain(&e))?;

    // Wait for every other worker's `done`, as long as events keep arriving (with many workers
    // on few cores, the backlog takes a while).
    let others = args.workers - 1;
    let mut last_count = 0;
    let mut quiet_since = Instant::now();
    while tally.borrow().done.len() < others && quiet_since.elapsed() < Duration::from_secs(10) {
        actix_rt::time::sleep(Duration::from_millis(100)).await;
        let received = tally.borrow().received;
        if received != last_count {
            (last_count, quiet_since) = (received, Instant::now());
        }
    }
    progress.abort();
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
    report(&Report::Summary(summary));
    emitter.close().await.map_err(|e| explain(&e))
}
