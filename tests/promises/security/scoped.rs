//! Real processes on loopback: members with a scoped credential (a token minted with the cluster
//! secret by `nanomitter token`) in a cluster whose hub holds the secret. Such a member emits
//! only on the topics its token allows (refused at once otherwise), receives only those it may
//! see whatever it listens to, and a peer that sends a forbidden event anyway is cut off and
//! counted; a token expired, changed or minted with another secret is refused within a second
//! with the reason, and a connection ends when its credential expires. Every wait has a
//! deadline; nothing here leaves loopback.

use crate::common;

use common::{free_address, wait_listeners, wait_until, Process, DEADLINE};
use nanomitter::credential::{Claims, Credential};
use nanomitter::Secret;
use nanomitter_protocol::auth::Dialing;
use nanomitter_protocol::identity::NodeKey;
use nanomitter_protocol::wire::{self, EventsBatch, Hello, Joining, Proof};
use nanomitter_protocol::Codec;
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const SECRET: &str = "correct horse battery staple";

/// A token `nanomitter token` mints with `secret` for `args`.
fn mint(secret: &str, args: &[&str]) -> String {
    let mut token = Process::start_with_env(
        "token",
        &[&["token"], args].concat(),
        &[("NANOMITTER_SECRET", secret)],
    );
    assert_eq!(token.wait_exit(), 0, "token: {:?}", token.stderr());
    token.stdout().concat().trim().to_owned()
}

/// Alice's claims: she may publish chat, and receive chat and stock prices.
const ALICE: [&str; 10] = [
    "--name",
    "alice",
    "--publish",
    "chat.>",
    "--listen",
    "stockprice.>",
    "--listen",
    "chat.>",
    "--ttl",
    "1h",
];

/// A hub (a repl with the secret, listening to `topics`) on a free address.
fn hub(topics: &[&str]) -> (Process, String) {
    let address = free_address();
    let mut args = vec!["repl", "--addr", &address, "--service", "hub", "--heartbeat", "0"];
    args.extend_from_slice(topics);
    let hub = Process::start_with_env("hub", &args, &[("NANOMITTER_SECRET", SECRET)]);
    assert!(hub.wait_stderr("connected").contains("as Hub"));
    (hub, address)
}

#[test]
fn a_scoped_member_emits_and_receives_only_what_its_token_allows() {
    let (mut hub, address) = hub(&["chat.>"]);
    let token = mint(SECRET, &ALICE);
    let args = ["repl", "--addr", &address, "--service", "alice", "--heartbeat", "0"];
    let mut alice = Process::start("alice", &[&args[..], &["--token", &token, "*"]].concat());
    assert!(alice.wait_stderr("connected").contains("as Client"));
    wait_listeners(&mut hub, "secret.plans", 1);

    alice.send("stockprice.x 1");
    alice.wait_stderr("does not allow emitting on \"stockprice.x\"");
    alice.send("chat.room \"from alice\"");
    hub.wait_events("chat.room", 1);

    // One sender's events arrive in order: the allowed ones after the forbidden one prove it
    // was left out, not late.
    hub.send("secret.plans \"not for alice\"");
    hub.send("stockprice.x 250");
    hub.send("chat.room \"from the hub\"");
    wait_until("alice to get the hub's chat event", || {
        alice.events("chat.room").iter().any(|e| e["service"] == "hub").then_some(())
    });
    let topics: Vec<Value> = alice
        .stdout()
        .iter()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|event| event["service"] == "hub")
        .map(|event| event["topic"].clone())
        .collect();
    assert_eq!(topics, ["stockprice.x", "chat.room"]);
    assert!(alice.is_running(), "alice stays linked");
}

#[test]
fn tokens_expired_changed_or_minted_with_another_secret_are_refused_within_a_second() {
    let (hub, address) = hub(&["t"]);
    let good = mint(SECRET, &ALICE);
    let (claims, key) = good.split_once('.').unwrap();
    let credential = Credential::from_token(&good).unwrap();
    let mut wider = credential.claims().clone();
    wider.publish = vec![">".to_owned()];
    let other_secret = Secret::new("another cluster's secret").unwrap();
    let widened = Credential::mint(&other_secret, &wider).unwrap().token();
    let (widened_claims, _) = widened.split_once('.').unwrap();
    assert_ne!(widened_claims, claims);
    let expired = mint(SECRET, &[&ALICE[..8], &["--ttl", "0s"]].concat());
    let cases = [
        (expired, "credential expired", "refused a scoped node whose credential expired"),
        (
            format!("{widened_claims}.{key}"),
            "does not take this node's credential",
            "refused a scoped node whose credential was not minted",
        ),
        (
            mint("another cluster's secret", &ALICE),
            "does not take this node's credential",
            "refused a scoped node whose credential was not minted",
        ),
    ];
    for (token, said, hub_line) in cases {
        let started = Instant::now();
        let mut node = Process::start(
            "refused",
            &["listen", "--addr", &address, "--dial-only", "--token", &token, "t"],
        );
        let code = node.wait_exit_within(DEADLINE).expect("the refused node exits");
        let took = started.elapsed();
        let stderr = node.stderr().join("\n");
        assert!(code != 0 && stderr.contains(said), "{said}: {stderr}");
        assert!(took < Duration::from_secs(1) + PROCESS_START, "{said}: after {took:?}");
        hub.wait_stderr(hub_line);
    }
}

/// What starting a process and dialing may take on a busy machine, on top of the second a
/// refusal is reported within.
const PROCESS_START: Duration = Duration::from_millis(500);

#[test]
fn a_connection_ends_when_its_credential_expires() {
    let (hub, address) = hub(&["t"]);
    let token = mint(SECRET, &[&ALICE[..8], &["--ttl", "2s"]].concat());
    let args = ["repl", "--addr", &address, "--service", "alice", "--heartbeat", "0"];
    let alice = Process::start("alice", &[&args[..], &["--token", &token, "chat.>"]].concat());
    alice.wait_stderr("connected");
    // Linked before, it dials again, and is refused now that its credential expired.
    hub.wait_stderr("refused a scoped node whose credential expired");
}

/// A scoped peer that does not check its own emits (the hand-made client here) and sends an
/// event its token does not allow: the hub drops it, counts it and closes the connection.
#[test]
fn a_scoped_peer_emitting_outside_its_token_anyway_is_cut_off_and_counted() {
    let (mut hub, address) = hub(&["stockprice.x"]);
    let expires = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() + 3600;
    let claims = Claims::new("mallory", ["chat.>"], ["chat.>"], expires);
    let credential = Credential::mint(&Secret::new(SECRET).unwrap(), &claims).unwrap();
    let mut stream = TcpStream::connect(address.trim_start_matches("tcp://")).unwrap();
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    let preamble = read_message(&mut stream);
    assert_eq!(preamble[..4], wire::MAGIC);
    let (dialing, challenge) = Dialing::start_scoped(&credential).unwrap();
    write_message(&mut stream, &challenge, None);
    let (proof, session) = dialing.answer(&read_message(&mut stream)).expect("the hub's proof");
    write_message(&mut stream, &proof, None);
    let (mut sealer, _) = session.split();
    let node = 0x5eed;
    let hello = Hello {
        node,
        epoch: 1,
        hub: false,
        joining: Joining::Fresh,
        service: "mallory".into(),
        last_seq: 0,
        retained_from: 1,
        received: vec![],
        members: vec![],
        owed: vec![],
        proof: Proof::Key(NodeKey::sample(node)),
    };
    write_message(&mut stream, &hello.encode(), Some(&mut sealer));
    let mut batch = EventsBatch::new(node, "mallory", 16);
    batch.push(1, Codec::Json, "stockprice.x", b"1").unwrap();
    let mut events = batch.finish(1, 1);
    wire::set_retained_from(&mut events, 1);
    write_message(&mut stream, &events, Some(&mut sealer));
    // The hub closes the connection: reading reaches its end.
    let mut rest = Vec::new();
    let _ = stream.read_to_end(&mut rest);
    hub.wait_stderr("emitted on a topic its credential does not allow");
    let stats = hub.ask(".stats", "stats");
    assert_eq!(stats["forbidden"], 1, "{stats}");
    assert!(hub.events("stockprice.x").is_empty(), "the hub took none of it");
}

/// One length-prefixed message.
fn read_message(stream: &mut TcpStream) -> Vec<u8> {
    let mut len = [0u8; 4];
    stream.read_exact(&mut len).unwrap();
    let mut message = vec![0u8; u32::from_le_bytes(len) as usize];
    stream.read_exact(&mut message).unwrap();
    message
}

/// Writes `message` behind its length, and its tag when `sealer` is given.
fn write_message(
    stream: &mut TcpStream,
    message: &[u8],
    sealer: Option<&mut nanomitter_protocol::auth::Sealer>,
) {
    let mut bytes = (message.len() as u32).to_le_bytes().to_vec();
    bytes.extend_from_slice(message);
    if let Some(sealer) = sealer {
        bytes.extend_from_slice(&sealer.seal(message));
    }
    stream.write_all(&bytes).unwrap();
}

/// Collects the topics of the events it is handed, in order.
#[derive(Default, Clone)]
struct Topics(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

impl actix::Actor for Topics {
    type Context = actix::Context<Self>;
}

impl actix::Handler<nanomitter::DistributedEvent> for Topics {
    type Result = ();

    fn handle(&mut self, event: nanomitter::DistributedEvent, _: &mut Self::Context) {
        self.0.lock().unwrap().push(event.topic().to_string());
    }
}

/// A credential for `name` with Alice's claims, valid for an hour.
fn credential(name: &str) -> Credential {
    let expires = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() + 3600;
    let claims = Claims::new(name, ["chat.>"], ["stockprice.>", "chat.>"], expires);
    Credential::mint(&Secret::new(SECRET).unwrap(), &claims).unwrap()
}

/// The hub's authorization hook is obeyed: a member it refuses fails `connect` at once with its
/// words, and one it narrows gets only what both its credential and the hook allow.
#[actix_rt::test]
async fn the_hubs_authorization_hook_refuses_and_narrows() {
    use actix::Actor;
    use nanomitter::authorization::Authorization;
    use nanomitter::{Emitter, Error, NoHub};
    let address = free_address();
    let asked_from = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let asked = asked_from.clone();
    let hub = Emitter::builder("hub")
        .address(&address)
        .secret(Secret::new(SECRET).unwrap())
        .heartbeat_interval(None)
        .authorize(move |request| {
            asked.lock().unwrap().push(request.address.map(str::to_owned));
            match request.claims.name.as_str() {
                "mallory" => Authorization::Refuse("mallory is banned".into()),
                _ => Authorization::Narrow { listen: vec!["chat.>".into()] },
            }
        })
        .connect()
        .await
        .unwrap();
    let scoped = |name: &str| {
        Emitter::builder(name)
            .address(&address)
            .credential(credential(name))
            .heartbeat_interval(None)
            .connect_timeout(Duration::from_secs(10))
    };
    let started = Instant::now();
    let refused = scoped("mallory").connect().await.err().expect("refused");
    let took = started.elapsed();
    let expected = NoHub::NotAuthorized("mallory is banned".into());
    assert!(
        matches!(&refused, Error::Refused { reason, .. } if *reason == expected),
        "{refused:?}"
    );
    assert!(took < Duration::from_secs(1), "reported after {took:?}");
    let asked_from = asked_from.lock().unwrap().clone();
    assert!(
        asked_from.iter().all(|a| a.as_deref().is_some_and(|a| a.starts_with("127.0.0.1:"))),
        "the hook is told where the member connects from: {asked_from:?}"
    );

    let alice = scoped("alice").connect().await.unwrap();
    let topics = Topics::default();
    alice.on("*", topics.clone().start().recipient()).unwrap();
    let deadline = Instant::now() + DEADLINE;
    while hub.cluster_listener_count("stockprice.x").await.unwrap() < 1 {
        assert!(Instant::now() < deadline, "the hub never saw alice's interest");
        actix_rt::time::sleep(Duration::from_millis(2)).await;
    }
    // Her credential allows stock prices; the hook narrowed them away. In order from one sender:
    // the chat event's arrival proves the price was left out, not late.
    hub.emit_json("stockprice.x", &serde_json::json!(250)).unwrap();
    hub.emit_json("chat.room", &serde_json::json!("hello")).unwrap();
    while topics.0.lock().unwrap().is_empty() {
        assert!(Instant::now() < deadline, "alice got nothing");
        actix_rt::time::sleep(Duration::from_millis(2)).await;
    }
    assert_eq!(*topics.0.lock().unwrap(), ["chat.room"]);
    // What she may publish is her credential's: her chat reaches the hub.
    let hub_topics = Topics::default();
    hub.on("chat.>", hub_topics.clone().start().recipient()).unwrap();
    // Her own listener and the hub's.
    while alice.cluster_listener_count("chat.room").await.unwrap() < 2 {
        assert!(Instant::now() < deadline, "alice never saw the hub's interest");
        actix_rt::time::sleep(Duration::from_millis(2)).await;
    }
    alice.emit_json("chat.room", &serde_json::json!("hi")).unwrap();
    alice.flush().await.unwrap();
    while hub_topics.0.lock().unwrap().is_empty() {
        assert!(Instant::now() < deadline, "the hub did not get alice's chat");
        actix_rt::time::sleep(Duration::from_millis(2)).await;
    }
    assert_eq!(*hub_topics.0.lock().unwrap(), ["chat.room"]);
    assert_eq!(hub.stats().forbidden, 0);
    hub.close().await.unwrap();
}
