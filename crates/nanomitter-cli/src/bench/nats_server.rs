//! The NATS servers of one bench run: one `nats-server`, or a routed cluster of them, with or
//! without JetStream, on free loopback ports, each with a fresh store.
//!
//! Owns: finding the server program (the first `nats-server` on the PATH, the executable it ends
//! up running, its version), starting a run's servers and waiting until they serve (every
//! server's `/healthz` answers `ok`, and in a cluster with JetStream every server names the same
//! meta leader), and ending them: the OS's account of each, and their stores removed. The raw
//! NATS baseline (`nats`) and nanomitter's NATS backend (`nats_backend`) start their servers
//! here. It must not speak the NATS protocol.

use super::free_ports;
use super::nats_probe::{http_get, on_path, version_of};
use super::usage::{self, Usage};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The server's program name, looked up on the PATH.
const SERVER: &str = "nats-server";

/// How long a run's servers may take to serve (a cluster: to elect its meta leader).
const READY_WITHIN: Duration = Duration::from_secs(30);

/// How many times a run's servers are started on fresh ports when one of the ports chosen was
/// taken by someone else in the meantime.
const PORT_ATTEMPTS: usize = 3;

/// How many of a server's last log lines an error quotes.
const LOG_LINES: usize = 20;

/// The servers a run needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    /// How many: 1, or the members of one routed cluster.
    pub servers: usize,
    /// Whether they run JetStream (`-js`, each with its own store).
    pub jetstream: bool,
}

/// The server program found on the PATH.
pub struct Program {
    /// What to run: the executable behind the PATH's `nats-server` when it could be told (a
    /// wrapper such as pyenv's shim execs it: run through the wrapper, the wrapper's own start,
    /// some 60 ms of CPU, would be charged to the hub of every run), else the PATH's.
    pub path: PathBuf,
    /// Its version, `(2, 15, 1)` for `nats-server: v2.15.1`.
    pub version: (u32, u32, u32),
    /// What `--version` printed.
    pub printed: String,
}

/// The program, found once per process; why not, if it cannot be.
pub fn program() -> Result<&'static Program, String> {
    static FOUND: OnceLock<Result<Program, String>> = OnceLock::new();
    FOUND.get_or_init(find).as_ref().map_err(Clone::clone)
}

fn find() -> Result<Program, String> {
    let on_path = on_path(SERVER).ok_or_else(|| format!("{SERVER} is not on the PATH"))?;
    let path = behind(&on_path).unwrap_or(on_path);
    let (version, printed) = version_of(&path)?;
    Ok(Program { path, version, printed })
}

/// The executable a `nats-server` on the PATH ends up running: started on a free port, once it
/// accepts connections, what `/proc/<pid>/exe` names (if it is a `nats-server` itself and not,
/// say, an interpreter that forked one).
fn behind(on_path: &Path) -> Option<PathBuf> {
    let port = *free_ports(1).ok()?.first()?;
    let mut child = Command::new(on_path)
        .args(["-a", "127.0.0.1", "-p", &port.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err()
        && Instant::now() < deadline
        && child.try_wait().is_ok_and(|status| status.is_none())
    {
        std::thread::sleep(Duration::from_millis(10));
    }
    let exe = std::fs::read_link(format!("/proc/{}/exe", child.id())).ok();
    let _ = child.kill();
    let _ = child.wait();
    exe.filter(|exe| exe.file_name().is_some_and(|name| name.to_string_lossy().starts_with(SERVER)))
}

/// One server of a run.
struct Member {
    /// Its name (`-n`): `n0`, `n1`, ...
    name: String,
    /// The client port.
    port: u16,
    /// The monitoring port (`/healthz`, `/jsz`).
    monitor_port: u16,
    /// The process, until it is ended.
    child: Option<Child>,
    /// Its last [`LOG_LINES`] log lines (it logs on stderr), for error messages.
    log: Arc<Mutex<VecDeque<String>>>,
}

impl Member {
    fn log(&self) -> String {
        self.log.lock().map(|lines| Vec::from(lines.clone()).join("\n")).unwrap_or_default()
    }

    fn exited(&mut self) -> bool {
        self.child.as_mut().is_some_and(|child| child.try_wait().is_ok_and(|s| s.is_some()))
    }

    /// The JSON a GET of `path` on the monitoring port answers, if any.
    fn monitor(&self, path: &str) -> Option<serde_json::Value> {
        serde_json::from_str(&http_get(self.monitor_port, path)?).ok()
    }

    fn healthy(&self) -> bool {
        self.monitor("/healthz").is_some_and(|health| health["status"] == "ok")
    }

    /// The JetStream meta leader this server names, if any.
    fn meta_leader(&self) -> Option<String> {
        let jsz = self.monitor("/jsz")?;
        let leader = jsz["meta_cluster"]["leader"].as_str()?;
        (!leader.is_empty()).then(|| leader.to_owned())
    }
}

/// The servers of one run, serving. Dropping them ends them (without an account of what they
/// used: [`Servers::end`] gives it).
pub struct Servers {
    members: Vec<Member>,
    /// The run's directory: the members' JetStream stores, removed when they end.
    dir: PathBuf,
}

/// Why a start failed, and whether it is worth trying again on other ports.
struct Failed {
    why: String,
    lost_a_port: bool,
}

impl Servers {
    /// Starts the servers of `plan` on free loopback ports and waits until they serve.
    pub fn start(plan: Plan) -> Result<Servers, String> {
        let mut why = String::new();
        for _ in 0..PORT_ATTEMPTS {
            match Servers::try_start(plan) {
                Ok(servers) => return Ok(servers),
                Err(failed) if failed.lost_a_port => why = failed.why,
                Err(failed) => return Err(failed.why),
            }
        }
        Err(why)
    }

    fn try_start(plan: Plan) -> Result<Servers, Failed> {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let failed = |why: String| Failed { why, lost_a_port: false };
        let program = program().map_err(failed)?;
        let run = format!(
            "nanomitter-bench-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let dir = std::env::temp_dir().join(&run);
        let count = plan.servers.max(1);
        let ports = free_ports(3 * count).map_err(failed)?;
        let (clients, rest) = ports.split_at(count);
        let (monitors, routes) = rest.split_at(count);
        let mut servers = Servers { members: Vec::new(), dir };
        for i in 0..count {
            let name = format!("n{i}");
            let mut command = Command::new(&program.path);
            command.args(["-a", "127.0.0.1", "-p", &clients[i].to_string()]);
            command.args(["-m", &monitors[i].to_string(), "-n", &name]);
            if plan.jetstream {
                let store = servers.dir.join(&name);
                command.arg("-js").arg("-sd").arg(store);
            }
            if count > 1 {
                let all: Vec<String> =
                    routes.iter().map(|port| format!("nats://127.0.0.1:{port}")).collect();
                command.args(["--cluster", &format!("nats://127.0.0.1:{}", routes[i])]);
                command.args(["--routes", &all.join(","), "--cluster_name", &run]);
            }
            let mut child = command
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .map_err(|e| failed(format!("cannot start {}: {e}", program.path.display())))?;
            let log = Arc::new(Mutex::new(VecDeque::new()));
            if let Some(stderr) = child.stderr.take() {
                let log = log.clone();
                std::thread::spawn(move || {
                    for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                        if let Ok(mut lines) = log.lock() {
                            if lines.len() == LOG_LINES {
                                lines.pop_front();
                            }
                            lines.push_back(line);
                        }
                    }
                });
            }
            servers.members.push(Member {
                name,
                port: clients[i],
                monitor_port: monitors[i],
                child: Some(child),
                log,
            });
        }
        servers.wait_serving(plan)?;
        Ok(servers)
    }

    /// Waits until every member's `/healthz` answers `ok` and, for a cluster with JetStream,
    /// they all name the same meta leader.
    fn wait_serving(&mut self, plan: Plan) -> Result<(), Failed> {
        let deadline = Instant::now() + READY_WITHIN;
        loop {
            if let Some(member) = self.members.iter_mut().find_map(|m| m.exited().then_some(m)) {
                // Give its last lines a moment to arrive.
                std::thread::sleep(Duration::from_millis(50));
                let log = member.log();
                return Err(Failed {
                    lost_a_port: log.contains("address already in use"),
                    why: format!("{SERVER} {} exited at its start; its log:\n{log}", member.name),
                });
            }
            let waiting = match self.members.iter().find(|m| !m.healthy()) {
                Some(member) => Some(format!("{} never answered /healthz with ok", member.name)),
                None if plan.jetstream && self.members.len() > 1 => {
                    let mut leaders: Vec<Option<String>> =
                        self.members.iter().map(Member::meta_leader).collect();
                    leaders.dedup();
                    match leaders.as_slice() {
                        [Some(_)] => None,
                        _ => Some(format!("the servers named no common meta leader: {leaders:?}")),
                    }
                }
                None => None,
            };
            let Some(why) = waiting else { return Ok(()) };
            if Instant::now() > deadline {
                let logs: Vec<String> =
                    self.members.iter().map(|m| format!("--- {}:\n{}", m.name, m.log())).collect();
                let why = format!("{SERVER}: {why} within {READY_WITHIN:?}\n{}", logs.join("\n"));
                return Err(Failed { why, lost_a_port: false });
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The members' client URLs, comma-separated: a node's candidates.
    pub fn urls(&self) -> String {
        let urls: Vec<String> =
            self.members.iter().map(|m| format!("nats://127.0.0.1:{}", m.port)).collect();
        urls.join(",")
    }

    /// Ends every member (SIGKILL), returns what each used, and removes their stores.
    pub fn end(&mut self) -> Result<Vec<Usage>, String> {
        let used = self
            .members
            .iter_mut()
            .filter_map(|member| member.child.take())
            .map(|mut child| usage::end(&mut child))
            .collect();
        let _ = std::fs::remove_dir_all(&self.dir);
        used
    }
}

impl Drop for Servers {
    fn drop(&mut self) {
        let _ = self.end();
    }
}

#[cfg(test)]
mod tests {
    use super::super::nats_probe::parse_version;

    #[test]
    fn versions_read_as_numbers() {
        assert_eq!(parse_version("nats-server: v2.15.1"), Some((2, 15, 1)));
        assert_eq!(parse_version("nats-server: v2.12.1-RC.2"), Some((2, 12, 1)));
        assert_eq!(parse_version("nats-server: v2.9.10"), Some((2, 9, 10)));
        assert_eq!(parse_version("command not found"), None);
    }
}
