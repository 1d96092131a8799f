//! Starting one node: `connect` spawns the supervised emitter actor and waits for its first
//! election.
//!
//! Owns: the builder's `connect` entry points, the node id, the state shared between the actor
//! and its handles, and the wait (bounded by `connect_timeout`) for the first role. It must not
//! define or check settings (the config module's), run the election (the emitter's) or offer the
//! caller's API (the handle's).

use crate::config::{Config, EmitterBuilder};
use crate::diagnosis::why_no_hub;
use crate::emitter::{Emitter, LinkState, Shared, Shutdown};
use crate::error::{Error, Result};
use crate::handle::EmitterHandle;
#[cfg(feature = "monitor")]
use crate::monitor::Endpoint;
use crate::outbox::Outbox;
use crate::pattern_budget::PatternBudget;
use crate::pending::Pending;
use crate::protocol::identity::NodeKey;
use crate::stats::Stats;
use actix::Supervisor;
use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;
use tokio::sync::watch;

impl EmitterBuilder {
    /// Binds the address (becoming the hub) or dials it (becoming a client), and resolves once
    /// the node is one or the other. Must be awaited inside a running actix system.
    pub async fn connect(self) -> Result<EmitterHandle> {
        start(self.checked()?).await
    }

    /// Shorthand for `.address(address).connect()` (`connect(addr)` in the seeds).
    pub async fn connect_to(self, address: impl Into<String>) -> Result<EmitterHandle> {
        self.address(address).connect().await
    }
}

/// Starts the supervised emitter and resolves once its first election gave it a role.
async fn start(config: Config) -> Result<EmitterHandle> {
    let node = random_node_id();
    // What proves the id at every hub this node joins, for as long as it runs.
    let key = NodeKey::random().map_err(|e| crate::auth::AuthError::Random(e.to_string()))?;
    let shared = Arc::new(Shared {
        stats: Arc::new(Stats::default()),
        pending: Pending::new(
            config.core.max_pending_bytes,
            config.core.batch_bytes,
            config.delay_target,
        ),
        patterns: PatternBudget::default(),
        outbox: Outbox::default(),
    });
    let (state_tx, state) = watch::channel(LinkState::Electing);
    let (address, timeout) = (config.core.candidates.join(", "), config.connect_timeout);
    let addr = {
        let (config, shared) = (config.clone(), shared.clone());
        Supervisor::start(move |_| Emitter::new(config, node, key, shared, state_tx))
    };
    let handle = EmitterHandle::new(&config, node, shared, state.clone(), addr);
    #[cfg(feature = "monitor")]
    let handle = match config.monitor.map(|at| (at, Endpoint::start(at, handle.addr()))) {
        None => handle,
        Some((_, Ok(endpoint))) => handle.with_monitor(Some(endpoint)),
        Some((at, Err(error))) => {
            handle.addr().do_send(Shutdown);
            return Err(Error::InvalidAddress {
                address: at.to_string(),
                reason: format!("the monitoring endpoint cannot listen there: {error}"),
            });
        }
    };
    let mut state = state;
    // The NATS backend bounds its own connecting by the timeout and says why it failed: a
    // moment more here lets its answer arrive first.
    let nats = crate::config::is_nats_address(&config.core.candidates[0]);
    let wait = if nats { timeout + std::time::Duration::from_secs(1) } else { timeout };
    let settled = tokio::time::timeout(wait, state.wait_for(|s| *s != LinkState::Electing)).await;
    let outcome = match settled {
        Err(_) if nats => Err(Error::Nats {
            doing: format!("connecting to {address}"),
            cause: format!("no answer within {timeout:?}"),
        }),
        Err(_) => {
            let cause = why_no_hub(&config, &config.core.candidates[0]).await;
            Err(Error::Unreachable { address, waited: timeout, cause })
        }
        Ok(Err(_)) => Err(Error::Closed),
        Ok(Ok(state)) => match &*state {
            LinkState::Up(..) => Ok(()),
            LinkState::Failed(error) => Err(error.clone()),
            LinkState::Electing | LinkState::Closed => Err(Error::Closed),
        },
    };
    match outcome {
        Ok(()) => Ok(handle),
        Err(error) => {
            handle.addr().do_send(Shutdown);
            #[cfg(feature = "monitor")]
            handle.stop_monitor().await;
            Err(error)
        }
    }
}

fn random_node_id() -> u64 {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    hasher.finish()
}
