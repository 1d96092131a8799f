//! The CPU time and peak memory of a bench process, from the OS.
//!
//! Owns: ending a child process and reaping it with `wait4` (through the `wait4` crate's safe
//! wrapper of the system call), whose resource usage is the
//! kernel's account of everything the process and its threads did (user and system CPU, peak
//! resident set). It must not start processes nor know what they ran.

use serde::{Deserialize, Serialize};
use std::process::Child;
use wait4::Wait4;

/// One process's resource use, over its whole life.
#[derive(Serialize, Deserialize, Clone, Copy, Default)]
pub struct Usage {
    /// User plus system CPU seconds.
    pub cpu_seconds: f64,
    /// Peak resident set, KiB.
    pub peak_rss_kib: u64,
}

/// Kills `child` (if it still runs), reaps it and returns what it used.
pub fn end(child: &mut Child) -> Result<Usage, String> {
    // Already exited is fine: the reap below still reports its usage.
    let _ = child.kill();
    let used = child.wait4().map_err(|e| format!("wait4({}): {e}", child.id()))?.rusage;
    Ok(Usage {
        cpu_seconds: (used.utime + used.stime).as_secs_f64(),
        peak_rss_kib: used.maxrss / 1024,
    })
}
