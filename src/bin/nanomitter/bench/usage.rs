//! The CPU time and peak memory of a bench process, from the OS.
//!
//! Owns: ending a child process and reaping it with `wait4`, whose resource usage is the
//! kernel's account of everything the process and its threads did (user and system CPU, peak
//! resident set). It must not start processes nor know what they ran.

use serde::{Deserialize, Serialize};
use std::process::Child;

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
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: `rusage` is plain old data that `wait4` fills; `status` and `rusage` outlive the
    // call, and `pid` is our own child, not reaped before (std's `Child` reaps only in `wait`).
    let mut rusage: libc::rusage = unsafe { std::mem::zeroed() };
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut rusage) };
    if reaped != pid {
        return Err(format!("wait4({pid}): {}", std::io::Error::last_os_error()));
    }
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Ok(Usage {
        cpu_seconds: seconds(rusage.ru_utime) + seconds(rusage.ru_stime),
        // Linux reports ru_maxrss in KiB.
        peak_rss_kib: rusage.ru_maxrss.max(0) as u64,
    })
}
