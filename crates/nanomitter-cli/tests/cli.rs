//! The command line as a user meets it, with real processes on loopback: quiet logs and one
//! error line with the real cause, arguments checked before connecting, Ctrl-C that flushes,
//! the demo's children, and the conventions (short flags, `NANOMITTER_ADDR`, `--timeout`,
//! `--raw`, stdin payloads, durations, the user's `--help`), and the bench's report and refusals.

#![forbid(unsafe_code)]

#[path = "../../../tests/common/mod.rs"]
mod common;

use common::{free_address, wait_listeners, wait_until, Process, TempDir};
use serde_json::Value;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// The stderr lines of a process that ran to its end with exit code 1: exactly one, the error.
fn the_error_line(process: &mut Process) -> String {
    assert_eq!(process.wait_exit(), 1, "{}: {:?}", process.name, process.stderr());
    let stderr = process.stderr();
    assert_eq!(stderr.len(), 1, "{}: only the error line: {stderr:?}", process.name);
    assert!(stderr[0].starts_with("nanomitter: error: "), "{stderr:?}");
    stderr[0].clone()
}

/// Without `-v` or `RUST_LOG`, an unreachable hub is one line naming NNG's error, no log lines
/// and no colour codes into a pipe; `-v` shows the warnings, still without colour.
#[test]
fn failures_are_one_line_with_the_real_cause_and_logs_need_v() {
    let nobody = free_address();
    // Longer than the election timeout (1 s), after which a dial that got no hub is a warning.
    let args = ["emit", "-a", &nobody, "--connect-timeout", "1500ms", "t", "1"];
    let line = the_error_line(&mut Process::start_as_user("quiet", &args));
    assert!(line.contains("no hub answered") && line.contains("Connection refused"), "{line}");

    let mut verbose_args = vec!["-v"];
    verbose_args.extend_from_slice(&args);
    let mut verbose = Process::start_as_user("verbose", &verbose_args);
    assert_eq!(verbose.wait_exit(), 1);
    let stderr = verbose.stderr();
    assert!(stderr.iter().any(|l| l.contains("WARN")), "-v logs warnings: {stderr:?}");
    assert!(!stderr.iter().any(|l| l.contains('\u{1b}')), "no colour into a pipe: {stderr:?}");
}

/// The causes a user must tell apart: nobody listening, a program that is not a hub, an ipc
/// path in a missing directory.
#[test]
fn an_unreachable_hub_says_why() {
    let stranger = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let stranger = format!("tcp://127.0.0.1:{}", stranger.local_addr().unwrap().port());
    let dir = TempDir::new("cli-ipc");
    let missing = format!("ipc://{}", dir.path("missing/hub.ipc"));
    let cases = [
        (free_address(), "Connection refused"),
        (stranger, "did not open it as a nanomitter hub does"),
        (missing, "the directory of the ipc path does not exist"),
    ];
    for (address, cause) in cases {
        let args = ["emit", "-a", &address, "--connect-timeout", "300ms", "t", "1"];
        let line = the_error_line(&mut Process::start_as_user("unreachable", &args));
        assert!(line.contains("no hub answered") && line.contains(cause), "{line}");
    }
}

/// A program that opens every connection on a loopback port with `message` (length-prefixed)
/// and holds it. Returns its address and how many connections it accepted.
fn saying_on_every_connection(message: Vec<u8>) -> (String, Arc<AtomicUsize>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("tcp://{}", listener.local_addr().unwrap());
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().map_while(Result::ok) {
            counter.fetch_add(1, Ordering::SeqCst);
            let mut framed = (message.len() as u32).to_le_bytes().to_vec();
            framed.extend_from_slice(&message);
            std::thread::spawn(move || {
                if std::io::Write::write_all(&mut stream, &framed).is_ok() {
                    // Hold the connection until the dialer closes it.
                    let _ = std::io::copy(&mut stream, &mut std::io::sink());
                }
            });
        }
    });
    (address, accepted)
}

/// A program that opens every connection as a hub of the next wire format would (its preamble:
/// magic, version, no secret). Returns its address.
fn hub_of_the_next_wire_format() -> String {
    let mut preamble = nanomitter_protocol::wire::MAGIC.to_vec();
    preamble.extend_from_slice(&[nanomitter_protocol::wire::VERSION + 1, 0]);
    saying_on_every_connection(preamble).0
}

/// A hub that takes no more connections is dialed again until the connect timeout (it may take
/// this node later), said in a warning without `-v` (once, however often it refuses), and named
/// in the error line.
#[test]
fn a_hub_that_takes_no_more_connections_is_dialed_again_and_named() {
    use nanomitter_protocol::refusal::{Reason, Refusal};
    let full = Refusal::new(Reason::OverLimit, "the hub has 4096 members").encode();
    let (address, accepted) = saying_on_every_connection(full);
    let args = ["emit", "-a", &address, "--connect-timeout", "1500ms", "t", "1"];
    let mut process = Process::start_as_user("full", &args);
    assert_eq!(process.wait_exit(), 1, "{:?}", process.stderr());
    let why = "the hub takes no more connections for now";
    let stderr = process.stderr();
    let warned = stderr.iter().filter(|l| l.contains(&format!("dialing on: {why}"))).count();
    assert_eq!(warned, 1, "{stderr:?}");
    let error = stderr.last().expect("an error line");
    let expected = format!("nanomitter: error: no hub answered at {address} within 1.5s: {why}");
    assert_eq!(error, &expected, "{stderr:?}");
    assert!(accepted.load(Ordering::SeqCst) >= 2, "dialed again");
}

/// A hub of another wire format is named by the version its preamble carries, at once: no
/// retrying makes the two speak the same format.
#[test]
fn a_hub_of_another_wire_format_is_named_with_its_version_at_once() {
    let address = hub_of_the_next_wire_format();
    let args = ["emit", "-a", &address, "--connect-timeout", "10s", "t", "1"];
    let started = std::time::Instant::now();
    let line = the_error_line(&mut Process::start_as_user("other-wire-format", &args));
    let took = started.elapsed();
    let (theirs, ours) =
        (nanomitter_protocol::wire::VERSION + 1, nanomitter_protocol::wire::VERSION);
    let why = format!("the hub speaks wire format {theirs}, this node {ours}");
    assert!(line.contains("no link with the hub") && line.contains(&why), "{line}");
    assert!(took < std::time::Duration::from_secs(1), "reported after {took:?}");
}

/// `listen` and `repl` with `--dial-only` never become the hub: with nobody at the address they
/// fail after `--connect-timeout` (without it they would bind it), and with a hub they link to
/// it as clients.
#[test]
fn listen_and_repl_with_dial_only_never_become_the_hub() {
    let nobody = free_address();
    for command in ["listen", "repl"] {
        let args = [command, "--dial-only", "-a", &nobody, "--connect-timeout", "300ms", "t"];
        let line = the_error_line(&mut Process::start_as_user(command, &args));
        assert!(line.contains("no hub answered") && line.contains("Connection refused"), "{line}");
    }
    let address = free_address();
    let hub = Process::start("hub", &["hub", "-a", &address]);
    assert!(hub.wait_stderr("connected").contains("as Hub"));
    for command in ["listen", "repl"] {
        let node = Process::start(command, &[command, "--dial-only", "-a", &address, "t"]);
        assert!(node.wait_stderr("connected").contains("as Client"), "{command}");
    }
}

/// A bad topic fails before any connection: no "connected" line, no wait for a hub.
#[test]
fn arguments_are_checked_before_connecting() {
    let address = free_address();
    let cases: [&[&str]; 3] = [
        &["listen", "-a", &address, "a..b"],
        &["emit", "-a", &address, "x.*", "1"],
        &["repl", "-a", &address, "st*ck"],
    ];
    for args in cases {
        let line = the_error_line(&mut Process::start_as_user("bad-topic", args));
        assert!(line.contains("invalid topic"), "{args:?}: {line}");
    }
}

/// Ctrl-C ends `listen` with exit 0, and ends `repl` after its accepted events reached the
/// other members.
#[test]
fn ctrl_c_closes_listen_and_repl_after_flushing() {
    let address = free_address();
    let mut listener = Process::start("listen", &["listen", "-a", &address, "t"]);
    listener.wait_stderr("as Hub");
    let mut repl = Process::repl("repl", &address, &[]);
    wait_listeners(&mut repl, "t", 1);
    for i in 0..50 {
        repl.send(&format!("t {i}"));
    }
    // The reply to `.role` comes after the emits before it were accepted.
    repl.send(".role");
    repl.wait_reply("role");
    repl.signal("INT");
    assert_eq!(repl.wait_exit(), 0, "{:?}", repl.stderr());
    assert_eq!(listener.wait_events("t", 50).len(), 50);

    listener.signal("INT");
    assert_eq!(listener.wait_exit(), 0, "{:?}", listener.stderr());
}

/// Ctrl-C stops `emit --repeat` early: it flushes what it emitted, says how many, and fails.
#[test]
fn ctrl_c_stops_emit_repeat_after_flushing_what_it_emitted() {
    let address = free_address();
    let listener = Process::start("listen", &["listen", "-a", &address, "--raw", "t"]);
    listener.wait_stderr("as Hub");
    let mut emit = Process::start("emit", &["emit", "-a", &address, "-r", "100000000", "t", "1"]);
    wait_until("events to arrive", || (listener.stdout().len() >= 100).then_some(()));
    emit.signal("INT");
    let line = wait_until("emit to stop", || {
        emit.stderr().into_iter().find(|l| l.starts_with("nanomitter: error: interrupted after"))
    });
    assert_eq!(emit.wait_exit(), 1, "{:?}", emit.stderr());
    let emitted: usize = line
        .trim_start_matches("nanomitter: error: interrupted after ")
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a count in {line:?}"));
    wait_until("every emitted event at the listener", || {
        (listener.stdout().len() >= emitted).then_some(())
    });
    assert_eq!(listener.stdout().len(), emitted, "no more than were emitted");
}

/// `NANOMITTER_ADDR`, short flags, `--raw`, payloads from stdin, `--timeout` with durations,
/// and event lines that print topic first.
#[test]
fn the_conventions_users_know_from_nats_and_mosquitto() {
    let address = free_address();
    let env = [("NANOMITTER_ADDR", address.as_str())];
    let hub = Process::start_with_env("hub", &["hub"], &env);
    hub.wait_stderr("as Hub");
    let full = Process::start_with_env("full", &["listen", "-n", "3", "t"], &env);
    full.wait_stderr("as Client");
    let raw = Process::start_with_env("raw", &["listen", "-r", "-n", "3", "-s", "raw", "t"], &env);
    raw.wait_stderr("as Client");

    let mut emit = Process::start("emit", &["emit", "-a", &address, "-s", "lines", "t"]);
    emit.send("{\"n\":1}");
    emit.send("");
    emit.send("\"two\"");
    emit.send("3");
    emit.close_stdin();
    assert_eq!(emit.wait_exit(), 0, "{:?}", emit.stderr());

    let mut full = full;
    let mut raw = raw;
    assert_eq!(full.wait_exit(), 0);
    assert_eq!(raw.wait_exit(), 0);
    assert_eq!(raw.stdout(), ["{\"n\":1}", "\"two\"", "3"]);
    let lines = full.stdout();
    assert!(lines[0].starts_with("{\"topic\":\"t\",\"service\":\"lines\",\"node\":"), "{lines:?}");
    let data: Vec<Value> =
        lines.iter().map(|l| serde_json::from_str::<Value>(l).unwrap()["data"].clone()).collect();
    assert_eq!(data, [serde_json::json!({"n": 1}), "two".into(), 3.into()]);

    // `--timeout` ends a listen: fine without --count, a failure when --count was not reached.
    let mut idle = Process::start_as_user("idle", &["listen", "-a", &address, "-t", "200ms", "t"]);
    assert_eq!(idle.wait_exit(), 0, "{:?}", idle.stderr());
    let args = ["listen", "-a", &address, "-t", "0.2", "-n", "2", "t"];
    let line = the_error_line_after_connecting(&mut Process::start_as_user("short", &args));
    assert!(line.contains("0 of 2 events arrived within 200ms"), "{line}");
}

/// MessagePack byte strings, which JSON cannot hold, go out of `emit --msgpack` and come out of
/// `listen` as `{"$bin": "<hex>"}`; under JSON the same object is just an object.
#[test]
fn msgpack_byte_strings_are_sent_and_shown_as_bin_objects() {
    let address = free_address();
    let env = [("NANOMITTER_ADDR", address.as_str())];
    let hub = Process::start_with_env("hub", &["hub"], &env);
    hub.wait_stderr("as Hub");
    let mut raw = Process::start_with_env("raw", &["listen", "-r", "-n", "2", "t"], &env);
    raw.wait_stderr("as Client");
    let data = r#"{"bytes":{"$bin":"00ff10"},"n":1}"#;
    for codec in [&["--msgpack"][..], &[]] {
        let args = [&["emit", "-a", &address][..], codec, &["t", data]].concat();
        let mut emit = Process::start("emit", &args);
        assert_eq!(emit.wait_exit(), 0, "{:?}", emit.stderr());
    }
    assert_eq!(raw.wait_exit(), 0, "{:?}", raw.stderr());
    assert_eq!(raw.stdout(), [data, data]);
}

/// Like [`the_error_line`], for a process that connected (and said so) before failing.
fn the_error_line_after_connecting(process: &mut Process) -> String {
    assert_eq!(process.wait_exit(), 1, "{:?}", process.stderr());
    let errors: Vec<String> =
        process.stderr().into_iter().filter(|l| !l.starts_with("nanomitter: connected")).collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    errors[0].clone()
}

/// The harness subcommands are not in the user's help.
#[test]
fn harness_subcommands_are_hidden_from_help() {
    let mut help = Process::start_as_user("help", &["--help"]);
    assert_eq!(help.wait_exit(), 0);
    let text = help.stdout().join("\n");
    for shown in ["listen", "emit", "hub", "repl", "demo", "bench"] {
        assert!(text.contains(&format!("  {shown} ")), "{shown}: {text}");
    }
    for hidden in ["bench-node", "demo-hub", "demo-worker", "load"] {
        assert!(!text.contains(hidden), "{hidden}: {text}");
    }
}

/// The demo works with `RUST_LOG=info` (readiness is not read from logs) and shows its
/// children's log lines, each prefixed with the child's name.
#[test]
fn the_demo_runs_with_info_logs_and_shows_its_childrens_lines() {
    let args = ["demo", "--workers", "2", "--seconds", "0.5", "--rate", "200"];
    let mut demo = Process::start_with_env("demo", &args, &[("RUST_LOG", "info")]);
    assert_eq!(demo.wait_exit(), 0, "{:?}\n{:?}", demo.stdout(), demo.stderr());
    let stderr = demo.stderr();
    assert!(stderr.iter().any(|l| l.starts_with("[hub] ") && l.contains("INFO")), "{stderr:?}");
    assert!(stderr.iter().any(|l| l.starts_with("[worker-1] ")), "{stderr:?}");
    assert!(demo.stdout().iter().any(|l| l.contains("exactly once")), "{:?}", demo.stdout());
    let status_line = stderr.iter().find(|l| l.contains('\u{1b}') || l.starts_with("demo: "));
    assert_eq!(status_line, None, "no status line when stderr is not a terminal");
}

/// On a terminal (a pseudo-terminal from util-linux's `script`), the demo draws a status line
/// on stderr that says which part runs and how far, erased before the summary.
#[test]
fn the_demo_shows_its_progress_on_a_terminal() {
    let command =
        format!("{} demo --workers 2 --seconds 0.5 --rate 200", common::binary().display());
    let output = match std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env_remove("NANOMITTER_ADDR")
        .output()
    {
        Ok(output) => output,
        Err(error) => {
            eprintln!("skipped: no `script` to make a terminal ({error})");
            return;
        }
    };
    assert!(output.status.success(), "{output:?}");
    let shown = String::from_utf8_lossy(&output.stdout);
    for part in ["demo: starting workers", "demo: emitting", "demo: workers done, 2 / 2"] {
        assert!(shown.contains(part), "{part:?} in {shown}");
    }
    // Each status line is drawn over the last one (carriage return, erase the line).
    assert!(shown.contains("\r\u{1b}[2Kdemo: "), "{shown}");
    assert!(shown.contains("exactly once"), "{shown}");
}

/// The demo's children die with it, even when it is killed.
#[test]
fn the_demos_children_die_with_it() {
    let args = ["demo", "--workers", "2", "--seconds", "60", "--rate", "10"];
    let mut demo = Process::start("demo", &args);
    wait_until("the demo to run", || {
        demo.stdout().iter().any(|l| l.contains("events delivered")).then_some(())
    });
    let children = children_of(demo.pid());
    assert_eq!(children.len(), 3, "a hub and 2 workers: {children:?}");
    demo.kill();
    wait_until("the demo's children to exit", || {
        children.iter().all(|pid| !is_alive(*pid)).then_some(())
    });
}

/// The child process ids of `pid` (Linux).
fn children_of(pid: u32) -> Vec<u32> {
    let path = format!("/proc/{pid}/task/{pid}/children");
    let list = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    list.split_whitespace().map(|p| p.parse().unwrap()).collect()
}

/// Whether `pid` runs (a zombie waiting for a parent that does not reap it does not).
fn is_alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat.rsplit(')').next().unwrap_or_default().trim_start().starts_with('Z'),
        Err(_) => false,
    }
}

/// A second `hub` on a taken address says that another node is the hub; Ctrl-C closes a hub,
/// and its client takes over.
#[test]
fn a_second_hub_says_so_and_ctrl_c_closes_a_hub() {
    let address = free_address();
    let mut first = Process::start("first", &["hub", "-a", &address, "-e", "100ms"]);
    first.wait_stderr("as Hub");
    let second = Process::start("second", &["hub", "-a", &address, "-e", "100ms"]);
    second.wait_stderr("another node is the hub already");
    first.signal("INT");
    assert_eq!(first.wait_exit(), 0, "{:?}", first.stderr());
    wait_until("the second hub to take over", || {
        second.stdout().iter().any(|l| l.contains("\"role\":\"hub\"")).then_some(())
    });
}

#[test]
fn the_bench_runs_a_scenario_against_the_baseline_and_reports_json() {
    let mut bench = Process::start(
        "bench",
        &[
            "bench",
            "--scenario",
            "one-to-one",
            "--size",
            "64",
            "--seconds",
            "0.3",
            "--baseline",
            "raw-nng",
            "--json",
        ],
    );
    assert_eq!(bench.wait_exit(), 0, "{:?}", bench.stderr());
    let status_line = bench.stderr().into_iter().find(|l| l.contains('\u{1b}'));
    assert_eq!(status_line, None, "no status line when stderr is not a terminal");
    let report: Value = serde_json::from_str(&bench.stdout().join("\n")).expect("a JSON report");
    let rows = report["rows"].as_array().expect("a list of rows");
    assert_eq!(rows.len(), 2, "nanomitter and the raw NNG baseline");
    let ours = &rows[0];
    assert_eq!(ours["system"], "nanomitter");
    assert!(ours["emitted"].as_u64().unwrap() > 0);
    assert_eq!(ours["lost"], 0, "{ours}");
    assert_eq!(ours["duplicates"], 0, "{ours}");
    assert_eq!(ours["delivered"], ours["emitted"], "one receiver gets every event");
    assert!(ours["goodput_per_receiver"].as_f64().unwrap() > 0.0, "{ours}");
    assert!(ours["latency_us"]["p50"].as_u64().unwrap() > 0, "{ours}");
    assert!(ours["hub"]["peak_rss_mib"].as_f64().unwrap() > 0.0, "the OS's account: {ours}");
    assert_eq!(rows[1]["system"], "raw-nng");
    let ratios = report["ratios"].as_array().expect("ratios");
    assert_eq!(ratios.len(), 1, "{ratios:?}");
    assert_eq!(ratios[0]["against"], "raw-nng");
}

#[test]
fn the_bench_refuses_a_baseline_it_cannot_run() {
    if cfg!(feature = "nats-baseline") {
        return; // NATS may well be runnable here
    }
    let mut bench = Process::start("bench", &["bench", "--baseline", "nats", "--seconds", "0.1"]);
    assert_eq!(bench.wait_exit(), 1);
    let stderr = bench.stderr().join("\n");
    assert!(stderr.contains("nats-baseline feature"), "{stderr}");
}

/// Nanomitter over NATS JetStream as a system of the bench: its own `nats-server` with a fresh
/// store, every event delivered once, and the server's use reported as the hub's. The latency
/// scenario keeps it short: 500 events at 1,000 events/s.
#[cfg(feature = "nats")]
#[test]
fn the_bench_runs_nanomitter_over_jetstream() {
    // Fails with how to install one when no recent enough nats-server is on the PATH.
    common::nats_server_binary();
    let args = ["--scenario", "latency", "--size", "64", "--seconds", "0.5"];
    let mut bench = Process::start(
        "bench",
        &[&["bench"][..], &args, &["--baseline", "nanomitter-jetstream", "--json"]].concat(),
    );
    assert_eq!(bench.wait_exit(), 0, "{:?}", bench.stderr());
    let report: Value = serde_json::from_str(&bench.stdout().join("\n")).expect("a JSON report");
    let rows = report["rows"].as_array().expect("a list of rows");
    let systems: Vec<&Value> = rows.iter().map(|row| &row["system"]).collect();
    assert_eq!(systems, ["nanomitter", "nanomitter-jetstream"], "{report}");
    let jetstream = &rows[1];
    assert!(jetstream["emitted"].as_u64().unwrap() > 0, "{jetstream}");
    assert_eq!(jetstream["lost"], 0, "{jetstream}");
    assert_eq!(jetstream["duplicates"], 0, "{jetstream}");
    assert_eq!(jetstream["delivered"], jetstream["emitted"], "one receiver gets every event");
    assert!(jetstream["latency_us"]["p50"].as_u64().unwrap() > 0, "{jetstream}");
    assert_eq!(jetstream["hub"]["processes"], 1, "one nats-server: {jetstream}");
    assert!(jetstream["hub"]["peak_rss_mib"].as_f64().unwrap() > 0.0, "{jetstream}");
    // Over NATS, nanomitter is compared with raw NATS only, which did not run.
    assert_eq!(report["ratios"].as_array().map(Vec::len), Some(0), "{report}");
}

#[test]
fn the_bench_refuses_nanomitter_over_nats_without_the_nats_feature() {
    if cfg!(feature = "nats") {
        return; // it may well run here
    }
    let args = ["bench", "--baseline", "nanomitter-core", "--seconds", "0.1"];
    let mut bench = Process::start("bench", &args);
    assert_eq!(bench.wait_exit(), 1);
    let stderr = bench.stderr().join("\n");
    assert!(stderr.contains("without the nats feature"), "{stderr}");
}
