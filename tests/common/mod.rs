//! Helpers for tests that run real `nanomitter` processes on loopback.
//!
//! Owns: spawning the CLI with piped stdio, collecting its output lines on reader threads, and
//! waiting for a condition with a deadline (never a fixed sleep). Each test picks its own free
//! port, so tests run in parallel. The `nats` submodule runs the `nats-server`s of the NATS
//! backend's tests.

#![allow(dead_code)] // each test file uses a different part of this module

pub mod monitor;
mod nats;
mod temp_dir;
mod websocket;
#[allow(unused_imports)] // only some tests use them
pub use nats::{nats_server_binary, NatsCluster, NatsServer, NATS_SERVER_MIN_VERSION};
#[allow(unused_imports)]
pub use temp_dir::TempDir;
#[allow(unused_imports)]
pub use websocket::raw_ws_upgrade;

use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The `nanomitter` binary. The CLI crate's own tests are told where cargo built it; the tests at
/// the repository's root find it in their build directory, where `cargo test` at the root builds
/// it before any test runs (the CLI crate is a default member of the workspace).
pub fn binary() -> PathBuf {
    if let Some(path) = option_env!("CARGO_BIN_EXE_nanomitter") {
        return PathBuf::from(path);
    }
    let test = std::env::current_exe().expect("the test binary's path");
    // target/<profile>/deps/<test> -> target/<profile>/nanomitter
    let profile = test.parent().and_then(Path::parent).expect("a build directory");
    let path = profile.join(format!("nanomitter{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} is not built: run `cargo test` at the repository root, which builds it, or \
         `cargo build -p nanomitter-cli` (with the same profile) first",
        path.display()
    );
    path
}

/// How long any single wait may take before the test fails.
pub const DEADLINE: Duration = Duration::from_secs(20);

/// A loopback TCP address on a port that was free a moment ago.
pub fn free_address() -> String {
    format!("tcp://127.0.0.1:{}", free_port())
}

/// A loopback port that was free a moment ago.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    listener.local_addr().expect("a bound address").port()
}

/// Calls `check` until it returns `Some`, or fails the test with `what` after [`DEADLINE`].
pub fn wait_until<T>(what: &str, check: impl FnMut() -> Option<T>) -> T {
    poll_until(DEADLINE, check).unwrap_or_else(|| panic!("timed out waiting for {what}"))
}

/// Calls `check` until it returns `Some`, for at most `limit`; `None` if it never did. For a
/// test that reports a wait that ran out with more than [`wait_until`]'s message.
pub fn poll_until<T>(limit: Duration, mut check: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(value) = check() {
            return Some(value);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// One running `nanomitter` process with its stdout and stderr lines collected as they come.
pub struct Process {
    pub name: String,
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: Arc<Mutex<Vec<String>>>,
    stderr: Arc<Mutex<Vec<String>>>,
    readers: Vec<std::thread::JoinHandle<()>>,
}

impl Process {
    /// Starts `nanomitter <args>`.
    pub fn start(name: &str, args: &[&str]) -> Process {
        Process::start_with_env(name, args, &[])
    }

    /// Starts `nanomitter <args>` with the environment variables `env` set, logging warnings
    /// (`RUST_LOG=warn`, unless `env` says otherwise) for the tests that look for them.
    /// `NANOMITTER_SECRET` and `NANOMITTER_ADDR` are never inherited from the test's own
    /// environment: only `env` can set them.
    pub fn start_with_env(name: &str, args: &[&str], env: &[(&str, &str)]) -> Process {
        let mut command = Process::command();
        command.env("RUST_LOG", "warn").args(args).envs(env.iter().copied());
        Process::spawn(name, &mut command)
    }

    /// Starts `nanomitter <args>` as a user would, without `RUST_LOG`.
    pub fn start_as_user(name: &str, args: &[&str]) -> Process {
        Process::spawn(name, Process::command().env_remove("RUST_LOG").args(args))
    }

    /// The binary, without the variables it reads from a user's environment.
    fn command() -> Command {
        let mut command = Command::new(binary());
        command.env_remove("NANOMITTER_SECRET").env_remove("NANOMITTER_ADDR");
        command
    }

    fn spawn(name: &str, command: &mut Command) -> Process {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start nanomitter");
        let (stdout, stdout_reader) = collect(child.stdout.take().unwrap());
        let (stderr, stderr_reader) = collect(child.stderr.take().unwrap());
        let readers = vec![stdout_reader, stderr_reader];
        Process { name: name.to_owned(), stdin: child.stdin.take(), child, stdout, stderr, readers }
    }

    /// Starts a `repl` node on `address` listening to `topics`, and waits until it is connected.
    pub fn repl(name: &str, address: &str, topics: &[&str]) -> Process {
        let mut args = vec!["repl", "--addr", address, "--service", name, "--heartbeat", "0"];
        args.extend_from_slice(topics);
        let node = Process::start(name, &args);
        node.wait_stderr("connected");
        node
    }

    /// Writes one line to the process's stdin.
    pub fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        writeln!(stdin, "{line}").expect("write to the process");
    }

    /// Closes stdin: a repl flushes and exits.
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    pub fn stdout(&self) -> Vec<String> {
        self.stdout.lock().unwrap().clone()
    }

    pub fn stderr(&self) -> Vec<String> {
        self.stderr.lock().unwrap().clone()
    }

    /// The stdout lines that are JSON events on `topic`.
    pub fn events(&self, topic: &str) -> Vec<Value> {
        self.stdout()
            .iter()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .filter(|event| event["topic"] == topic)
            .collect()
    }

    /// Waits for a stderr line containing `needle` and returns it.
    pub fn wait_stderr(&self, needle: &str) -> String {
        let deadline = Instant::now() + DEADLINE;
        loop {
            if let Some(line) = self.stderr().into_iter().find(|line| line.contains(needle)) {
                return line;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {} to print {needle:?} on stderr; it printed {:?}",
                self.name,
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Waits until at least `n` events on `topic` were printed and returns them; if they do not
    /// come, fails with how many did and what the process said on stderr.
    pub fn wait_events(&self, topic: &str, n: usize) -> Vec<Value> {
        poll_until(DEADLINE, || {
            let events = self.events(topic);
            (events.len() >= n).then_some(events)
        })
        .unwrap_or_else(|| {
            panic!(
                "timed out waiting for {} to print {n} events on {topic:?}: it printed {}; its stderr: {:?}",
                self.name,
                self.events(topic).len(),
                self.stderr()
            )
        })
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().expect("query the process").is_none()
    }

    /// Sends a signal by name (`STOP`, `CONT`, ...) with kill(1).
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{signal} {}", self.name);
    }

    /// The process's peak resident memory in KiB (VmHWM), while it runs.
    pub fn peak_rss_kib(&self) -> u64 {
        self.memory_kib("VmHWM")
    }

    /// The process's resident memory now in KiB (VmRSS), while it runs.
    pub fn rss_kib(&self) -> u64 {
        self.memory_kib("VmRSS")
    }

    /// One `<field>: <n> kB` line of `/proc/<pid>/status`.
    fn memory_kib(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("read /proc/<pid>/status");
        status
            .lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("{field} in /proc/<pid>/status"))
    }

    /// The first stdout line that is a JSON object with `key`, waiting for it; returns its value.
    pub fn wait_reply(&self, key: &str) -> Value {
        self.wait_nth_reply(key, 0)
    }

    /// Sends `command` and waits for the answer with `key` it prints (after any printed before).
    pub fn ask(&mut self, command: &str, key: &str) -> Value {
        let before = self.replies(key).len();
        self.send(command);
        self.wait_nth_reply(key, before)
    }

    /// The values of the stdout lines that are JSON objects with `key`.
    fn replies(&self, key: &str) -> Vec<Value> {
        self.stdout()
            .iter()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok()?.get(key).cloned())
            .collect()
    }

    /// Waits for the `n`-th (from 0) stdout line that is a JSON object with `key`.
    fn wait_nth_reply(&self, key: &str, n: usize) -> Value {
        wait_until(&format!("{} to answer {key:?}", self.name), || {
            self.replies(key).into_iter().nth(n)
        })
    }

    /// How many times this process reported becoming the hub (at connect or later).
    pub fn times_hub(&self) -> usize {
        self.stderr().iter().filter(|l| l.contains("as Hub") || l.contains("role Hub")).count()
    }

    /// Kills the process with SIGKILL: no cleanup, like a crash.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Waits for the process to exit by itself and for its output to be read to the end;
    /// returns its exit code.
    pub fn wait_exit(&mut self) -> i32 {
        let name = self.name.clone();
        self.wait_exit_within(DEADLINE)
            .unwrap_or_else(|| panic!("timed out waiting for {name} to exit"))
    }

    /// Like [`Process::wait_exit`], for at most `limit`; `None` if the process still runs.
    pub fn wait_exit_within(&mut self, limit: Duration) -> Option<i32> {
        let status = poll_until(limit, || self.child.try_wait().expect("query the process"))?;
        for reader in self.readers.drain(..) {
            reader.join().expect("output reader");
        }
        Some(status.code().unwrap_or(-1))
    }

    /// This node's id as events and notices print it (16 hex digits), from its "connected" line.
    pub fn node_id(&self) -> String {
        let line = self.wait_stderr("connected");
        let id = line.rsplit("node ").next().unwrap_or_default().trim_end_matches(')');
        assert_eq!(id.len(), 16, "{}: no node id in {line:?}", self.name);
        id.to_owned()
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Reads `stream` line by line on a thread until it ends.
fn collect(
    stream: impl std::io::Read + Send + 'static,
) -> (Arc<Mutex<Vec<String>>>, std::thread::JoinHandle<()>) {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = lines.clone();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            sink.lock().unwrap().push(line);
        }
    });
    (lines, reader)
}

/// A `load` node emitting `rate` events/s on topic `load`, with fast liveness, connected.
pub fn load_node(name: &str, address: &str, rate: u64, extra: &[&str]) -> Process {
    let rate = rate.to_string();
    let mut args = vec!["load", "--addr", address, "--service", name, "--heartbeat", "0"];
    args.extend_from_slice(&["--liveness", "0.2", "--rate", &rate]);
    args.extend_from_slice(extra);
    let node = Process::start(name, &args);
    node.wait_stderr("connected");
    node
}

/// Stops every node's emitting, waits until every member holds what it emitted, and returns
/// each node's report.
pub fn stop_and_report(nodes: &mut [Process]) -> Vec<Value> {
    for node in nodes.iter_mut() {
        node.send("stop");
    }
    for node in nodes.iter() {
        node.wait_reply("stopped");
    }
    nodes.iter_mut().map(|node| node.ask("report", "report")).collect()
}

/// Checks that `receiver` holds `sender`'s events exactly once, without holes, up to its last;
/// from its first if `from_first`.
pub fn assert_received_all(receiver: &Value, sender: &Value, from_first: bool) {
    let emitted = sender["emitted"].as_u64().unwrap();
    let name = format!(
        "{} from {} (receiver stats {}, sender stats {})",
        receiver["node"], sender["node"], receiver["stats"], sender["stats"]
    );
    let Some(got) = receiver["received"].get(sender["node"].as_str().unwrap()) else {
        assert_eq!(emitted, 0, "{name}: nothing received of {emitted} events");
        return;
    };
    let (count, unique) = (got["count"].as_u64().unwrap(), got["unique"].as_u64().unwrap());
    let (min, max) = (got["min"].as_u64().unwrap(), got["max"].as_u64().unwrap());
    assert_eq!(count, unique, "{name}: duplicates");
    assert_eq!(max, emitted, "{name}: the last events");
    assert_eq!(max - min + 1, unique, "{name}: holes between {min} and {max}");
    if from_first {
        assert_eq!(min, 1, "{name}: the first events");
    }
}

/// Waits until `node` (a repl) knows of `n` listeners of `topic` in the cluster.
pub fn wait_listeners(node: &mut Process, topic: &str, n: u64) {
    wait_until(&format!("{} to know {n} listeners of {topic}", node.name), || {
        node.send(&format!(".listeners {topic}"));
        std::thread::sleep(Duration::from_millis(5));
        let counts: Vec<u64> = node
            .stdout()
            .iter()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok()?.get("listeners")?.as_u64())
            .collect();
        counts.last().is_some_and(|c| *c == n).then_some(())
    });
}

/// The last role this process reported, and the address it was on (`None` while electing).
pub fn role_now(process: &Process) -> Option<(String, Option<String>)> {
    process.stderr().iter().rev().find_map(|line| {
        if let Some(rest) = line.strip_prefix("nanomitter: connected to ") {
            let (address, rest) = rest.split_once(" as ")?;
            let role = rest.split_whitespace().next()?;
            Some((role.to_owned(), Some(address.to_owned())))
        } else if let Some(rest) = line.strip_prefix("nanomitter: role ") {
            let mut parts = rest.splitn(2, " at ");
            let role = parts.next()?.to_owned();
            Some((role, parts.next().map(str::to_owned)))
        } else {
            None
        }
    })
}

/// Whether the last role this process reported is Hub.
pub fn is_hub_now(process: &Process) -> bool {
    role_now(process).is_some_and(|(role, _)| role == "Hub")
}
