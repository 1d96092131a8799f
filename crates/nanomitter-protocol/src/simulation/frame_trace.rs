//! A frame-level trace of a simulated run, for replaying a failing seed: every frame sent,
//! dropped and arriving, decoded into one readable line, with node ids shown as the world's
//! indexes (`n3`).
//!
//! Owns: describing a frame. It must not change the run: it only reads frames the world
//! already carries. Turned on with `SIM_FRAMES=1` (printed to stderr as the run goes).

use crate::wire::{self, Frame};

/// Whether this run prints every frame (`SIM_FRAMES` is set).
pub(super) fn wanted() -> bool {
    std::env::var_os("SIM_FRAMES").is_some()
}

/// One line saying what `frame` is; `name` turns a node id into the world's name for it.
pub(super) fn describe(frame: &bytes::Bytes, name: impl Fn(u64) -> String) -> String {
    let pairs = |list: &[(u64, u64)]| -> Vec<(String, u64)> {
        list.iter().map(|(node, seq)| (name(*node), *seq)).collect()
    };
    match wire::decode(frame.clone()) {
        Ok(Frame::Events(e)) => format!(
            "events of {} retained from {} covering {}..={}, seqs {:?}",
            name(e.node),
            e.retained_from,
            e.covers_from,
            e.covers_to,
            e.events.iter().map(|event| event.seq).collect::<Vec<_>>()
        ),
        Ok(Frame::Ack(a)) => {
            format!("ack from {} epoch {} {:?}", name(a.node), a.epoch, pairs(&a.acks))
        }
        Ok(Frame::Hello(h)) => format!(
            "hello from {} epoch {} hub {} {:?} last {} retained from {} received {:?} \
             members {:?} owed {:?}",
            name(h.node),
            h.epoch,
            h.hub,
            h.joining,
            h.last_seq,
            h.retained_from,
            pairs(&h.received),
            h.members.iter().map(|(node, _)| name(*node)).collect::<Vec<_>>(),
            pairs(&h.owed),
        ),
        Ok(Frame::Nack(n)) => {
            format!("nack from {} for {} from {}", name(n.node), name(n.sender), n.from_seq)
        }
        Ok(Frame::Left(l)) => format!("left {} epoch {} {:?}", name(l.node), l.epoch, l.reason),
        Ok(Frame::Interest(i)) => {
            format!("interest of {} v{} {:?}", name(i.node), i.version, i.patterns)
        }
        Ok(Frame::Relayed(r)) => {
            format!("relayed by {} epoch {}: {} frames taken", name(r.node), r.epoch, r.frames)
        }
        Err(e) => format!("malformed: {e}"),
    }
}
