//! Real processes on loopback: who may join a cluster. Members sharing a secret (from a file or
//! the environment) exchange events; nodes with another secret or none, raw TCP peers sending
//! untagged or replayed frames, and a rogue program answering as a hub never link and deliver
//! nothing, and a node refused over the secret says which way; non-local addresses need a
//! secret; TLS verifies the hub's certificate; a websocket hub refuses browser origins it was not
//! told to allow. Every wait
//! has a deadline; nothing here sends a byte to a non-loopback address.

use crate::certificates::make_certificates;
use crate::common;
use crate::handshake;

use common::{free_address, wait_listeners, wait_until, Process, TempDir, DEADLINE};
use handshake::{handshake_message, mac};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const SECRET: &str = "correct horse battery staple";
const OTHER_SECRET: &str = "a different secret, as long";

/// A `repl` node on `address` listening to `topics`, with `extra` options and environment,
/// connected.
fn repl(
    name: &str,
    address: &str,
    topics: &[&str],
    extra: &[&str],
    env: &[(&str, &str)],
) -> Process {
    let mut args = vec!["repl", "--addr", address, "--service", name, "--heartbeat", "0"];
    args.extend_from_slice(extra);
    args.extend_from_slice(topics);
    let node = Process::start_with_env(name, &args, env);
    node.wait_stderr("connected");
    node
}

/// The stdout lines of a repl that are `.stats` answers, parsed.
fn stats_answers(node: &Process) -> Vec<Value> {
    node.stdout()
        .iter()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok()?.get("stats").cloned())
        .collect()
}

/// Asks a repl for its counters until `accept` takes them; returns them.
fn wait_stats(node: &mut Process, what: &str, accept: impl Fn(&Value) -> bool) -> Value {
    let mut asked = stats_answers(node).len();
    node.send(".stats");
    wait_until(&format!("{}'s stats to show {what}", node.name), || {
        let answers = stats_answers(node);
        if answers.len() <= asked {
            return None;
        }
        let latest = answers.last().cloned();
        if latest.as_ref().is_some_and(&accept) {
            return latest;
        }
        asked = answers.len();
        node.send(".stats");
        None
    })
}

fn refused(stats: &Value) -> u64 {
    stats["refused"].as_u64().expect("a refused counter")
}

/// Each of `a` and `b` (repls listening to `t`, with local echo) emits one event tagged with
/// `label`, and each receives the other's. The cluster has two listeners of `t`.
fn exchange(a: &mut Process, b: &mut Process, label: &str) {
    exchange_among(a, b, label, 2);
}

/// [`exchange`] in a cluster with `listeners` listeners of `t`.
fn exchange_among(a: &mut Process, b: &mut Process, label: &str, listeners: u64) {
    wait_listeners(a, "t", listeners);
    wait_listeners(b, "t", listeners);
    for node in [&mut *a, &mut *b] {
        let line = format!("t {{\"from\":\"{}\",\"label\":\"{label}\"}}", node.name);
        node.send(&line);
    }
    for (receiver, sender) in [(&*a, b.name.clone()), (&*b, a.name.clone())] {
        wait_until(&format!("{} to receive {label} from {sender}", receiver.name), || {
            receiver
                .events("t")
                .iter()
                .any(|e| e["data"]["from"] == sender.as_str() && e["data"]["label"] == label)
                .then_some(())
        });
    }
}

/// The services named in the `$peer.joined` notices `node` printed.
fn joined_services(node: &Process) -> Vec<String> {
    node.events("$peer.joined")
        .iter()
        .map(|e| e["data"]["service"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Runs `nanomitter <args>` to its end and returns its single error line; fails unless it
/// exits with 1 after exactly one error line and no panic.
fn fails_with_one_line(args: &[&str], env: &[(&str, &str)]) -> String {
    let mut process = Process::start_with_env("cli", args, env);
    assert_eq!(process.wait_exit(), 1, "{args:?}: {:?}", process.stderr());
    let stderr = process.stderr();
    let errors: Vec<_> = stderr.iter().filter(|l| l.starts_with("nanomitter: error:")).collect();
    assert_eq!(errors.len(), 1, "{args:?}: {stderr:?}");
    assert!(!stderr.iter().any(|l| l.contains("panicked")), "{args:?}: {stderr:?}");
    errors[0].clone()
}

fn host_port(address: &str) -> &str {
    address.split_once("://").expect("scheme://host:port").1
}

/// Reads until the peer closes the connection; fails the test if it is still open after the
/// deadline. Whatever the peer sent meanwhile is read and dropped.
fn wait_closed(stream: &mut TcpStream, what: &str) {
    let deadline = Instant::now() + DEADLINE;
    stream.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return, // reset: closed as well
        }
        assert!(Instant::now() < deadline, "timed out waiting for the hub to close {what}");
    }
}

/// One length-prefixed message from the peer.
fn read_message(stream: &mut TcpStream) -> Vec<u8> {
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    let mut len = [0u8; 4];
    stream.read_exact(&mut len).expect("a length");
    let mut message = vec![0u8; u32::from_le_bytes(len) as usize];
    stream.read_exact(&mut message).expect("a message");
    message
}

/// Writes `message` with its length before it and `tag` after it, ignoring a peer that closed
/// meanwhile (what happens next is what the test checks).
fn write_message(stream: &mut TcpStream, message: &[u8], tag: Option<&[u8]>) {
    let mut bytes = (message.len() as u32).to_le_bytes().to_vec();
    bytes.extend_from_slice(message);
    bytes.extend_from_slice(tag.unwrap_or_default());
    let _ = stream.write_all(&bytes);
}

/// The hub's preamble as a hub that requires the secret sends it.
fn secret_hub_preamble() -> Vec<u8> {
    let mut preamble = nanomitter_protocol::wire::MAGIC.to_vec();
    preamble.extend_from_slice(&[nanomitter_protocol::wire::VERSION, 1]);
    preamble
}

/// An events frame from `node` (claiming service `service`) with one JSON event on `t`.
fn forged_events(node: u64, service: &str, seq: u64, data: &str) -> Vec<u8> {
    let payload = data.as_bytes();
    let mut batch = nanomitter_protocol::wire::EventsBatch::new(node, service, payload.len());
    batch.push(seq, nanomitter::Codec::Json, "t", payload).unwrap();
    batch.finish(seq, seq)
}

/// An ack from `node` claiming it holds everything up to a huge sequence number of `sender`.
fn forged_ack(node: u64, sender: u64) -> Vec<u8> {
    nanomitter_protocol::wire::Ack { node, epoch: 1, acks: vec![(sender, 1 << 40)] }.encode()
}

fn node_id(node: &Process) -> u64 {
    u64::from_str_radix(&node.node_id(), 16).expect("a hex node id")
}

/// One direction's tags of an authenticated connection, as `src/auth.rs` computes them.
struct Tags {
    key: [u8; 32],
    from: u8,
    counter: u64,
}

impl Tags {
    fn next(&mut self, frame: &[u8]) -> [u8; 16] {
        let full = mac(&self.key, &[&[self.from], &self.counter.to_le_bytes(), frame]);
        self.counter += 1;
        full[..16].try_into().unwrap()
    }
}

/// Connects to the hub at `address` as a dialer that knows the secret, running the handshake
/// by hand. Checks the hub's proof, and the tag of the first frame the hub sends (so the
/// session key is right). Returns the stream and the tags for what this side sends.
fn authenticated_raw_peer(address: &str, nonce_byte: u8) -> (TcpStream, Tags) {
    let mut stream = TcpStream::connect(host_port(address)).expect("connect to the hub");
    assert_eq!(read_message(&mut stream), secret_hub_preamble());
    let dialer_nonce = [nonce_byte; 32];
    write_message(&mut stream, &handshake_message(1, &[&dialer_nonce]), None);
    let answer = read_message(&mut stream);
    assert_eq!(answer.len(), 6 + 64, "the hub's answer");
    let (hub_nonce, hub_proof) = answer[6..].split_at(32);
    let nonces: [&[u8]; 2] = [&dialer_nonce, hub_nonce];
    let expected = mac(SECRET.as_bytes(), &[b"nanomitter/1 hub", nonces[0], nonces[1]]);
    assert_eq!(hub_proof, expected, "the hub proves the secret");
    let proof = mac(SECRET.as_bytes(), &[b"nanomitter/1 client", nonces[0], nonces[1]]);
    write_message(&mut stream, &handshake_message(3, &[&proof]), None);
    let key = mac(SECRET.as_bytes(), &[b"nanomitter/1 session", nonces[0], nonces[1]]);

    // The hub's first frame (a liveness beat) carries the tag this key predicts.
    let frame = read_message(&mut stream);
    let mut tag = [0u8; 16];
    stream.read_exact(&mut tag).expect("the first frame's tag");
    assert_eq!(tag, Tags { key, from: 2, counter: 0 }.next(&frame), "the hub's first tag");
    (stream, Tags { key, from: 1, counter: 0 })
}

#[test]
fn members_sharing_a_secret_from_a_file_or_the_environment_exchange_events() {
    let dir = TempDir::new("shared");
    // Surrounding whitespace (a trailing newline, an indent) is not part of the secret.
    let secret_file = dir.file("secret", &format!("  {SECRET}\n"));
    let address = free_address();
    let mut hub = repl("hub", &address, &["t"], &["--secret-file", &secret_file], &[]);
    assert!(hub.wait_stderr("connected").contains("as Hub"));
    let mut client = repl("client", &address, &["t"], &[], &[("NANOMITTER_SECRET", SECRET)]);
    assert!(client.wait_stderr("connected").contains("as Client"));
    exchange(&mut hub, &mut client, "both ways");

    // The file wins over the environment: a wrong secret in the environment is not used.
    let mut third = repl(
        "third",
        &address,
        &["t"],
        &["--secret-file", &secret_file],
        &[("NANOMITTER_SECRET", OTHER_SECRET)],
    );
    assert!(third.wait_stderr("connected").contains("as Client"));
    exchange_among(&mut client, &mut third, "file over environment", 3);
    assert_eq!(refused(&wait_stats(&mut hub, "counters", |_| true)), 0, "nobody was refused");
}

#[test]
fn nodes_with_another_secret_or_none_never_join_and_are_counted_as_refused() {
    let dir = TempDir::new("intruders");
    let secret_file = dir.file("secret", SECRET);
    let wrong_file = dir.file("wrong", OTHER_SECRET);
    let address = free_address();
    let topics = ["t", "$peer.joined"];
    let mut hub = repl("hub", &address, &topics, &["--secret-file", &secret_file], &[]);
    let mut member = repl("member", &address, &topics, &["--secret-file", &secret_file], &[]);
    exchange(&mut hub, &mut member, "before");
    wait_until("the hub to see the member join", || {
        joined_services(&hub).contains(&"member".to_owned()).then_some(())
    });
    let before = refused(&wait_stats(&mut hub, "counters", |_| true));

    let intruders: [(&str, &[&str], &str); 2] = [
        ("intruder-wrong", &["--secret-file", &wrong_file], "the two secrets differ"),
        ("intruder-none", &[], "the hub requires the cluster secret and this node has none"),
    ];
    let mut refused_so_far = before;
    for (service, secret, why) in intruders {
        let mut args = vec!["listen", "--addr", &address, "--service", service];
        args.extend_from_slice(&["--connect-timeout", "1"]);
        args.extend_from_slice(secret);
        args.push("t");
        let mut intruder = Process::start(service, &args);
        assert_eq!(intruder.wait_exit(), 1, "{service}: {:?}", intruder.stderr());
        let stderr = intruder.stderr();
        let errors: Vec<_> =
            stderr.iter().filter(|l| l.starts_with("nanomitter: error:")).collect();
        assert_eq!(errors.len(), 1, "{service}: {stderr:?}");
        assert!(errors[0].contains("no link with the hub"), "{service}: {stderr:?}");
        assert!(errors[0].contains(why), "{service} says why: {stderr:?}");
        assert!(!stderr.iter().any(|l| l.contains("connected to")), "{service}: {stderr:?}");
        let stats =
            wait_stats(&mut hub, &format!("{service} refused"), |s| refused(s) > refused_so_far);
        refused_so_far = refused(&stats);
    }

    // Members still talk, and neither ever heard of an intruder.
    exchange(&mut hub, &mut member, "after");
    for node in [&hub, &member] {
        let joined = joined_services(node);
        assert!(!joined.iter().any(|s| s.starts_with("intruder")), "{}: {joined:?}", node.name);
    }
}

/// A node a hub refuses over the cluster secret says which way in its one error line, within a
/// second (not after its connect timeout): the hub requires a secret it lacks, the two secrets
/// differ, or the hub has none while it has one; each with where the command line takes the
/// secret. The hub, run without `-v`, says which way too, once per reason however many come.
#[test]
fn a_node_refused_over_the_secret_says_which_way_in_its_error_line_at_once() {
    let dir = TempDir::new("refusal-reason");
    let secret_file = dir.file("secret", SECRET);
    let with_secret = free_address();
    let without_secret = free_address();
    let hubs = [
        Process::start("hub", &["hub", "--addr", &with_secret, "--secret-file", &secret_file]),
        Process::start("open hub", &["hub", "--addr", &without_secret]),
    ];
    for hub in &hubs {
        assert!(hub.wait_stderr("connected").contains("as Hub"), "{}", hub.name);
    }
    let cases = [
        (
            &with_secret,
            None,
            "the hub requires the cluster secret and this node has none; pass it with \
             --secret-file or NANOMITTER_SECRET",
        ),
        (
            &with_secret,
            Some(OTHER_SECRET),
            "the hub did not prove this node's cluster secret: the two secrets differ, or it is \
             not the cluster's hub; pass the hub's secret with --secret-file or NANOMITTER_SECRET",
        ),
        (
            &without_secret,
            Some(SECRET),
            "this node has a cluster secret and the hub has none: give both the same secret, or \
             neither; this node's secret comes from --secret-file or NANOMITTER_SECRET",
        ),
    ];
    for round in 0..2 {
        for (address, secret, why) in cases {
            let env: Vec<_> =
                secret.map(|secret| ("NANOMITTER_SECRET", secret)).into_iter().collect();
            let args = ["emit", "-a", address, "--connect-timeout", "10", "t", "1"];
            let started = Instant::now();
            let error = fails_with_one_line(&args, &env);
            let took = started.elapsed();
            let refused = format!("nanomitter: error: no link with the hub at {address}: ");
            assert_eq!(error, format!("{refused}{why}"), "{env:?}");
            assert!(
                took < Duration::from_secs(1),
                "round {round}, {env:?}: reported after {took:?}"
            );
        }
    }
    let hub = &hubs[0];
    for line in [
        "refused a node without the cluster secret this hub requires",
        "refused a node whose cluster secret differs from this hub's",
    ] {
        hub.wait_stderr(line);
        let lines = hub.stderr().iter().filter(|l| l.contains(line)).count();
        assert_eq!(lines, 1, "one line per reason in 10 s: {:?}", hub.stderr());
    }
}

#[test]
fn raw_peers_sending_untagged_or_replayed_frames_are_cut_off_and_deliver_nothing() {
    let dir = TempDir::new("raw");
    let secret_file = dir.file("secret", SECRET);
    let address = free_address();
    let topics = ["t", "$peer.joined"];
    let secret = ["--secret-file", secret_file.as_str()];
    let mut hub = repl("hub", &address, &topics, &secret, &[]);
    let mut member = repl("member", &address, &topics, &secret, &[]);
    exchange(&mut hub, &mut member, "before");
    let member_id = node_id(&member);
    let hub_id = node_id(&hub);
    let mut refused_so_far = refused(&wait_stats(&mut hub, "counters", |_| true));
    let mut wait_refused = |hub: &mut Process, what: &str| {
        let stats = wait_stats(hub, what, |s| refused(s) > refused_so_far);
        refused_so_far = refused(&stats);
        stats
    };

    // 1. No handshake at all: a forged events frame claiming to be the member's, and a forged
    //    ack, where the hub expects the handshake's challenge.
    let mut raw = TcpStream::connect(host_port(&address)).unwrap();
    assert_eq!(read_message(&mut raw), secret_hub_preamble(), "the hub's preamble");
    write_message(&mut raw, &forged_events(member_id, "member", 1_000, "\"forged 1\""), None);
    write_message(&mut raw, &forged_ack(member_id, hub_id), None);
    wait_closed(&mut raw, "a peer that skipped the handshake");
    wait_refused(&mut hub, "the peer without a handshake refused");

    // 2. The handshake done with the secret (by a peer that knows it, so the tags are the only
    //    defence left): a tagged frame passes the tag check (it is not a frame, so it counts as
    //    malformed and the connection stays); untagged frames close the connection.
    let (mut raw, mut tags) = authenticated_raw_peer(&address, 2);
    let malformed_before =
        wait_stats(&mut hub, "counters", |_| true)["malformed"].as_u64().unwrap();
    let garbage = b"tagged, but not a frame";
    write_message(&mut raw, garbage, Some(&tags.next(garbage)));
    wait_stats(&mut hub, "the tagged garbage counted as malformed", |s| {
        s["malformed"].as_u64().unwrap() > malformed_before
    });
    write_message(&mut raw, &forged_events(member_id, "member", 1_001, "\"forged 2\""), None);
    write_message(&mut raw, &forged_ack(member_id, hub_id), None);
    wait_closed(&mut raw, "a peer sending untagged frames");
    wait_refused(&mut hub, "the untagged frames refused");

    // 3. A frame replayed, tag and all.
    let (mut raw, mut tags) = authenticated_raw_peer(&address, 3);
    let frame = b"a frame sent twice";
    let tag = tags.next(frame);
    write_message(&mut raw, frame, Some(&tag));
    write_message(&mut raw, frame, Some(&tag));
    wait_closed(&mut raw, "a peer replaying a frame");
    wait_refused(&mut hub, "the replayed frame refused");

    // Members still talk; nothing forged reached anyone, and no raw peer joined.
    exchange(&mut hub, &mut member, "after");
    for node in [&hub, &member] {
        let forged: Vec<_> = node
            .events("t")
            .into_iter()
            .filter(|e| e["data"].to_string().contains("forged"))
            .collect();
        assert!(forged.is_empty(), "{} received forged events: {forged:?}", node.name);
        let joined = joined_services(node);
        assert!(joined.iter().all(|s| s == "hub" || s == "member"), "{}: {joined:?}", node.name);
    }
    assert!(hub.is_running() && member.is_running(), "nobody crashed");
}

/// A program that answers like a hub requiring the secret and then fails the handshake: every
/// other connection gets plain garbage, the others an answer of the right shape with a proof
/// made without the secret. Returns its address and how many connections it accepted.
fn rogue_hub() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind the rogue");
    let address = format!("tcp://{}", listener.local_addr().unwrap());
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let n = counter.fetch_add(1, Ordering::SeqCst);
            std::thread::spawn(move || {
                write_message(&mut stream, &secret_hub_preamble(), None);
                let mut challenge = [0u8; 4 + 38];
                if stream.read_exact(&mut challenge).is_err() {
                    return;
                }
                if n.is_multiple_of(2) {
                    let _ = stream.write_all(&[0xAB; 200]);
                } else {
                    let made_up = mac(OTHER_SECRET.as_bytes(), &[b"nanomitter/1 hub"]);
                    let answer = handshake_message(2, &[&[7u8; 32], &made_up]);
                    write_message(&mut stream, &answer, None);
                }
                // Hold the connection until the dialer gives up on it.
                let _ = std::io::copy(&mut stream, &mut std::io::sink());
            });
        }
    });
    (address, accepted)
}

#[test]
fn a_rogue_program_answering_as_a_hub_with_a_secret_is_refused_for_the_real_hub() {
    let dir = TempDir::new("rogue");
    let secret_file = dir.file("secret", SECRET);
    let (rogue, accepted) = rogue_hub();
    let real = free_address();
    let candidates = format!("{rogue},{real}");
    let options = ["--secret-file", secret_file.as_str(), "--election-timeout", "0.5"];
    // Both prefer the rogue's address: each tries it first, refuses it, and moves on.
    let mut hub = repl("hub", &candidates, &["t"], &options, &[]);
    let connected = hub.wait_stderr("connected");
    assert!(
        connected.starts_with(&format!("nanomitter: connected to {real} as Hub")),
        "{connected}"
    );
    let mut client = repl("client", &candidates, &["t"], &options, &[]);
    let connected = client.wait_stderr("connected");
    assert!(
        connected.starts_with(&format!("nanomitter: connected to {real} as Client")),
        "{connected}"
    );
    assert!(accepted.load(Ordering::SeqCst) >= 2, "both nodes tried the rogue first");
    let client_stats = wait_stats(&mut client, "the rogue refused", |s| refused(s) >= 1);
    assert!(refused(&client_stats) >= 1);
    exchange(&mut hub, &mut client, "past the rogue");
    for node in [&hub, &client] {
        let linked_to_rogue = node.stderr().into_iter().filter(|l| {
            (l.starts_with("nanomitter: connected to") || l.starts_with("nanomitter: role"))
                && l.contains(host_port(&rogue))
        });
        assert_eq!(linked_to_rogue.count(), 0, "{}: {:?}", node.name, node.stderr());
    }
}

#[test]
fn a_non_local_address_needs_a_secret_or_insecure_and_nothing_is_sent_to_check_it() {
    let dir = TempDir::new("non-local");
    let secret_file = dir.file("secret", SECRET);
    // TEST-NET-1: refused by the settings' check, which runs before any socket opens
    // (EmitterBuilder::connect calls `checked` first).
    let remote = "tcp://192.0.2.1:9";
    let base = ["listen", "--addr", remote, "--connect-timeout", "1"];
    let error = fails_with_one_line(&[&base[..], &["t"]].concat(), &[]);
    assert!(error.contains("192.0.2.1") && error.contains("no secret"), "{error}");

    // With --insecure or a secret the address passes: the next check (the frame size, also
    // before any socket) is the one that fails, so nothing is dialed either.
    let too_small = ["--max-frame-size", "100", "t"];
    for allow in [&["--insecure"][..], &["--secret-file", &secret_file]] {
        let error = fails_with_one_line(&[&base[..], allow, &too_small].concat(), &[]);
        assert!(error.contains("max_frame_size"), "{allow:?}: {error}");
        assert!(!error.contains("192.0.2.1"), "{allow:?}: {error}");
    }
    let error =
        fails_with_one_line(&[&base[..], &too_small].concat(), &[("NANOMITTER_SECRET", SECRET)]);
    assert!(error.contains("max_frame_size"), "secret from the environment: {error}");
}

/// Options, environment, and what the error line says.
type Case<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>, &'a str);

#[test]
fn bad_security_options_fail_with_one_line_before_connecting() {
    let dir = TempDir::new("bad-options");
    let short = dir.file("short", "  too short \n");
    let not_pem = dir.file("not.pem", "not PEM");
    let cert_only =
        dir.file("cert.pem", "-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n");
    // A port this test holds: a node that got as far as connecting would dial it (it cannot
    // bind it), and the listener would have a connection to accept.
    let held = TcpListener::bind("127.0.0.1:0").unwrap();
    held.set_nonblocking(true).unwrap();
    let address = format!("tcp://{}", held.local_addr().unwrap());
    let tls_address = address.replace("tcp://", "tls+tcp://");
    let missing = dir.path("missing");
    let plain = ["--addr", address.as_str()];
    let cases: [Case; 9] = [
        (
            [&plain[..], &["--secret-file", &missing]].concat(),
            vec![],
            "cannot read the secret file",
        ),
        (
            [&plain[..], &["--secret-file", &short]].concat(),
            vec![],
            "has 9 bytes, fewer than the 16",
        ),
        (
            plain.to_vec(),
            vec![("NANOMITTER_SECRET", "short")],
            "$NANOMITTER_SECRET: the secret has 5",
        ),
        (plain.to_vec(), vec![("NANOMITTER_SECRET", "")], "has 0 bytes"),
        (vec!["--addr", &tls_address], vec![], "is a TLS address: it needs --tls-ca"),
        ([&plain[..], &["--tls-cert-key", &cert_only]].concat(), vec![], "need --tls-ca"),
        ([&plain[..], &["--tls-ca", &missing]].concat(), vec![], "cannot read --tls-ca"),
        ([&plain[..], &["--tls-ca", &not_pem]].concat(), vec![], "holds no PEM CERTIFICATE"),
        (
            [&plain[..], &["--tls-ca", &cert_only, "--tls-cert-key", &cert_only]].concat(),
            vec![],
            "holds no PEM PRIVATE KEY block",
        ),
    ];
    for (options, env, expected) in cases {
        let mut args = vec!["emit", "--connect-timeout", "1"];
        args.extend_from_slice(&options);
        args.extend_from_slice(&["t", "1"]);
        let error = fails_with_one_line(&args, &env);
        assert!(error.contains(expected), "{options:?} {env:?}: {error}");
    }
    match held.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        other => panic!("a node connected despite its bad options: {other:?}"),
    }
}

#[test]
fn tls_members_exchange_events_and_a_client_trusting_another_ca_never_links() {
    tls_members_and_a_stranger(&free_address().replace("tcp://", "tls+tcp://"));
}

/// The same over `wss://`, served by the hub itself (NNG 2.0 frees a wss listener safely; 1.11
/// could crash doing so, and nodes never bound `wss://`).
#[test]
fn a_hub_serves_wss_itself_and_members_verify_its_certificate() {
    tls_members_and_a_stranger(&format!("{}/nm", free_address().replace("tcp://", "wss://")));
}

/// A TLS hub on `address` and a member verifying its certificate exchange events; a node
/// trusting another certificate authority never links, and nobody hears of it.
fn tls_members_and_a_stranger(address: &str) {
    let dir = TempDir::new("tls");
    let (ca, server) = make_certificates(&dir, "cluster", true);
    let server = server.unwrap();
    let (other_ca, _) = make_certificates(&dir, "other", false);
    let topics = ["t", "$peer.joined"];
    let mut hub = repl("hub", address, &topics, &["--tls-ca", &ca, "--tls-cert-key", &server], &[]);
    assert!(hub.wait_stderr("connected").contains("as Hub"));
    // Without --tls-cert-key a node only dials; the hub's certificate is verified against the
    // CA, here for the name `localhost` (see the test below for the address's own host).
    let trust = ["--tls-ca", ca.as_str(), "--tls-server-name", "localhost"];
    let mut client = repl("client", address, &topics, &trust, &[]);
    assert!(client.wait_stderr("connected").contains("as Client"));
    exchange(&mut hub, &mut client, "over TLS");

    stranger_never_links(address, &other_ca);
    exchange(&mut hub, &mut client, "after the stranger");
    for node in [&hub, &client] {
        let joined = joined_services(node);
        assert!(!joined.contains(&"stranger".to_owned()), "{}: {joined:?}", node.name);
    }
}

/// A node on `address` that trusts another certificate authority (`other_ca`) never links: it
/// fails with the one error line of an unreachable hub.
fn stranger_never_links(address: &str, other_ca: &str) {
    let args = ["listen", "--addr", address, "--service", "stranger", "--tls-ca", other_ca];
    let mut stranger =
        Process::start("stranger", &[&args[..], &["--connect-timeout", "1", "t"]].concat());
    assert_eq!(stranger.wait_exit(), 1, "{:?}", stranger.stderr());
    let stderr = stranger.stderr();
    assert!(stderr.iter().any(|l| l.contains("nanomitter: error: no hub answered")), "{stderr:?}");
    assert!(!stderr.iter().any(|l| l.contains("connected to")), "{stderr:?}");
}

/// `wss://` end to end through a proxy, the certificate verified: the hub serves `ws://` behind a
/// TLS-terminating proxy, as a deployment may put in front of it, and members dial `wss://`
/// through the proxy. A member trusting another certificate authority never links.
#[test]
fn members_dial_wss_through_a_tls_terminating_proxy_and_verify_its_certificate() {
    let dir = TempDir::new("wss");
    let (ca, server) = make_certificates(&dir, "cluster", true);
    let (other_ca, _) = make_certificates(&dir, "other", false);
    let hub_address = format!("{}/nm", free_address().replace("tcp://", "ws://"));
    let topics = ["t", "$peer.joined"];
    let mut hub = repl("hub", &hub_address, &topics, &[], &[]);
    assert!(hub.wait_stderr("connected").contains("as Hub"));
    let upstream = host_port(&hub_address).trim_end_matches("/nm");
    let port = tls_terminating_proxy(&server.unwrap(), upstream);
    let address = format!("wss://127.0.0.1:{port}/nm");
    let trust = ["--tls-ca", ca.as_str(), "--tls-server-name", "localhost"];
    let mut client = repl("client", &address, &topics, &trust, &[]);
    assert!(client.wait_stderr("connected").contains("as Client"));
    exchange(&mut hub, &mut client, "over wss");

    stranger_never_links(&address, &other_ca);
    exchange(&mut hub, &mut client, "after the stranger");
}

/// A TLS-terminating proxy on a free loopback port: it accepts TLS with NNG's `tls+tcp://`
/// listener, presenting `cert_key`, and forwards the decrypted bytes to `upstream` (`host:port`)
/// and back, one pair of threads per connection. Returns its port.
fn tls_terminating_proxy(cert_key: &str, upstream: &str) -> u16 {
    use nanomitter_nng::{Listener, TlsSettings, TransportOptions};
    let runtime = Arc::new(tokio::runtime::Runtime::new().expect("a runtime"));
    let tls = Some(TlsSettings::server(cert_key));
    let options = TransportOptions { tls, ..TransportOptions::default() };
    let listener = Listener::bind("tls+tcp://127.0.0.1:0", &options).expect("bind the proxy");
    let port = listener.bound_port().expect("the proxy's port");
    let upstream = upstream.to_owned();
    std::thread::spawn(move || {
        while let Ok(secure) = runtime.block_on(listener.accept()) {
            let Ok(plain) = TcpStream::connect(&upstream) else { continue };
            let (secure, mut plain_out) = (Arc::new(secure), plain.try_clone().expect("a clone"));
            let (from_secure, to_secure, rt) = (secure.clone(), secure, runtime.clone());
            std::thread::spawn(move || {
                let mut buf = vec![0; 64 * 1024];
                while let Ok(n @ 1..) = rt.block_on(from_secure.read(&mut buf)) {
                    if plain_out.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
                let _ = plain_out.shutdown(std::net::Shutdown::Both);
            });
            let (rt, mut plain_in) = (runtime.clone(), plain);
            std::thread::spawn(move || {
                let mut buf = vec![0; 64 * 1024];
                while let Ok(n @ 1..) = plain_in.read(&mut buf) {
                    if rt.block_on(to_secure.write_all(&[&buf[..n]])).is_err() {
                        break;
                    }
                }
            });
        }
    });
    port
}

/// A peer without the secret that announces a huge handshake message is cut off at the length
/// prefix. (Before, the hub read and held it whole, 8 MiB here, then refused it.)
#[test]
fn an_oversized_handshake_message_is_refused_at_its_length() {
    let dir = TempDir::new("oversized-handshake");
    let secret_file = dir.file("secret", SECRET);
    let address = free_address();
    // A long handshake timeout, so that only the size check can close the connection early.
    let options = ["--secret-file", secret_file.as_str(), "--election-timeout", "30"];
    let _hub = repl("hub", &address, &["t"], &options, &[]);
    let mut raw = TcpStream::connect(host_port(&address)).unwrap();
    assert_eq!(read_message(&mut raw), secret_hub_preamble());
    raw.write_all(&(8u32 << 20).to_le_bytes()).unwrap();
    let started = Instant::now();
    wait_closed(&mut raw, "a peer announcing an 8 MiB handshake message");
    assert!(started.elapsed() < Duration::from_secs(10), "closed only at the handshake timeout");
}

/// A hub whose certificate and key NNG cannot use (here: PEM blocks of garbage) fails with the
/// reason. (Before, the failed bind was taken for an address already taken: the node dialed its
/// own address and failed with "no hub answered", never saying why.)
#[test]
fn an_unusable_tls_certificate_fails_with_its_reason() {
    let dir = TempDir::new("tls-unusable");
    let (ca, _) = make_certificates(&dir, "cluster", false);
    let unusable = dir.file(
        "unusable.pem",
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n\
         -----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    );
    let address = free_address().replace("tcp://", "tls+tcp://");
    let error = fails_with_one_line(
        &[
            "listen",
            "--addr",
            &address,
            "--tls-ca",
            &ca,
            "--tls-cert-key",
            &unusable,
            "--connect-timeout",
            "2",
            "t",
        ],
        &[],
    );
    assert!(!error.contains("no hub answered"), "{error}");
}

/// A `tls+tcp://127.0.0.1:...` hub is verified under the default server name, the address's
/// host, by the IP address its certificate lists (Mbed TLS 2.28, which the transport used with
/// NNG 1.11, matched names as text only: "Cryptographic error" on every dial).
#[test]
fn tls_verifies_a_hub_on_an_ip_address_under_the_default_server_name() {
    let dir = TempDir::new("tls-ip");
    let (ca, server) = make_certificates(&dir, "cluster", true);
    let server = server.unwrap();
    let address = free_address().replace("tcp://", "tls+tcp://");
    let _hub = repl("hub", &address, &["t"], &["--tls-ca", &ca, "--tls-cert-key", &server], &[]);
    let mut client = Process::start(
        "client",
        &["listen", "--addr", &address, "--tls-ca", &ca, "--connect-timeout", "3", "t"],
    );
    let connected = common::poll_until(Duration::from_secs(5), || {
        client.stderr().iter().any(|l| l.contains("connected to")).then_some(())
    });
    client.kill();
    assert!(connected.is_some(), "{:?}", client.stderr());
}

/// A websocket upgrade to the hub at `address` (`ws://host:port/path`) with the `extra` request
/// header lines.
fn ws_upgrade(address: &str, extra: &str) -> (TcpStream, String) {
    let rest = address.strip_prefix("ws://").expect("a ws:// address");
    let (host_port, path) = rest.split_once('/').expect("ws://host:port/path");
    common::raw_ws_upgrade(host_port, &format!("/{path}"), extra, DEADLINE)
}

/// The payload of the next websocket data frames from a server (unmasked), until `len` bytes.
fn read_ws_payload(stream: &mut TcpStream, len: usize) -> Vec<u8> {
    let mut payload = Vec::new();
    while payload.len() < len {
        let mut header = [0u8; 2];
        stream.read_exact(&mut header).expect("a websocket frame header");
        assert!(header[0] & 0x0f <= 2, "not a data frame: {header:02x?}");
        assert_eq!(header[1] & 0x80, 0, "a server's frame is never masked");
        let size = match header[1] & 0x7f {
            126 => {
                let mut size = [0u8; 2];
                stream.read_exact(&mut size).expect("a frame length");
                usize::from(u16::from_be_bytes(size))
            }
            127 => panic!("a frame far too long for a preamble"),
            size => usize::from(size),
        };
        let mut part = vec![0u8; size];
        stream.read_exact(&mut part).expect("a frame payload");
        payload.extend_from_slice(&part);
    }
    payload
}

/// Everything the peer sends until it closes the connection (fails after the deadline).
fn read_to_close(stream: &mut TcpStream, what: &str) -> Vec<u8> {
    let deadline = Instant::now() + DEADLINE;
    stream.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return received,
            Ok(n) => received.extend_from_slice(&buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return received, // reset: closed as well
        }
        assert!(Instant::now() < deadline, "timed out waiting for the hub to close {what}");
    }
}

#[test]
fn a_websocket_hub_refuses_browser_origins_not_allowed_and_accepts_the_others() {
    let address = free_address().replacen("tcp://", "ws://", 1) + "/nm";
    let mut hub = repl("hub", &address, &["t"], &["--ws-origin", "http://good.example"], &[]);
    assert!(hub.wait_stderr("connected").contains("as Hub"));
    let before = refused(&wait_stats(&mut hub, "counters", |_| true));

    // A page on another origin: told why instead of the preamble, closed, counted and logged.
    let (mut evil, head) = ws_upgrade(&address, "Origin: http://evil.example\r\n");
    assert!(head.starts_with("HTTP/1.1 101"), "not upgraded: {head:?}");
    let after_close = read_to_close(&mut evil, "the connection from http://evil.example");
    let magic = nanomitter_protocol::wire::MAGIC;
    assert!(
        !after_close.windows(magic.len()).any(|w| w == magic),
        "the hub said its preamble to a refused origin: {after_close:02x?}"
    );
    let origin_refused = b"NMNO\x01\x01origin http://evil.example is not allowed";
    assert!(
        after_close.windows(origin_refused.len()).any(|w| w == origin_refused),
        "no refusal for the origin: {after_close:02x?}"
    );
    let stats = wait_stats(&mut hub, "the origin refused", |s| refused(s) > before);
    assert_eq!(refused(&stats), before + 1, "one connection, one refusal");
    hub.wait_stderr("refused a websocket connection from a browser origin not allowed");

    // The allowed origin, and a client without an Origin (not a browser), get the preamble.
    let mut preamble = vec![6, 0, 0, 0];
    preamble.extend_from_slice(&magic);
    preamble.extend_from_slice(&[nanomitter_protocol::wire::VERSION, 0]);
    for extra in ["Origin: http://good.example\r\n", ""] {
        let (mut good, head) = ws_upgrade(&address, extra);
        assert!(head.starts_with("HTTP/1.1 101"), "{extra:?}: not upgraded: {head:?}");
        assert_eq!(read_ws_payload(&mut good, preamble.len()), preamble, "{extra:?}");
    }
    let stats = wait_stats(&mut hub, "counters", |_| true);
    assert_eq!(refused(&stats), before + 1, "the allowed connections were not refused");

    // A CLI node (whose dialer sends no Origin) links over ws:// and exchanges events.
    let mut client = repl("client", &address, &["t"], &[], &[]);
    assert!(client.wait_stderr("connected").contains("as Client"));
    exchange(&mut hub, &mut client, "over ws");
}

/// A hub with as many members as it takes (every hello lists them: 4,096) tells the next
/// connection so instead of its preamble, and says it in its log without `-v`.
#[test]
fn a_hub_with_as_many_members_as_it_takes_refuses_the_next_with_the_reason() {
    let address = free_address();
    let hub = Process::start("hub", &["hub", "--addr", &address, "--liveness", "10"]);
    assert!(hub.wait_stderr("connected").contains("as Hub"));
    let preamble = {
        let mut preamble = nanomitter_protocol::wire::MAGIC.to_vec();
        preamble.extend_from_slice(&[nanomitter_protocol::wire::VERSION, 0]);
        preamble
    };
    let connect = || {
        let mut stream = TcpStream::connect(host_port(&address)).expect("tcp connect");
        let first = read_message(&mut stream);
        (stream, first)
    };
    let mut members = Vec::with_capacity(nanomitter_protocol::wire::MAX_LISTED);
    while members.len() < nanomitter_protocol::wire::MAX_LISTED {
        let (stream, first) = connect();
        assert_eq!(first, preamble, "member {} was not let in", members.len());
        members.push(stream);
    }
    // The hub counts a member once it said its preamble: the last ones may still be on their way.
    let refusal = wait_until("a refusal", || {
        let (stream, first) = connect();
        members.push(stream);
        (first != preamble).then_some(first)
    });
    let most = nanomitter_protocol::wire::MAX_LISTED;
    let expected = format!("NMNO\x01\x05the hub has {most} members, as many as it takes");
    assert_eq!(String::from_utf8_lossy(&refusal), expected);
    hub.wait_stderr("refused a connection: the hub takes no more for now");
}
