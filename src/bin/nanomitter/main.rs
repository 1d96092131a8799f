//! `nanomitter`: the command line of the distributed emitter.
//!
//! Owns: argument parsing, logging setup and turning errors into one line and an exit code. Each
//! subcommand lives in its own module; none of them touches NNG directly, only the library.

mod demo;
mod output;
mod repl;
mod simple;

use clap::{Args, Parser, Subcommand};
use nanomitter::{Emitter, EmitterBuilder, EmitterHandle, DEFAULT_ADDRESS};
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser)]
#[command(name = "nanomitter", version, about = "A distributed EventEmitter over NNG")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print every event on the given topics (`*`: all) as one JSON line each.
    Listen {
        #[command(flatten)]
        node: NodeArgs,
        /// Exit after this many events.
        #[arg(long)]
        count: Option<u64>,
        /// Topics to listen to; `*` listens to every topic.
        #[arg(required = true)]
        topics: Vec<String>,
    },
    /// Emit a JSON value on a topic, wait until it has left this process, exit.
    Emit {
        #[command(flatten)]
        node: NodeArgs,
        /// Emit the event this many times.
        #[arg(long, default_value_t = 1)]
        repeat: u64,
        topic: String,
        /// The event's data, as JSON (`'{"price": 250}'`, `'"text"'`, `42`).
        json: String,
    },
    /// Run a node that only relays, printing its counters as a JSON line every few seconds.
    Hub {
        #[command(flatten)]
        node: NodeArgs,
        /// Seconds between two lines of counters.
        #[arg(long, default_value_t = 5.0)]
        every: f64,
    },
    /// Emit what is typed on stdin (`<topic> <json>` per line) and print events on the given
    /// topics as JSON lines. Exits at the end of stdin, after flushing.
    Repl {
        #[command(flatten)]
        node: NodeArgs,
        /// Topics to listen to; `*` listens to every topic.
        topics: Vec<String>,
    },
    /// Start a hub and worker processes on loopback, let events flow, print a summary.
    Demo(demo::DemoArgs),
    #[command(hide = true)]
    DemoWorker(demo::WorkerArgs),
}

/// Options every node takes.
#[derive(Args, Clone)]
struct NodeArgs {
    /// Address to bind (becoming the hub) or dial.
    #[arg(long, default_value = DEFAULT_ADDRESS)]
    addr: String,
    /// This node's service name, carried by its events.
    #[arg(long, default_value = "cli")]
    service: String,
    /// Seconds to wait for a hub before giving up.
    #[arg(long, default_value_t = 10.0)]
    connect_timeout: f64,
    /// Largest frame in bytes this node sends or accepts.
    #[arg(long)]
    max_frame_size: Option<usize>,
    /// Seconds between heartbeats on topic `<3`; 0 turns them off.
    #[arg(long, default_value_t = 60.0)]
    heartbeat: f64,
}

impl NodeArgs {
    fn builder(&self) -> Result<EmitterBuilder, String> {
        let connect_timeout = seconds("--connect-timeout", self.connect_timeout)?;
        let heartbeat = seconds("--heartbeat", self.heartbeat)?;
        let mut builder = Emitter::builder(&self.service)
            .address(&self.addr)
            .connect_timeout(connect_timeout)
            .heartbeat_interval((!heartbeat.is_zero()).then_some(heartbeat));
        if let Some(bytes) = self.max_frame_size {
            builder = builder.max_frame_size(bytes).batch_bytes(bytes.min(64 * 1024));
        }
        Ok(builder)
    }

    /// Connects and says so on stderr.
    async fn connect(&self) -> Result<EmitterHandle, String> {
        let emitter = self.builder()?.connect().await.map_err(|e| e.to_string())?;
        eprintln!(
            "nanomitter: connected to {} as {:?} (service {}, node {:016x})",
            self.addr,
            emitter.role(),
            emitter.service(),
            emitter.node_id()
        );
        Ok(emitter)
    }
}

fn seconds(flag: &str, value: f64) -> Result<Duration, String> {
    Duration::try_from_secs_f64(value)
        .map_err(|_| format!("{flag} takes a number of seconds >= 0, not {value}"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let result = actix_rt::System::new().block_on(run(cli.command));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("nanomitter: error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> Result<(), String> {
    match command {
        Command::Listen { node, count, topics } => simple::listen(&node, count, &topics).await,
        Command::Emit { node, repeat, topic, json } => {
            simple::emit(&node, repeat, &topic, &json).await
        }
        Command::Hub { node, every } => simple::hub(&node, seconds("--every", every)?).await,
        Command::Repl { node, topics } => repl::run(&node, &topics).await,
        Command::DemoWorker(args) => demo::worker(args).await,
        Command::Demo(args) => demo::run(args),
    }
}
