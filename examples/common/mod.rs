//! What the examples share: logging, the address from the command line, connecting (or saying
//! why not), running until Ctrl-C with a periodic action, and closing. Not an example itself.

use nanomitter::{EmitterBuilder, EmitterHandle, DEFAULT_ADDRESS};
use std::process::ExitCode;
use std::time::Duration;

/// Logs to stderr (`RUST_LOG`, default `warn`), and returns the address: the first argument, or
/// the library's default.
pub fn setup() -> String {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    std::env::args().nth(1).unwrap_or_else(|| DEFAULT_ADDRESS.to_owned())
}

/// Connects `builder` to `address` and says how; on failure says why and gives the exit code.
pub async fn connect(
    name: &str,
    builder: EmitterBuilder,
    address: &str,
) -> Result<EmitterHandle, ExitCode> {
    match builder.address(address).connect().await {
        Ok(emitter) => {
            println!(
                "{name}: pid {} connected to {address} as {:?} (node {:016x})",
                std::process::id(),
                emitter.role(),
                emitter.node_id()
            );
            Ok(emitter)
        }
        Err(error) => {
            eprintln!("{name}: cannot connect to {address}: {error}");
            Err(ExitCode::FAILURE)
        }
    }
}

/// Calls `tick` every `every` (never when `None`) until Ctrl-C, then closes the emitter.
pub async fn run_until_ctrl_c(
    name: &str,
    emitter: EmitterHandle,
    every: Option<Duration>,
    mut tick: impl FnMut(&EmitterHandle),
) -> ExitCode {
    let mut ticks = actix_rt::time::interval(every.unwrap_or(Duration::from_secs(3600)));
    let ctrl_c = actix_rt::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        tokio::select! {
            stopped = &mut ctrl_c => {
                if let Err(error) = stopped {
                    eprintln!("{name}: cannot wait for Ctrl-C: {error}");
                }
                break;
            }
            _ = ticks.tick(), if every.is_some() => tick(&emitter),
        }
    }
    match emitter.close().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{name}: closing failed: {error}");
            ExitCode::FAILURE
        }
    }
}
