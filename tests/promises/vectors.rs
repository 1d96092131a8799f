//! The golden vectors of `docs/vectors/` against the Rust implementation: every frame vector
//! encodes to its hex from its decoded meaning and decodes from its hex to that meaning, every
//! malformed vector is refused for its reason, the preamble and refusal vectors are the opening's
//! messages (`docs/wire.md` §4), and the handshake vector follows §5.
//! The TypeScript client checks the same files (`clients/js/test/unit/vectors.test.mjs`).
//!
//! Owns: the vectors' JSON shape and the translation between it and the wire module's types. It
//! must not define the format: the protocol crate's `wire.rs` and `auth.rs` do, the vectors
//! record them.
//!
//! `NANOMITTER_WRITE_VECTORS=1 cargo test --test promises vectors` rewrites every `hex` of
//! `frames.json` and the derived fields of `handshake.json` from the Rust encoder (after a
//! deliberate change to the format); without it the test only checks.

use crate::handshake;

use bytes::Bytes;
use handshake::{handshake_message, mac};
use nanomitter::Codec;
use nanomitter_protocol::identity::NodeKey;
use nanomitter_protocol::wire::{
    self, Ack, EventsBatch, Frame, FrameError, Hello, Interest, Joining, Left, LeftReason, Nack,
    Proof, Relayed,
};
use serde_json::{json, Value};
use std::path::PathBuf;

mod behaviour;

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/vectors")
}

fn rewriting() -> bool {
    std::env::var_os("NANOMITTER_WRITE_VECTORS").is_some_and(|v| v == "1")
}

fn load(name: &str) -> Value {
    let path = vectors_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

fn store(name: &str, value: &Value) {
    let text = serde_json::to_string_pretty(value).expect("vectors serialise") + "\n";
    std::fs::write(vectors_dir().join(name), text).expect("write the vectors");
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    assert!(text.len().is_multiple_of(2), "odd hex {text:?}");
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex digits"))
        .collect()
}

fn node_id(value: &Value) -> u64 {
    let text = value.as_str().expect("a node id is a string of 16 hex digits");
    assert_eq!(text.len(), 16, "node id {text:?}");
    u64::from_str_radix(text, 16).expect("a hex node id")
}

fn node_hex(node: u64) -> Value {
    json!(format!("{node:016x}"))
}

fn number(value: &Value) -> u64 {
    value.as_u64().unwrap_or_else(|| panic!("not an integer: {value}"))
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_else(|| panic!("not a string: {value}")).to_owned()
}

fn pairs(value: &Value, first: &str, second: &str) -> Vec<(u64, u64)> {
    value
        .as_array()
        .expect("a list")
        .iter()
        .map(|p| (node_id(&p[first]), number(&p[second])))
        .collect()
}

fn describe_pairs(pairs: &[(u64, u64)], first: &str, second: &str) -> Value {
    pairs.iter().map(|(a, b)| json!({ first: node_hex(*a), second: b })).collect()
}

fn codec_name(codec: Codec) -> &'static str {
    match codec {
        Codec::Bincode => "bincode",
        Codec::Json => "json",
        Codec::MessagePack => "msgpack",
    }
}

fn codec_named(name: &str) -> Codec {
    match name {
        "bincode" => Codec::Bincode,
        "json" => Codec::Json,
        "msgpack" => Codec::MessagePack,
        other => panic!("unknown codec {other:?}"),
    }
}

/// Encodes the frame a vector describes.
fn encode(desc: &Value) -> Vec<u8> {
    match desc["kind"].as_str().expect("a kind") {
        "events" => {
            let mut batch = EventsBatch::new(node_id(&desc["node"]), &text(&desc["service"]), 0);
            for event in desc["events"].as_array().expect("events") {
                let payload = unhex(&text(&event["payload"]));
                let codec = codec_named(&text(&event["codec"]));
                batch.push(number(&event["seq"]), codec, &text(&event["topic"]), &payload).unwrap();
            }
            let mut bytes = batch.finish(number(&desc["covers_from"]), number(&desc["covers_to"]));
            wire::set_retained_from(&mut bytes, number(&desc["retained_from"]));
            bytes
        }
        "ack" => Ack {
            node: node_id(&desc["node"]),
            epoch: number(&desc["epoch"]),
            acks: pairs(&desc["acks"], "sender", "seq"),
        }
        .encode(),
        "hello" => Hello {
            node: node_id(&desc["node"]),
            epoch: number(&desc["epoch"]),
            hub: match desc["role"].as_str() {
                Some("hub") => true,
                Some("client") => false,
                other => panic!("role {other:?}"),
            },
            joining: match desc["joining"].as_str() {
                Some("no") => Joining::No,
                Some("fresh") => Joining::Fresh,
                Some("again") => Joining::Again,
                other => panic!("joining {other:?}"),
            },
            service: text(&desc["service"]),
            last_seq: number(&desc["last_seq"]),
            retained_from: number(&desc["retained_from"]),
            received: pairs(&desc["received"], "sender", "seq"),
            members: desc["members"]
                .as_array()
                .expect("members")
                .iter()
                .map(|m| (node_id(&m["node"]), node_id(&m["key_hash"])))
                .collect(),
            owed: pairs(&desc["owed"], "node", "held"),
            proof: match (&desc["proof"]["key"], &desc["proof"]["key_hash"]) {
                (Value::String(key), _) => {
                    Proof::Key(NodeKey(unhex(key).try_into().expect("a key of 16 bytes")))
                }
                (_, Value::String(_)) => Proof::KeyHash(node_id(&desc["proof"]["key_hash"])),
                _ => Proof::None,
            },
        }
        .encode(),
        "nack" => Nack {
            node: node_id(&desc["node"]),
            sender: node_id(&desc["sender"]),
            from_seq: number(&desc["from_seq"]),
        }
        .encode(),
        "left" => Left {
            epoch: number(&desc["epoch"]),
            node: node_id(&desc["node"]),
            reason: match desc["reason"].as_str() {
                Some("closed") => LeftReason::Closed,
                Some("evicted") => LeftReason::Evicted,
                Some("silent") => LeftReason::Silent,
                other => panic!("reason {other:?}"),
            },
        }
        .encode(),
        "interest" => Interest {
            node: node_id(&desc["node"]),
            version: number(&desc["version"]),
            patterns: desc["patterns"]
                .as_array()
                .expect("patterns")
                .iter()
                .map(|p| (text(&p["pattern"]), number(&p["listeners"]) as u32))
                .collect(),
        }
        .encode(),
        "relayed" => Relayed {
            node: node_id(&desc["node"]),
            epoch: number(&desc["epoch"]),
            frames: number(&desc["frames"]),
        }
        .encode(),
        other => panic!("unknown kind {other:?}"),
    }
}

/// The meaning of a decoded frame, in the vectors' JSON shape (without the payloads' `data`).
fn describe(frame: &Frame) -> Value {
    match frame {
        Frame::Events(events) => json!({
            "kind": "events",
            "node": node_hex(events.node),
            "retained_from": events.retained_from,
            "covers_from": events.covers_from,
            "covers_to": events.covers_to,
            "service": (!events.events.is_empty()).then(|| events.service.to_string()),
            "events": events.events.iter().map(|e| json!({
                "seq": e.seq,
                "codec": codec_name(e.codec),
                "topic": e.topic,
                "payload": hex(e.payload()),
            })).collect::<Vec<_>>(),
        }),
        Frame::Ack(ack) => json!({
            "kind": "ack",
            "node": node_hex(ack.node),
            "epoch": ack.epoch,
            "acks": describe_pairs(&ack.acks, "sender", "seq"),
        }),
        Frame::Hello(hello) => json!({
            "kind": "hello",
            "node": node_hex(hello.node),
            "epoch": hello.epoch,
            "role": if hello.hub { "hub" } else { "client" },
            "joining": match hello.joining {
                Joining::No => "no",
                Joining::Fresh => "fresh",
                Joining::Again => "again",
            },
            "service": hello.service,
            "last_seq": hello.last_seq,
            "retained_from": hello.retained_from,
            "received": describe_pairs(&hello.received, "sender", "seq"),
            "members": hello
                .members
                .iter()
                .map(|(node, key_hash)| json!({ "node": node_hex(*node), "key_hash": node_hex(*key_hash) }))
                .collect::<Vec<_>>(),
            "owed": describe_pairs(&hello.owed, "node", "held"),
            "proof": match hello.proof {
                Proof::None => Value::Null,
                Proof::Key(key) => json!({ "key": hex(&key.0) }),
                Proof::KeyHash(key_hash) => json!({ "key_hash": node_hex(key_hash) }),
            },
        }),
        Frame::Nack(nack) => json!({
            "kind": "nack",
            "node": node_hex(nack.node),
            "sender": node_hex(nack.sender),
            "from_seq": nack.from_seq,
        }),
        Frame::Left(left) => json!({
            "kind": "left",
            "epoch": left.epoch,
            "node": node_hex(left.node),
            "reason": match left.reason {
                LeftReason::Closed => "closed",
                LeftReason::Evicted => "evicted",
                LeftReason::Silent => "silent",
            },
        }),
        Frame::Interest(interest) => json!({
            "kind": "interest",
            "node": node_hex(interest.node),
            "version": interest.version,
            "patterns": interest.patterns.iter()
                .map(|(p, n)| json!({ "pattern": p, "listeners": n }))
                .collect::<Vec<_>>(),
        }),
        Frame::Relayed(relayed) => json!({
            "kind": "relayed",
            "node": node_hex(relayed.node),
            "epoch": relayed.epoch,
            "frames": relayed.frames,
        }),
    }
}

/// The vector's description without what [`describe`] cannot know: the payloads' decoded
/// `data`, and an events frame's service when it has no events.
fn comparable(desc: &Value) -> Value {
    let mut desc = desc.clone();
    if desc["kind"] == "events" {
        if desc["events"].as_array().is_some_and(|e| e.is_empty()) {
            desc["service"] = Value::Null;
        }
        for event in desc["events"].as_array_mut().expect("events") {
            event.as_object_mut().expect("an event").remove("data");
        }
    }
    desc
}

/// The category of a decoding error, as the vectors name it.
fn error_name(error: &FrameError) -> &'static str {
    match error {
        FrameError::NotAFrame => "not_a_frame",
        FrameError::Version(_) => "version",
        FrameError::Kind(_) => "kind",
        FrameError::Truncated => "truncated",
        FrameError::Invalid(_) => "invalid",
    }
}

#[test]
fn every_frame_vector_encodes_to_its_hex_and_decodes_to_its_meaning() {
    let mut vectors = load("frames.json");
    let rewrite = rewriting();
    for vector in vectors["frames"].as_array_mut().expect("frames") {
        let name = text(&vector["name"]);
        let encoded = encode(&vector["frame"]);
        if rewrite {
            vector["hex"] = json!(hex(&encoded));
        }
        assert_eq!(hex(&encoded), text(&vector["hex"]), "{name}: encoding");
        let decoded = wire::decode(Bytes::from(unhex(&text(&vector["hex"]))))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(describe(&decoded), comparable(&vector["frame"]), "{name}: decoding");
        if let Frame::Events(events) = &decoded {
            for (event, desc) in
                events.events.iter().zip(vector["frame"]["events"].as_array().unwrap())
            {
                if let Some(data) = desc.get("data") {
                    let event = nanomitter::DistributedEvent::from(events.event(&event));
                    assert_eq!(&event.to_json(), data, "{name}: the payload's value");
                }
            }
        }
    }
    if rewrite {
        store("frames.json", &vectors);
    }
}

#[test]
fn every_malformed_vector_is_refused_for_its_reason() {
    let vectors = load("frames.json");
    for vector in vectors["malformed"].as_array().expect("malformed") {
        let name = text(&vector["name"]);
        let refused = wire::decode(Bytes::from(unhex(&text(&vector["hex"]))))
            .expect_err(&format!("{name}: accepted"));
        assert_eq!(error_name(&refused), text(&vector["error"]), "{name}: {refused}");
    }
}

#[test]
fn the_preamble_vectors_are_the_hubs_first_words() {
    let vectors = load("frames.json");
    for vector in vectors["preambles"].as_array().expect("preambles") {
        let mut expected = wire::MAGIC.to_vec();
        expected.extend_from_slice(&[wire::VERSION, u8::from(vector["secret"] == true)]);
        assert_eq!(text(&vector["hex"]), hex(&expected), "{}", vector["name"]);
    }
}

#[test]
fn the_refusal_vectors_encode_and_decode_as_their_reason_and_text() {
    use nanomitter_protocol::refusal::{Reason, Refusal};
    let vectors = load("frames.json");
    let refusals = vectors["refusals"].as_array().expect("refusals");
    assert!(refusals.len() >= 6, "every reason has a vector");
    for vector in refusals {
        let name = text(&vector["name"]);
        let code = u8::try_from(number(&vector["code"])).expect("a reason byte");
        let refusal = Refusal::new(Reason::from_byte(code), &text(&vector["text"]));
        assert_eq!(hex(&refusal.encode()), text(&vector["hex"]), "{name}");
        let decoded = Refusal::decode(&unhex(&text(&vector["hex"]))).expect("a refusal");
        assert_eq!(decoded, refusal, "{name}");
        assert_eq!(decoded.reason.name(), text(&vector["reason"]), "{name}");
    }
}

/// A typed Rust struct, as the MessagePack vector carries it.
#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct StockPrice {
    ticker: String,
    price: f64,
    volume: u64,
    tags: Vec<String>,
    open: bool,
}

#[test]
fn the_msgpack_vector_is_a_typed_struct_as_rmp_serde_writes_it() {
    let vectors = load("frames.json");
    let event = vectors["frames"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|v| v["frame"]["events"].as_array().into_iter().flatten())
        .find(|e| e["codec"] == "msgpack")
        .expect("a msgpack event in the vectors")
        .clone();
    let typed: StockPrice = serde_json::from_value(event["data"].clone()).unwrap();
    let payload = unhex(&text(&event["payload"]));
    assert_eq!(hex(&rmp_serde::to_vec_named(&typed).unwrap()), hex(&payload));
    assert_eq!(rmp_serde::from_slice::<StockPrice>(&payload).unwrap(), typed);
}

#[test]
fn the_handshake_vector_follows_the_specification() {
    let mut vector = load("handshake.json");
    let secret = text(&vector["secret"]).into_bytes();
    let (nc, nh) = (unhex(&text(&vector["dialer_nonce"])), unhex(&text(&vector["hub_nonce"])));
    let hub_proof = mac(&secret, &[b"nanomitter/1 hub", &nc, &nh]);
    let client_proof = mac(&secret, &[b"nanomitter/1 client", &nc, &nh]);
    let key = mac(&secret, &[b"nanomitter/1 session", &nc, &nh]);
    let mut derived = json!({
        "challenge": hex(&handshake_message(1, &[&nc])),
        "answer": hex(&handshake_message(2, &[&nh, &hub_proof])),
        "proof": hex(&handshake_message(3, &[&client_proof])),
        "session_key": hex(&key),
    });
    let mut counters = [0u64; 3];
    let mut tags = Vec::new();
    for tagged in vector["tags"].as_array().expect("tags") {
        let direction = match tagged["from"].as_str() {
            Some("dialer") => 1u8,
            Some("hub") => 2u8,
            other => panic!("from {other:?}"),
        };
        let frame = unhex(&text(&tagged["frame"]));
        let counter = counters[direction as usize];
        counters[direction as usize] += 1;
        let tag = &mac(&key, &[&[direction], &counter.to_le_bytes(), &frame])[..16];
        tags.push(json!({ "from": tagged["from"], "frame": tagged["frame"], "tag": hex(tag) }));
    }
    derived["tags"] = json!(tags);
    if rewriting() {
        for (field, value) in derived.as_object().unwrap() {
            vector[field] = value.clone();
        }
        store("handshake.json", &vector);
    }
    for (field, value) in derived.as_object().unwrap() {
        assert_eq!(&vector[field], value, "handshake: {field}");
    }
}

#[test]
fn the_credential_vector_follows_the_specification() {
    use nanomitter::credential::{Claims, Credential};
    use nanomitter_protocol::auth::{Answered, Challenged};
    let vector = load("credential.json");
    let secret = text(&vector["secret"]).into_bytes();
    let claims = text(&vector["claims"]).into_bytes();
    let (nc, nh) = (unhex(&text(&vector["dialer_nonce"])), unhex(&text(&vector["hub_nonce"])));
    // What §5.1 says, computed by hand.
    let key = mac(&secret, &[b"nanomitter/1 credential", &claims]);
    assert_eq!(text(&vector["key"]), hex(&key));
    let base64url = |bytes: &[u8]| {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    };
    assert_eq!(text(&vector["token"]), format!("{}.{}", base64url(&claims), base64url(&key)));
    assert_eq!(text(&vector["challenge"]), hex(&handshake_message(4, &[&nc, &claims])));
    let hub_proof = mac(&key, &[b"nanomitter/1 hub", &nc, &nh]);
    assert_eq!(text(&vector["answer"]), hex(&handshake_message(2, &[&nh, &hub_proof])));
    let client_proof = mac(&key, &[b"nanomitter/1 client", &nc, &nh]);
    assert_eq!(text(&vector["proof"]), hex(&handshake_message(3, &[&client_proof])));
    let session = mac(&key, &[b"nanomitter/1 session", &nc, &nh]);
    assert_eq!(text(&vector["session_key"]), hex(&session));
    // The implementation: minting the claims gives the token, and a hub takes the challenge.
    let read: Claims = serde_json::from_slice(&claims).unwrap();
    let cluster = nanomitter::Secret::new(secret).unwrap();
    assert_eq!(Credential::mint(&cluster, &read).unwrap().token(), text(&vector["token"]));
    let now = number(&vector["now"]);
    let challenge = unhex(&text(&vector["challenge"]));
    let Challenged { claims: taken, .. } = Answered::challenge(&cluster, &challenge, now).unwrap();
    assert_eq!(taken, Some(read));
}
