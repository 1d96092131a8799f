//! The handle a caller gets from `connect`: the emitter's API as methods.
//!
//! Owns: starting the supervised emitter actor and waiting for its first election, checks that
//! need the emitter's settings (event size), and the read-only views (role, stats). It must not
//! hold listener or link state: every operation is a message to the actor.

use crate::config::Config;
use crate::emitter::{Emitter, LinkState, Shutdown};
use crate::error::{Error, Result};
use crate::event::{Codec, DistributedEvent};
use crate::link::Role;
use crate::messages::{
    check_topic, Emit, Flush, ListenerCount, On, Once, RemoveAllListeners, RemoveListener,
};
use crate::stats::{Stats, StatsSnapshot};
use crate::wire;
use actix::{Addr, Recipient, Supervisor};
use serde::Serialize;
use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;
use tokio::sync::watch;

/// The way into one node of the distributed emitter. Cheap to clone; all clones reach the same
/// emitter actor. Dropping handles does not stop the emitter: call [`EmitterHandle::close`].
#[derive(Clone)]
pub struct EmitterHandle {
    addr: Addr<Emitter>,
    state: watch::Receiver<LinkState>,
    stats: Arc<Stats>,
    node: u64,
    service: Arc<str>,
    max_event_size: usize,
}

impl EmitterHandle {
    /// Starts the supervised emitter and resolves once its first election gave it a role.
    pub(crate) async fn start(config: Config) -> Result<EmitterHandle> {
        let node = random_node_id();
        let stats = Arc::new(Stats::default());
        let (state_tx, state) = watch::channel(LinkState::Electing);
        let (address, timeout) = (config.address.clone(), config.connect_timeout);
        let handle = EmitterHandle {
            node,
            stats: stats.clone(),
            state,
            service: config.service.as_str().into(),
            max_event_size: config.max_frame_size - wire::frame_overhead(&config.service),
            addr: Supervisor::start(move |_| Emitter::new(config, node, stats, state_tx)),
        };
        let mut state = handle.state.clone();
        let settled =
            tokio::time::timeout(timeout, state.wait_for(|s| *s != LinkState::Electing)).await;
        let outcome = match settled {
            Err(_) => Err(Error::Unreachable {
                address,
                waited: timeout,
            }),
            Ok(Err(_)) => Err(Error::Closed),
            Ok(Ok(state)) => match &*state {
                LinkState::Up(_) => Ok(()),
                LinkState::Failed(error) => Err(error.clone()),
                LinkState::Electing | LinkState::Closed => Err(Error::Closed),
            },
        };
        match outcome {
            Ok(()) => Ok(handle),
            Err(error) => {
                handle.addr.do_send(Shutdown);
                Err(error)
            }
        }
    }

    /// What this node is right now: the hub, a client, or electing after it lost its link.
    pub fn role(&self) -> Role {
        match &*self.state.borrow() {
            LinkState::Up(role) => *role,
            _ => Role::Electing,
        }
    }

    /// Waits until the node has a role again (after a lost link) and returns it.
    pub async fn wait_linked(&self) -> Result<Role> {
        let mut state = self.state.clone();
        let state = state
            .wait_for(|s| matches!(s, LinkState::Up(_) | LinkState::Closed))
            .await
            .map_err(|_| Error::Closed)?;
        match &*state {
            LinkState::Up(role) => Ok(*role),
            _ => Err(Error::Closed),
        }
    }

    /// A watch on this node's role: every change (to `Electing` and back) can be awaited.
    pub fn roles(&self) -> RoleWatch {
        RoleWatch {
            state: self.state.clone(),
        }
    }

    /// This node's id, carried by every event it emits.
    pub fn node_id(&self) -> u64 {
        self.node
    }

    /// This node's service name.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// A copy of the emitter's counters.
    pub fn stats(&self) -> StatsSnapshot {
        self.stats.snapshot()
    }

    /// The emitter actor, for sending it the messages of [`crate::messages`] directly.
    pub fn addr(&self) -> &Addr<Emitter> {
        &self.addr
    }

    /// Adds a listener for `topic` (`*`: every topic). A recipient added twice receives every
    /// event twice. Returns the handle, so calls chain.
    pub fn on(&self, topic: &str, recipient: Recipient<DistributedEvent>) -> Result<&Self> {
        check_topic(topic, true)?;
        self.addr.do_send(On {
            topic: topic.to_owned(),
            recipient,
        });
        Ok(self)
    }

    /// The same as [`EmitterHandle::on`].
    pub fn add_listener(
        &self,
        topic: &str,
        recipient: Recipient<DistributedEvent>,
    ) -> Result<&Self> {
        self.on(topic, recipient)
    }

    /// Adds a listener that is removed after the first event it receives.
    pub fn once(&self, topic: &str, recipient: Recipient<DistributedEvent>) -> Result<&Self> {
        check_topic(topic, true)?;
        self.addr.do_send(Once {
            topic: topic.to_owned(),
            recipient,
        });
        Ok(self)
    }

    /// Removes the most recently added instance of `recipient` on `topic`; other instances stay.
    pub fn remove_listener(&self, topic: &str, recipient: Recipient<DistributedEvent>) -> &Self {
        self.addr.do_send(RemoveListener {
            topic: topic.to_owned(),
            recipient,
        });
        self
    }

    /// Removes every listener of `topic`, or of every topic when `None`.
    pub fn remove_all_listeners(&self, topic: Option<&str>) -> &Self {
        self.addr.do_send(RemoveAllListeners {
            topic: topic.map(str::to_owned),
        });
        self
    }

    /// The number of local listeners an event on `topic` would reach (including `*` listeners).
    pub async fn listener_count(&self, topic: &str) -> Result<usize> {
        Ok(self
            .addr
            .send(ListenerCount {
                topic: topic.to_owned(),
            })
            .await?)
    }

    /// Emits `value`, encoded with bincode, to every listener of `topic` on every node.
    pub fn emit<T: Serialize + ?Sized>(&self, topic: &str, value: &T) -> Result<()> {
        self.send(Emit::encoded(topic, Codec::Bincode, value)?)
    }

    /// Emits a JSON value to every listener of `topic` on every node.
    pub fn emit_json(&self, topic: &str, value: &serde_json::Value) -> Result<()> {
        self.send(Emit::encoded(topic, Codec::Json, value)?)
    }

    fn send(&self, emit: Emit) -> Result<()> {
        if emit.wire_size() > self.max_event_size {
            return Err(Error::EventTooLarge {
                size: emit.wire_size(),
                max: self.max_event_size,
            });
        }
        if !self.addr.connected() {
            return Err(Error::Closed);
        }
        self.addr.do_send(emit);
        Ok(())
    }

    /// Resolves once every event emitted before the call has left this node: a client waits
    /// for the hub's acknowledgement, a hub until its frames are handed to the transport.
    pub async fn flush(&self) -> Result<()> {
        self.addr.send(Flush).await?
    }

    /// Flushes, then stops the emitter: its link closes and it never elects again.
    pub async fn close(self) -> Result<()> {
        let flushed = self.flush().await;
        self.addr.send(Shutdown).await?;
        flushed
    }
}

fn random_node_id() -> u64 {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    hasher.finish()
}

/// Follows the role of one emitter; see [`EmitterHandle::roles`].
pub struct RoleWatch {
    state: watch::Receiver<LinkState>,
}

impl RoleWatch {
    /// Waits for the next role change and returns the new role; `None` once the emitter is closed.
    pub async fn next(&mut self) -> Option<Role> {
        self.state.changed().await.ok()?;
        match &*self.state.borrow_and_update() {
            LinkState::Up(role) => Some(*role),
            LinkState::Electing => Some(Role::Electing),
            LinkState::Failed(_) | LinkState::Closed => None,
        }
    }
}
