//! A status line on a terminal for the long-running subcommands (`bench`, `demo`): which part
//! runs and how far, drawn over itself on stderr, and nothing at all when stderr is not a
//! terminal (a script, a pipe, a test).
//!
//! Owns: the line and erasing it. It must not print results: stdout and the subcommands' own
//! lines on stderr are theirs (they call [`Progress::clear`] before printing one).

use std::cell::Cell;
use std::io::{IsTerminal, Write};

/// The status line of one subcommand's run.
pub struct Progress {
    /// Whether stderr is a terminal: otherwise nothing is ever drawn.
    terminal: bool,
    /// Whether a line is on the screen now, to erase before anything else is printed.
    drawn: Cell<bool>,
}

impl Progress {
    /// A status line on stderr, drawn only if stderr is a terminal.
    pub fn on_stderr() -> Progress {
        Progress { terminal: std::io::stderr().is_terminal(), drawn: Cell::new(false) }
    }

    /// Draws `line` over the previous one.
    pub fn show(&self, line: &str) {
        if !self.terminal {
            return;
        }
        let mut stderr = std::io::stderr().lock();
        // Carriage return and erase the line: the new one takes its place.
        let _ = write!(stderr, "\r\x1b[2K{line}");
        let _ = stderr.flush();
        self.drawn.set(true);
    }

    /// Erases the line, if one is drawn.
    pub fn clear(&self) {
        if self.drawn.replace(false) {
            let mut stderr = std::io::stderr().lock();
            let _ = write!(stderr, "\r\x1b[2K");
            let _ = stderr.flush();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.clear();
    }
}
