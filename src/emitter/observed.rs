//! The emitter's answer to [`Observe`]: its node and cluster, read from the backend, the
//! counters, the listeners and the settings, for the monitoring endpoint and the `metrics`
//! facade.
//!
//! Owns: gathering an [`Observation`] from the actor's state at one moment. It must not change
//! that state, decide what the figures mean (the observe module names them) nor serve them.

use super::{Backend, Emitter, LinkState};
use crate::observe::{self, Gauges, HubView, NodeView, Observation, Observe, PatternView};
use crate::protocol::report::NodeReport;
use crate::SlowConsumer;
use actix::prelude::*;
use std::time::{Instant, SystemTime};

impl Emitter {
    /// The backend's report of this node and the members it knows.
    fn node_report(&self) -> NodeReport {
        match &self.backend {
            Backend::Hub(hub) => hub.node.report(Instant::now()),
            #[cfg(feature = "nats")]
            Backend::Nats(side) => {
                let now = Instant::now();
                let role = match &*self.state.borrow() {
                    LinkState::Up(role, _) => *role,
                    LinkState::Closed => crate::Role::Closed,
                    LinkState::Electing | LinkState::Failed(_) => crate::Role::Electing,
                };
                let members = side
                    .presence
                    .peers()
                    .into_iter()
                    .map(|peer| crate::protocol::report::MemberReport {
                        node: peer.node,
                        service: peer.service,
                        role: peer.role,
                        known_for: now.saturating_duration_since(peer.since),
                        heard_ago: now.saturating_duration_since(peer.last_seen),
                        patterns: None,
                        progress: None,
                    })
                    .collect();
                NodeReport {
                    node: side.node(),
                    service: self.config.core.service.clone(),
                    role,
                    epoch: 0,
                    linked_for: None,
                    hub: None,
                    members,
                    flushes_waiting: 0,
                }
            }
        }
    }
}

impl Handler<Observe> for Emitter {
    type Result = MessageResult<Observe>;

    fn handle(&mut self, _: Observe, _: &mut Context<Self>) -> Self::Result {
        MessageResult(self.observation())
    }
}

impl Emitter {
    /// This node and its cluster as the emitter sees them now.
    pub(super) fn observation(&self) -> Observation {
        let report = self.node_report();
        let address = match &*self.state.borrow() {
            LinkState::Up(_, address) => Some(address.clone()),
            _ => None,
        };
        let hub = report.hub.map(|hub| HubView {
            id: crate::membership::hex(hub),
            service: if hub == report.node {
                Some(report.service.clone())
            } else {
                report.members.iter().find(|m| m.node == hub).map(|m| m.service.clone())
            },
            this_node: hub == report.node,
        });
        let core = &self.config.core;
        Observation {
            node: NodeView {
                id: crate::membership::hex(report.node),
                service: report.service.clone(),
                role: report.role,
                epoch: report.epoch,
                address: address.clone(),
                connected_since_ms: report.linked_for.map(observe::unix_ms_ago),
            },
            hub,
            members: observe::members(&report),
            patterns: self
                .registry
                .activity()
                .into_iter()
                .map(|(pattern, listeners, events)| PatternView { pattern, listeners, events })
                .collect(),
            stats: self.shared.stats.snapshot(),
            now: Gauges {
                // Over NATS there is no hub: connected is healthy.
                healthy: address.is_some()
                    && (report.hub.is_some() || !matches!(self.backend, Backend::Hub(_))),
                flushes_waiting: report.flushes_waiting,
                pending_bytes: self.shared.pending.held(),
                pending_limit_bytes: self.shared.pending.limit(),
                at_ms: observe::unix_ms(SystemTime::now()),
            },
            notices: self.notices.all(),
            settings: observe::SettingsView {
                candidates: core.candidates.clone(),
                window: core.window,
                batch_bytes: core.batch_bytes,
                max_pending_bytes: core.max_pending_bytes,
                max_frame_size: core.max_frame_size,
                liveness_ms: core.liveness_interval.as_millis() as u64,
                evict_after_ms: match core.slow_consumer {
                    SlowConsumer::Evict(after) => Some(after.as_millis() as u64),
                    SlowConsumer::Wait => None,
                },
                election_timeout_ms: core.election_timeout.as_millis() as u64,
                interest_routing: core.interest_routing,
                local_echo: core.local_echo,
                secret: self.config.secret.is_some(),
                backend: match self.backend {
                    Backend::Hub(_) => "nng",
                    #[cfg(feature = "nats")]
                    Backend::Nats(_) => "nats",
                },
            },
        }
    }
}
