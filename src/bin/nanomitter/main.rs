//! `nanomitter`: the command line of the distributed emitter.
//!
//! Owns: argument parsing, logging setup and turning errors into one line and an exit code. Each
//! subcommand lives in its own module; none of them touches NNG directly, only the library.

mod bench;
mod demo;
mod load;
mod node;
mod output;
mod repl;
mod security;
mod simple;

use clap::{Parser, Subcommand};
use node::{seconds, NodeArgs};
use std::process::ExitCode;

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
        /// Become the hub if no hub answers (by default `emit` only dials, and fails after
        /// --connect-timeout when nobody is there).
        #[arg(long)]
        may_host: bool,
        /// Send the data as MessagePack instead of JSON (it reads as the same value).
        #[arg(long)]
        msgpack: bool,
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
    /// Measure throughput, loss and latency through the hub, against raw NNG, on loopback.
    Bench(bench::BenchArgs),
    #[command(hide = true)]
    BenchNode(bench::NodeArgs),
    #[command(hide = true)]
    DemoWorker(demo::WorkerArgs),
    /// A node under steady load that accounts for every event (for failure tests).
    #[command(hide = true)]
    Load(load::LoadArgs),
}

fn main() -> ExitCode {
    // Usage errors exit 1 like every other failure (clap's own default is 2); `--help` and
    // `--version` still print and exit 0.
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() { ExitCode::FAILURE } else { ExitCode::SUCCESS };
        }
    };
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
        Command::Emit { node, repeat, may_host, msgpack, topic, json } => {
            let codec =
                if msgpack { nanomitter::Codec::MessagePack } else { nanomitter::Codec::Json };
            simple::emit(&node, repeat, may_host, codec, &topic, &json).await
        }
        Command::Hub { node, every } => simple::hub(&node, seconds("--every", every)?).await,
        Command::Repl { node, topics } => repl::run(&node, &topics).await,
        Command::DemoWorker(args) => demo::worker(args).await,
        Command::Load(args) => load::run(args).await,
        Command::Demo(args) => demo::run(args),
        Command::Bench(args) => bench::run(args),
        Command::BenchNode(args) => bench::node(args).await,
    }
}
