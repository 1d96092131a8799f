//! Nanomitter over its NATS backend, as systems of the bench: `nanomitter-jetstream` (one
//! `nats-server` with JetStream), `nanomitter-jetstream-r3` (three routed servers, the stream
//! with three replicas) and `nanomitter-core` (core NATS, one server).
//!
//! Owns: whether they can run (this binary built with the `nats` feature, a `nats-server` of at
//! least 2.12.1 on the PATH, loopback), the servers each starts, and the backend's options of
//! its nodes. The nodes are nanomitter's own (`node`): the same producer, whose `done` comes once
//! `flush` said the stream acknowledged every event (core mode: once the server has them), and
//! the same consumer and tally. Each run starts its own servers with fresh stores, so the default
//! stream (`nanomitter`) is new to every run. It must not change the library's behaviour: it uses
//! the public API only.

use super::nats_server::{self, Plan};
use super::System;
use nanomitter::EmitterBuilder;

/// The systems of this module, in the order they run.
pub const SYSTEMS: [System; 3] =
    [System::NanomitterJetstream, System::NanomitterJetstreamR3, System::NanomitterCore];

/// The oldest `nats-server` the backend's JetStream mode works with: it publishes each batch of
/// events atomically, which the server supports from 2.12.1 on.
const MIN_SERVER: (u32, u32, u32) = (2, 12, 1);

/// Whether the NATS backend's systems can run here; if not, why.
pub fn available(addr: Option<&str>) -> Result<(), String> {
    if !cfg!(feature = "nats") {
        return Err("this binary was built without the nats feature \
                    (cargo run --release -p nanomitter-cli --features nats -- bench)"
            .into());
    }
    if addr.is_some() {
        return Err("they run on loopback only, and --addr was given".into());
    }
    let program = nats_server::program()?;
    if program.version < MIN_SERVER {
        let (major, minor, patch) = MIN_SERVER;
        return Err(format!(
            "{} is {:?}, older than {major}.{minor}.{patch}, which JetStream's atomic batches need",
            program.path.display(),
            program.printed
        ));
    }
    Ok(())
}

/// The servers a run of `system` starts, if it is one of this module's: core NATS needs no
/// JetStream, so it runs against a plain server as the raw NATS baseline does.
pub fn servers(system: System) -> Option<Plan> {
    match system {
        System::NanomitterJetstream => Some(Plan { servers: 1, jetstream: true }),
        System::NanomitterJetstreamR3 => Some(Plan { servers: 3, jetstream: true }),
        System::NanomitterCore => Some(Plan { servers: 1, jetstream: false }),
        System::Nanomitter | System::RawNng | System::Nats => None,
    }
}

/// `builder` with the NATS backend's options for a node of `system`. The nodes read the
/// stream from its start: it is new to the run, so that only makes sure no consumer misses an
/// event stored before its reading began.
#[cfg(feature = "nats")]
pub fn configure(builder: EmitterBuilder, system: System) -> Result<EmitterBuilder, String> {
    use nanomitter::nats::{History, Mode, NatsOptions};
    let jetstream = NatsOptions::default().mode(Mode::JetStream).history(History::Start);
    let options = match system {
        System::NanomitterJetstream => jetstream,
        System::NanomitterJetstreamR3 => jetstream.replicas(3),
        System::NanomitterCore => NatsOptions::default().mode(Mode::Core),
        System::Nanomitter | System::RawNng | System::Nats => {
            return Err(format!("{} does not run over nanomitter's NATS backend", system.name()))
        }
    };
    Ok(builder.nats(options))
}

/// Without the `nats` feature the systems never run: why.
#[cfg(not(feature = "nats"))]
pub fn configure(_: EmitterBuilder, _: System) -> Result<EmitterBuilder, String> {
    Err(available(None).err().unwrap_or_default())
}
