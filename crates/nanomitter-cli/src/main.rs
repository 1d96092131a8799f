//! `nanomitter`: the command line of the distributed emitter.
//!
//! Owns: argument parsing, logging setup (quiet unless `-v` or `RUST_LOG`; colours only on a
//! terminal) and turning errors into one line (with their causes, and the options that set
//! what a cause names) and exit code 1. Each subcommand lives in its own module; none of them
//! touches NNG directly, only the library.

#![forbid(unsafe_code)]

mod bench;
mod demo;
mod duration;
mod interrupt;
mod load;
#[cfg(feature = "nats")]
mod nats;
mod node;
mod output;
mod progress;
mod repl;
mod security;
mod simple;
mod token;

use clap::{ArgAction, Parser, Subcommand};
use node::NodeArgs;
use output::Format;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser)]
#[command(name = "nanomitter", version, about = "A distributed EventEmitter over NNG")]
struct Cli {
    /// Log to stderr: -v warnings, -vv the election and restarts, -vvv debugging. RUST_LOG
    /// (e.g. `RUST_LOG=nanomitter=info`) overrides it.
    #[arg(short, long, action = ArgAction::Count, global = true)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print every event on the given topics (`*`: all) as one JSON line each, until --count
    /// events, --timeout or Ctrl-C.
    Listen {
        #[command(flatten)]
        node: NodeArgs,
        /// Exit after this many events.
        #[arg(short = 'n', long)]
        count: Option<u64>,
        /// Exit after this long (`500ms`, `5s`, ...); with --count, fail if fewer arrived.
        #[arg(short, long, value_parser = duration::parse)]
        timeout: Option<Duration>,
        /// Print only each event's data, as JSON.
        #[arg(short, long)]
        raw: bool,
        /// Never become the hub: only dial, and fail after --connect-timeout when no hub
        /// answers.
        #[arg(long)]
        dial_only: bool,
        /// Topics or patterns to listen to; `*` listens to every topic.
        #[arg(required = true)]
        topics: Vec<String>,
    },
    /// Emit a JSON value on a topic (or, without one, each line of stdin as one event), then
    /// exit once every member holds the events.
    Emit {
        #[command(flatten)]
        node: NodeArgs,
        /// Emit each event this many times.
        #[arg(short, long, default_value_t = 1)]
        repeat: u64,
        /// Become the hub if no hub answers (by default `emit` only dials, and fails after
        /// --connect-timeout when nobody is there).
        #[arg(long)]
        may_host: bool,
        /// Send the data as MessagePack instead of JSON (it reads as the same value); in it, an
        /// object `{"$bin": "<hex>"}` is sent as a MessagePack byte string (listeners print
        /// byte strings the same way).
        #[arg(long)]
        msgpack: bool,
        /// The topic to emit on.
        topic: String,
        /// The event's data, as JSON (`'{"price": 250}'`, `'"text"'`, `42`); without it, one
        /// JSON value per line of stdin.
        json: Option<String>,
    },
    /// Run a node that only relays, printing its counters as a JSON line every few seconds.
    Hub {
        #[command(flatten)]
        node: NodeArgs,
        /// Time between two lines of counters (`500ms`, `5s`, ...).
        #[arg(short, long, default_value = "5s", value_parser = duration::parse)]
        every: Duration,
    },
    /// Emit what is typed on stdin (`<topic> <json>` per line) and print events on the given
    /// topics as JSON lines. Exits at the end of stdin or on Ctrl-C, after flushing.
    Repl {
        #[command(flatten)]
        node: NodeArgs,
        /// Never become the hub: only dial, and fail after --connect-timeout when no hub
        /// answers.
        #[arg(long)]
        dial_only: bool,
        /// Topics to listen to; `*` listens to every topic.
        topics: Vec<String>,
    },
    /// Mint a scoped credential with the cluster secret and print its token: its holder may
    /// emit and receive only the topics listed, until it expires, and never becomes the hub.
    Token(token::TokenArgs),
    /// Start a hub and worker processes on loopback, let events flow, print a summary.
    Demo(demo::DemoArgs),
    /// Measure throughput, loss and latency through the hub, against raw NNG, on loopback.
    Bench(bench::BenchArgs),
    #[command(hide = true)]
    BenchNode(bench::NodeArgs),
    #[command(hide = true)]
    DemoHub(demo::HubArgs),
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
    init_logs(cli.verbose);
    let result = actix_rt::System::new().block_on(run(cli.command));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("nanomitter: error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Logs on stderr: by default only the warnings about refused connections (a peer with another
/// secret, a browser origin not allowed: settings to put right, at most one line per reason
/// every 10 s), more with each `-v`; `RUST_LOG` wins when set. Colours only when stderr is a
/// terminal.
fn init_logs(verbose: u8) {
    let refusals_only = format!("off,{}=warn", nanomitter::REFUSALS_LOG_TARGET);
    let level = [&refusals_only, "warn", "info", "debug"][usize::from(verbose.min(3))];
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}

/// An error of the library as one line: its message, then each cause's (NNG's among them), then
/// where the command line takes the setting a cause names.
pub fn explain(error: &nanomitter::Error) -> String {
    let mut line = error.to_string();
    let mut hint = None;
    let mut cause = std::error::Error::source(error);
    while let Some(inner) = cause {
        line.push_str(": ");
        line.push_str(&inner.to_string());
        hint = hint.or_else(|| inner.downcast_ref().and_then(secret_hint));
        cause = inner.source();
    }
    if let Some(hint) = hint {
        line.push_str("; ");
        line.push_str(&hint);
    }
    line
}

/// Where the secret comes from, for a hub refused over the cluster secret.
fn secret_hint(why: &nanomitter::NoHub) -> Option<String> {
    let from = format!("--secret-file or {}", security::SECRET_ENV);
    match why {
        nanomitter::NoHub::SecretRequired => Some(format!("pass it with {from}")),
        nanomitter::NoHub::WrongSecret => Some(format!("pass the hub's secret with {from}")),
        nanomitter::NoHub::HubHasNoSecret => Some(format!("this node's secret comes from {from}")),
        nanomitter::NoHub::CredentialExpired | nanomitter::NoHub::CredentialInvalid => {
            Some("mint another token with `nanomitter token`, pass it with --token".to_owned())
        }
        _ => None,
    }
}

async fn run(command: Command) -> Result<(), String> {
    match command {
        Command::Listen { node, count, timeout, raw, dial_only, topics } => {
            let format = if raw { Format::Data } else { Format::Event };
            let args = simple::ListenArgs { count, timeout, format, dial_only, topics: &topics };
            simple::listen(&node, args).await
        }
        Command::Emit { node, repeat, may_host, msgpack, topic, json } => {
            let codec =
                if msgpack { nanomitter::Codec::MessagePack } else { nanomitter::Codec::Json };
            let what = simple::Emission { repeat, may_host, codec, topic: &topic };
            simple::emit(&node, what, json.as_deref()).await
        }
        Command::Hub { node, every } => simple::hub(&node, every).await,
        Command::Repl { node, dial_only, topics } => repl::run(&node, dial_only, &topics).await,
        Command::DemoHub(args) => demo::hub(args).await,
        Command::DemoWorker(args) => demo::worker(args).await,
        Command::Load(args) => load::run(args).await,
        Command::Demo(args) => demo::run(args),
        Command::Token(args) => token::run(&args),
        Command::Bench(args) => bench::run(args),
        Command::BenchNode(args) => bench::node(args).await,
    }
}
