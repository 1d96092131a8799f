//! Ctrl-C: the first one asks a subcommand to stop gracefully, a second one exits at once.
//!
//! Owns: the SIGINT handler of the long-running subcommands (`listen`, `repl`, `emit`). It is
//! installed before connecting, so a Ctrl-C at any moment after start reaches the subcommand;
//! the subcommand then stops taking new work and flushes what was accepted. It must not decide
//! what stopping means for a subcommand.

use actix_rt::signal::unix::{signal, Signal, SignalKind};

/// Exit code after a second Ctrl-C: 128 + SIGINT, as a shell reports a process killed by it.
const INTERRUPTED_TWICE: i32 = 130;

/// A Ctrl-C handler, installed when made.
pub struct Interrupt(Signal);

impl Interrupt {
    /// Installs the handler: from now on Ctrl-C no longer kills the process.
    pub fn install() -> Result<Interrupt, String> {
        signal(SignalKind::interrupt())
            .map(Interrupt)
            .map_err(|e| format!("cannot handle Ctrl-C: {e}"))
    }

    /// Resolves at the first Ctrl-C; after it, a second one exits the process at once (code
    /// 130) without flushing, for a flush that cannot finish.
    pub async fn requested(mut self) {
        self.0.recv().await;
        eprintln!("nanomitter: interrupted, closing (Ctrl-C again to exit at once)");
        actix_rt::spawn(async move {
            self.0.recv().await;
            std::process::exit(INTERRUPTED_TWICE);
        });
    }
}
