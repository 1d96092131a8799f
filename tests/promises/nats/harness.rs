//! The NATS harness's own checks (tests/common/nats.rs): a server starts, answers, dies, freezes,
//! thaws and comes back with its store; a cluster of three forms, has a meta leader and elects a
//! new stream leader when the old one is killed; options reach the server.
//!
//! Owns: these checks and the few NATS protocol lines they speak by hand (CONNECT, PING, a
//! JetStream API request). It must not run `nanomitter`: the backend's behaviour is
//! `scenarios`'.

use crate::common;

use common::{nats_server_binary, poll_until, NatsCluster, NatsServer, NATS_SERVER_MIN_VERSION};
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// A NATS client connection spoken by hand, just enough for these checks.
struct RawClient {
    writer: TcpStream,
    reader: BufReader<TcpStream>,
    /// The server's `INFO {...}` greeting.
    info: String,
}

impl RawClient {
    /// Connects to `url` (`nats://host:port`) and reads the greeting, waiting at most
    /// `patience` for each line.
    fn connect(url: &str, patience: Duration) -> std::io::Result<RawClient> {
        let host_port = url.strip_prefix("nats://").expect("a nats:// URL");
        let writer = TcpStream::connect(host_port)?;
        writer.set_read_timeout(Some(patience))?;
        let mut client =
            RawClient { reader: BufReader::new(writer.try_clone()?), writer, info: String::new() };
        client.info = client.line()?;
        Ok(client)
    }

    /// One protocol line, without its `\r\n`.
    fn line(&mut self) -> std::io::Result<String> {
        let mut line = String::new();
        if self.reader.read_line(&mut line)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        Ok(line.trim_end().to_owned())
    }

    /// Sends `CONNECT` with the JSON `fields` added (e.g. `"user":"u","pass":"p"`), then a
    /// `PING`; returns the answer: `PONG`, or the server's `-ERR ...` line.
    fn hello(&mut self, fields: &str) -> std::io::Result<String> {
        let sep = if fields.is_empty() { "" } else { "," };
        let connect = format!("CONNECT {{\"verbose\":false,\"headers\":true{sep}{fields}}}\r\n");
        self.writer.write_all(format!("{connect}PING\r\n").as_bytes())?;
        loop {
            let line = self.line()?;
            if line == "PONG" || line.starts_with("-ERR") {
                return Ok(line);
            }
        }
    }

    /// A request on `subject` with `payload`; returns the first reply's payload.
    fn request(&mut self, subject: &str, payload: &str) -> std::io::Result<String> {
        let inbox = "_INBOX.harness";
        let len = payload.len();
        let request = format!("SUB {inbox} 1\r\nPUB {subject} {inbox} {len}\r\n{payload}\r\n");
        self.writer.write_all(request.as_bytes())?;
        loop {
            let line = self.line()?;
            if line.starts_with(&format!("MSG {inbox} ")) {
                return self.line();
            }
            if line.starts_with("-ERR") {
                return Ok(line);
            }
        }
    }
}

/// Creates the file-backed stream `name` (subjects `<name>.>`) with `replicas` through the
/// JetStream API of the server at `url`; fails the test if the server refuses.
fn create_stream(url: &str, name: &str, replicas: usize) {
    let config = serde_json::json!({
        "name": name, "subjects": [format!("{name}.>")], "num_replicas": replicas,
        "storage": "file",
    });
    let subject = format!("$JS.API.STREAM.CREATE.{name}");
    // A cluster that just formed may not answer its first request in time (its peers still
    // settling); creating a stream again with the same settings answers with the stream.
    let reply = (0..3)
        .find_map(|_| {
            let mut client = RawClient::connect(url, Duration::from_secs(10)).expect("connect");
            assert_eq!(client.hello("").expect("hello"), "PONG");
            client.request(&subject, &config.to_string()).ok()
        })
        .expect("the API's reply within three tries");
    let reply: Value = serde_json::from_str(&reply).unwrap_or_else(|_| panic!("{reply}"));
    assert!(reply.get("error").is_none(), "creating stream {name}: {reply}");
}

/// The one-letter state of process `pid` (`T` when stopped) from `/proc/<pid>/stat`.
fn process_state(pid: u32) -> String {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("read /proc/<pid>/stat");
    let after_name = stat.rsplit_once(')').expect("a stat line").1;
    after_name.split_whitespace().next().expect("a state").to_owned()
}

#[test]
fn a_server_starts_answers_and_comes_back_with_its_store() {
    let path = nats_server_binary();
    let started = Instant::now();
    let mut server = NatsServer::start();
    let ready_after = started.elapsed();
    assert_eq!(server.healthz().expect("healthz")["status"], "ok");
    let jsz = server.jsz("").expect("jsz");
    assert!(jsz["config"]["max_storage"].as_u64().is_some(), "JetStream is enabled: {jsz}");
    let url = server.url();
    assert_eq!(url, format!("nats://127.0.0.1:{}", server.port()));
    let client = RawClient::connect(&url, Duration::from_secs(5)).expect("a client connects");
    assert!(client.info.starts_with("INFO {"), "{}", client.info);
    assert!(client.info.contains("\"jetstream\":true"), "{}", client.info);
    drop(client);

    create_stream(&url, "harness", 1);
    assert_eq!(server.stream_leader_name("harness").as_deref(), Some(server.name()));

    server.kill();
    assert!(!server.is_running());
    assert!(server.healthz().is_none(), "a killed server answers nothing");
    assert!(RawClient::connect(&url, Duration::from_secs(1)).is_err(), "nobody listens");

    server.restart();
    assert_eq!(server.url(), url, "the same port");
    let client = RawClient::connect(&url, Duration::from_secs(5)).expect("a client connects");
    assert!(client.info.starts_with("INFO {"), "{}", client.info);
    let names = |server: &NatsServer| -> Vec<String> {
        let jsz = server.jsz("streams=true").expect("jsz");
        jsz["account_details"][0]["stream_detail"]
            .as_array()
            .map(|streams| streams.iter().map(|s| s["name"].as_str().unwrap().to_owned()).collect())
            .unwrap_or_default()
    };
    assert_eq!(names(&server), ["harness"], "the stream survives in the same store");
    let (major, minor, patch) = NATS_SERVER_MIN_VERSION;
    eprintln!(
        "nats harness: {} (at least {major}.{minor}.{patch}) ready in {ready_after:?} at {url}; \
         its stream survived a kill and a restart",
        path.display()
    );
}

#[test]
fn a_frozen_server_answers_nothing_until_thawed() {
    let mut server = NatsServer::start();
    let pid = server.pid().expect("a running server");
    server.freeze();
    // The signal is delivered asynchronously: wait for the kernel to say so.
    common::wait_until("the server to be stopped", || (process_state(pid) == "T").then_some(()));
    assert!(server.healthz().is_none(), "a frozen server answers nothing");
    // The kernel still accepts the connection; the greeting never comes.
    let silent = RawClient::connect(&server.url(), Duration::from_millis(500));
    assert!(silent.is_err(), "no greeting from a frozen server");
    server.thaw();
    common::wait_until("the server to run again", || (process_state(pid) != "T").then_some(()));
    server.wait_healthy();
    let mut client = RawClient::connect(&server.url(), Duration::from_secs(5)).expect("connect");
    assert_eq!(client.hello("").expect("hello"), "PONG");
    assert_eq!(server.pid(), Some(pid), "the same process");
    eprintln!("nats harness: server {pid} frozen (state T, no answers) and thawed (healthz ok)");
}

#[test]
fn options_reach_the_server() {
    let server = NatsServer::with_args(&["--user", "u", "--pass", "right"]);
    let url = server.url();
    let mut client = RawClient::connect(&url, Duration::from_secs(5)).expect("connect");
    let refused = client.hello(r#""user":"u","pass":"wrong""#).expect("an answer");
    assert!(refused.to_lowercase().contains("authorization"), "{refused}");
    let mut client = RawClient::connect(&url, Duration::from_secs(5)).expect("connect");
    assert_eq!(client.hello(r#""user":"u","pass":"right""#).expect("an answer"), "PONG");
    eprintln!("nats harness: --user/--pass reach the server; a wrong password gets {refused:?}");
}

#[test]
fn a_cluster_of_three_forms_and_replaces_a_killed_stream_leader() {
    let started = Instant::now();
    let mut cluster = NatsCluster::start(3);
    let formed_after = started.elapsed();
    let meta = cluster.meta_leader().expect("a meta leader");
    for i in 0..cluster.len() {
        let jsz = cluster.server(i).jsz("").expect("jsz");
        assert_eq!(jsz["meta_cluster"]["cluster_size"], 3, "{}: {jsz}", cluster.server(i).name());
        assert_eq!(jsz["meta_cluster"]["name"], cluster.name());
    }
    let urls = cluster.urls();
    assert_eq!(urls.split(',').count(), 3, "{urls}");
    assert!(urls.split(',').all(|url| url.starts_with("nats://127.0.0.1:")), "{urls}");

    create_stream(&cluster.server(0).url(), "harness", 3);
    let leader = cluster.wait_stream_leader("harness", Duration::from_secs(10));
    let killed_at = Instant::now();
    cluster.server_mut(leader).kill();
    assert_eq!(cluster.stream_leader("harness").filter(|&i| i == leader), None);
    let successor = poll_until(Duration::from_secs(30), || cluster.stream_leader("harness"))
        .expect("a new stream leader within 30 s");
    let elected_after = killed_at.elapsed();
    assert_ne!(successor, leader);

    cluster.server_mut(leader).restart();
    cluster.wait_until_ready();
    eprintln!(
        "nats harness: cluster {} of 3 formed in {formed_after:?} (meta leader n{meta}); stream \
         leader n{leader} killed, n{successor} took over after {elected_after:?}; n{leader} \
         restarted and caught up",
        cluster.name()
    );
}
