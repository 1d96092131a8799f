//! What a node observes of itself and its cluster, and the metrics made of it: the one source
//! of the monitoring endpoint (`monitor`) and of the `metrics` facade (`metrics_export`).
//!
//! Owns: the [`Observation`] the emitter actor answers [`Observe`] with (the core's report, the
//! counters, the patterns listened to here, the recent notices, the settings that matter), the
//! bounded log of notices it keeps, and the metric families ([`families`]) with their names,
//! kinds and labels. It must not serve anything nor talk to a recorder: the endpoint and the
//! exporter show what it makes; nor decide anything of the protocol.

use crate::membership::hex;
use crate::protocol::report::NodeReport;
use crate::stats::{EvictionReason, StatsSnapshot};
use crate::{DistributedEvent, Role};
use actix::Message;
use serde::Serialize;
use std::collections::VecDeque;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The most notices kept for the timeline: the oldest go first.
const NOTICES_KEPT: usize = 256;

/// Asks the emitter actor for an [`Observation`] of its node.
#[derive(Message)]
#[rtype(result = "Observation")]
pub(crate) struct Observe;

/// One node and its cluster at one moment, as `/status` shows it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Observation {
    /// This node.
    pub(crate) node: NodeView,
    /// The hub as this node knows it (`None`: electing, or not known yet).
    pub(crate) hub: Option<HubView>,
    /// Every other node this node knows of, by node id.
    pub(crate) members: Vec<MemberView>,
    /// The patterns listened to on this node.
    pub(crate) patterns: Vec<PatternView>,
    /// The node's counters.
    pub(crate) stats: StatsSnapshot,
    /// Gauges of the moment.
    pub(crate) now: Gauges,
    /// The latest notices this node's listeners were told, oldest first.
    pub(crate) notices: Vec<NoticeView>,
    /// The settings that matter to whoever reads the rest.
    pub(crate) settings: SettingsView,
}

/// This node, in an [`Observation`].
#[derive(Debug, Clone, Serialize)]
pub(crate) struct NodeView {
    /// Its node id, 16 hex digits.
    pub(crate) id: String,
    /// Its service name.
    pub(crate) service: String,
    /// Its role now.
    pub(crate) role: Role,
    /// The election epoch it knows of.
    pub(crate) epoch: u64,
    /// The candidate address it is linked on (`None`: not linked).
    pub(crate) address: Option<String>,
    /// Since when its current link is up, in milliseconds since the Unix epoch.
    pub(crate) connected_since_ms: Option<u64>,
}

/// The hub, in an [`Observation`].
#[derive(Debug, Clone, Serialize)]
pub(crate) struct HubView {
    /// Its node id, 16 hex digits.
    pub(crate) id: String,
    /// Its service name, when known.
    pub(crate) service: Option<String>,
    /// Whether it is this node.
    pub(crate) this_node: bool,
}

/// Another node, in an [`Observation`].
#[derive(Debug, Clone, Serialize)]
pub(crate) struct MemberView {
    /// Its node id, 16 hex digits.
    pub(crate) id: String,
    /// Its service name.
    pub(crate) service: String,
    /// What it said it is in its last hello.
    pub(crate) role: Role,
    /// Since when this node knows it, in milliseconds since the Unix epoch.
    pub(crate) connected_since_ms: u64,
    /// How long ago this node last heard from it, in milliseconds.
    pub(crate) heard_ms_ago: u64,
    /// How many patterns it listens to, as announced (`None`: not announced).
    pub(crate) interest_patterns: Option<usize>,
    /// What it lacks of what the hub relayed: only on the hub.
    pub(crate) lag: Option<LagView>,
    /// Its own frames the hub relayed that some member does not hold yet (out of the `window`
    /// setting): only on the hub.
    pub(crate) window_frames: Option<u64>,
}

/// What a member lacks, as the hub sees it.
#[derive(Debug, Clone, Copy, Serialize)]
pub(crate) struct LagView {
    /// Frames relayed since it connected that it has not acknowledged.
    pub(crate) frames: u64,
    /// Their bytes.
    pub(crate) bytes: u64,
    /// How long the oldest of them has waited, in milliseconds (`None`: it holds them all).
    pub(crate) oldest_unacknowledged_ms: Option<u64>,
}

/// A pattern listened to here, in an [`Observation`].
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PatternView {
    /// The pattern, as listened to.
    pub(crate) pattern: String,
    /// Its listeners on this node.
    pub(crate) listeners: u32,
    /// Events it matched here since its first listener came.
    pub(crate) events: u64,
}

/// Gauges of the moment, in an [`Observation`].
#[derive(Debug, Clone, Copy, Serialize)]
pub(crate) struct Gauges {
    /// Whether the node is linked and knows its hub (over NATS, connected): what `/healthz`
    /// answers.
    pub(crate) healthy: bool,
    /// Flushes waiting for members to hold what was emitted before them.
    pub(crate) flushes_waiting: usize,
    /// Bytes of emitted events not yet held by every member.
    pub(crate) pending_bytes: usize,
    /// What the node lets wait now before `emit` refuses (it follows the delay target).
    pub(crate) pending_limit_bytes: usize,
    /// The wall clock of this observation, in milliseconds since the Unix epoch.
    pub(crate) at_ms: u64,
}

/// A notice this node's listeners were told, in an [`Observation`].
#[derive(Debug, Clone, Serialize)]
pub(crate) struct NoticeView {
    /// When it was told, in milliseconds since the Unix epoch.
    pub(crate) at_ms: u64,
    /// Its reserved topic (`$peer.joined`, `$peer.left`, `$hub.changed`, `$lagged`).
    pub(crate) topic: String,
    /// What it said.
    pub(crate) data: serde_json::Value,
}

/// The settings that matter to a reader of an [`Observation`].
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SettingsView {
    /// The candidate addresses, most preferred first.
    pub(crate) candidates: Vec<String>,
    /// `window`: a sender's frames not yet held by every member, at most.
    pub(crate) window: usize,
    /// `batch_bytes`.
    pub(crate) batch_bytes: usize,
    /// `max_pending_bytes`.
    pub(crate) max_pending_bytes: usize,
    /// `max_frame_size`.
    pub(crate) max_frame_size: usize,
    /// The liveness interval, in milliseconds.
    pub(crate) liveness_ms: u64,
    /// The eviction delay in milliseconds (`None`: slow consumers are waited for).
    pub(crate) evict_after_ms: Option<u64>,
    /// The election timeout, in milliseconds.
    pub(crate) election_timeout_ms: u64,
    /// Whether events go only to nodes that listen to them.
    pub(crate) interest_routing: bool,
    /// Whether this node's own listeners receive its events.
    pub(crate) local_echo: bool,
    /// Whether connections must prove the cluster secret.
    pub(crate) secret: bool,
    /// The backend: `nng` (the embedded hub) or `nats`.
    pub(crate) backend: &'static str,
}

/// The latest notices told to this node's listeners, at most [`NOTICES_KEPT`].
#[derive(Debug, Default)]
pub(crate) struct Notices {
    /// Oldest first.
    kept: VecDeque<NoticeView>,
}

impl Notices {
    /// Keeps `event` if it is a notice (a reserved topic).
    pub(crate) fn record(&mut self, event: &DistributedEvent) {
        if !crate::topic::is_reserved(event.topic()) {
            return;
        }
        if self.kept.len() == NOTICES_KEPT {
            self.kept.pop_front();
        }
        let notice = NoticeView {
            at_ms: unix_ms(SystemTime::now()),
            topic: event.topic().to_owned(),
            data: event.to_json(),
        };
        self.kept.push_back(notice);
    }

    /// The notices kept, oldest first.
    pub(crate) fn all(&self) -> Vec<NoticeView> {
        self.kept.iter().cloned().collect()
    }
}

/// Milliseconds since the Unix epoch of `at` (0 before it).
pub(crate) fn unix_ms(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH).map_or(0, |since| since.as_millis() as u64)
}

/// When something that began `ago` before now began, in milliseconds since the Unix epoch.
pub(crate) fn unix_ms_ago(ago: Duration) -> u64 {
    unix_ms(SystemTime::now().checked_sub(ago).unwrap_or(UNIX_EPOCH))
}

/// The members of `report`, as an [`Observation`] shows them.
pub(crate) fn members(report: &NodeReport) -> Vec<MemberView> {
    report
        .members
        .iter()
        .map(|member| MemberView {
            id: hex(member.node),
            service: member.service.clone(),
            role: member.role,
            connected_since_ms: unix_ms_ago(member.known_for),
            heard_ms_ago: member.heard_ago.as_millis() as u64,
            interest_patterns: member.patterns,
            lag: member.progress.map(|progress| LagView {
                frames: progress.behind_frames,
                bytes: progress.behind_bytes,
                oldest_unacknowledged_ms: progress
                    .oldest_unacknowledged
                    .map(|waited| waited.as_millis() as u64),
            }),
            window_frames: member.progress.map(|progress| progress.in_window),
        })
        .collect()
}

/// Whether a metric counts up or goes up and down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Only goes up (`_total`).
    Counter,
    /// Goes up and down.
    Gauge,
}

/// One metric: its name, what it means, its kind, and its samples by labels.
#[derive(Debug, Clone)]
pub(crate) struct Family {
    /// Its name, `nanomitter_...`.
    pub(crate) name: &'static str,
    /// What it means, one line.
    pub(crate) help: &'static str,
    /// Counter or gauge.
    pub(crate) kind: Kind,
    /// Its samples: each with its labels (name, value) and its value.
    pub(crate) samples: Vec<(Vec<(&'static str, String)>, f64)>,
}

impl Family {
    /// A family of one sample without labels.
    fn single(name: &'static str, help: &'static str, kind: Kind, value: f64) -> Family {
        Family { name, help, kind, samples: vec![(Vec::new(), value)] }
    }
}

/// The counters of [`StatsSnapshot`] published one for one: metric name, help, field.
type CounterOf = (&'static str, &'static str, fn(&StatsSnapshot) -> u64);

/// Every counter of the node but the evictions (one family with a reason label).
const COUNTERS: [CounterOf; 29] = [
    ("nanomitter_events_emitted_total", "Events accepted by emit on this node.", |s| s.emitted),
    ("nanomitter_events_received_total", "Events that arrived from other nodes.", |s| {
        s.events_received
    }),
    ("nanomitter_deliveries_total", "Event deliveries to local listeners.", |s| s.delivered),
    ("nanomitter_frames_sent_total", "Frames this node sent of its own.", |s| s.frames_sent),
    ("nanomitter_frames_received_total", "Frames this node received.", |s| s.frames_received),
    ("nanomitter_bytes_sent_total", "Bytes of the frames this node sent of its own.", |s| {
        s.bytes_sent
    }),
    ("nanomitter_bytes_received_total", "Bytes of the frames this node received.", |s| {
        s.bytes_received
    }),
    ("nanomitter_relayed_frames_total", "Frames this node relayed as the hub.", |s| s.relayed),
    ("nanomitter_relayed_bytes_total", "Bytes this node relayed as the hub.", |s| s.relayed_bytes),
    (
        "nanomitter_suppressed_events_total",
        "Events not sent: no other node listens to them.",
        |s| s.suppressed,
    ),
    (
        "nanomitter_filtered_events_total",
        "Events the hub left out: no other client listens to them.",
        |s| s.filtered,
    ),
    ("nanomitter_lost_events_total", "Events lost for good, told on $lagged.", |s| s.gaps),
    ("nanomitter_lagged_notices_total", "$lagged notices told to this node's listeners.", |s| {
        s.lagged_notices
    }),
    ("nanomitter_nacks_total", "Requests this node sent to re-send missing events.", |s| s.nacks),
    ("nanomitter_resent_frames_total", "Frames this node sent again.", |s| s.resent),
    ("nanomitter_overflows_total", "Emits refused with Overflow.", |s| s.overflows),
    ("nanomitter_duplicates_total", "Events dropped as already seen.", |s| s.duplicates),
    ("nanomitter_malformed_frames_total", "Frames dropped as malformed.", |s| s.malformed),
    (
        "nanomitter_dropped_events_total",
        "Events dropped before sending: larger than a frame.",
        |s| s.dropped,
    ),
    ("nanomitter_elections_total", "Elections this node ran.", |s| s.elections),
    ("nanomitter_hub_changes_total", "Times this node learned of a new hub.", |s| s.hub_changes),
    ("nanomitter_refused_total", "Connections refused: secret, tag, size or origin.", |s| {
        s.refused
    }),
    ("nanomitter_impersonations_total", "Frames a member sent in another's name, dropped.", |s| {
        s.impersonations
    }),
    (
        "nanomitter_forbidden_total",
        "Events frames refused from a scoped member: a topic it may not publish on.",
        |s| s.forbidden,
    ),
    (
        "nanomitter_throttled_total",
        "Frames dropped for coming faster than the protocol sends.",
        |s| s.throttled,
    ),
    ("nanomitter_over_budget_total", "Claims refused or narrowed past a budget.", |s| {
        s.over_budget
    }),
    ("nanomitter_flush_waits_total", "Flushes that waited for members.", |s| s.flush_waits),
    (
        "nanomitter_past_window_frames_total",
        "Frames sent past a window that did not move for 100 ms.",
        |s| s.past_window,
    ),
    ("nanomitter_not_stored_total", "Events the NATS backend gave up on.", |s| s.not_stored),
];

/// Every metric of `observation`. Labels are bounded: `reason` by the four eviction reasons,
/// `pattern` by the patterns listened to on this node (its interest budget: 4,096), `member`
/// by the hub's clients (4,096); never a topic.
pub(crate) fn families(observation: &Observation) -> Vec<Family> {
    let stats = &observation.stats;
    let mut families: Vec<Family> = COUNTERS
        .iter()
        .map(|(name, help, of)| Family::single(name, help, Kind::Counter, of(stats) as f64))
        .collect();
    families.push(Family {
        name: "nanomitter_evictions_total",
        help: "Clients the hub cut off, by reason.",
        kind: Kind::Counter,
        samples: EvictionReason::ALL
            .iter()
            .map(|reason| (vec![("reason", reason.name().to_owned())], reason.count(stats) as f64))
            .collect(),
    });
    let node = &observation.node;
    families.push(Family {
        name: "nanomitter_node_info",
        help: "This node: its id, service and role (always 1).",
        kind: Kind::Gauge,
        samples: vec![(
            vec![
                ("node", node.id.clone()),
                ("service", node.service.clone()),
                ("role", format!("{:?}", node.role).to_lowercase()),
            ],
            1.0,
        )],
    });
    let gauges = &observation.now;
    let flag = |on: bool| if on { 1.0 } else { 0.0 };
    families.extend([
        Family::single(
            "nanomitter_healthy",
            "1 while linked with a known hub.",
            Kind::Gauge,
            flag(gauges.healthy),
        ),
        Family::single(
            "nanomitter_is_hub",
            "1 while this node is the hub.",
            Kind::Gauge,
            flag(node.role == Role::Hub),
        ),
        Family::single(
            "nanomitter_epoch",
            "The election epoch this node knows of.",
            Kind::Gauge,
            node.epoch as f64,
        ),
        Family::single(
            "nanomitter_members",
            "Other nodes this node knows of.",
            Kind::Gauge,
            observation.members.len() as f64,
        ),
        Family::single(
            "nanomitter_flushes_waiting",
            "Flushes waiting for members to hold what they wait for.",
            Kind::Gauge,
            gauges.flushes_waiting as f64,
        ),
        Family::single(
            "nanomitter_pending_bytes",
            "Bytes of emitted events not yet held by every member.",
            Kind::Gauge,
            gauges.pending_bytes as f64,
        ),
        Family::single(
            "nanomitter_pending_limit_bytes",
            "Bytes the node lets wait before emit refuses.",
            Kind::Gauge,
            gauges.pending_limit_bytes as f64,
        ),
        Family::single(
            "nanomitter_window_frames",
            "The window setting: a sender's frames not yet held by every member, at most.",
            Kind::Gauge,
            observation.settings.window as f64,
        ),
    ]);
    let by_pattern = |value: fn(&PatternView) -> f64| {
        observation
            .patterns
            .iter()
            .map(|p| (vec![("pattern", p.pattern.clone())], value(p)))
            .collect::<Vec<_>>()
    };
    families.push(Family {
        name: "nanomitter_pattern_events_total",
        help: "Events matched by each pattern listened to on this node.",
        kind: Kind::Counter,
        samples: by_pattern(|p| p.events as f64),
    });
    families.push(Family {
        name: "nanomitter_pattern_listeners",
        help: "Listeners of each pattern on this node.",
        kind: Kind::Gauge,
        samples: by_pattern(|p| f64::from(p.listeners)),
    });
    families.extend(member_families(&observation.members));
    families
}

/// The hub's view of each member: lag and window (members it has no view of are left out).
fn member_families(members: &[MemberView]) -> Vec<Family> {
    let labels = |m: &MemberView| vec![("member", m.id.clone()), ("service", m.service.clone())];
    let family = |name, help, value: fn(&MemberView) -> Option<f64>| Family {
        name,
        help,
        kind: Kind::Gauge,
        samples: members.iter().filter_map(|m| Some((labels(m), value(m)?))).collect(),
    };
    vec![
        family(
            "nanomitter_member_lag_frames",
            "Frames relayed to a member it has not acknowledged (on the hub).",
            |m| m.lag.map(|lag| lag.frames as f64),
        ),
        family(
            "nanomitter_member_lag_bytes",
            "Bytes relayed to a member it has not acknowledged (on the hub).",
            |m| m.lag.map(|lag| lag.bytes as f64),
        ),
        family(
            "nanomitter_member_oldest_unacknowledged_seconds",
            "How long a member's oldest unacknowledged frame has waited (on the hub).",
            |m| m.lag.map(|lag| lag.oldest_unacknowledged_ms.unwrap_or(0) as f64 / 1000.0),
        ),
        family(
            "nanomitter_member_window_frames",
            "A member's frames relayed and not yet held by every other member (on the hub).",
            |m| m.window_frames.map(|frames| frames as f64),
        ),
        family("nanomitter_member_interest_patterns", "Patterns a member announced.", |m| {
            m.interest_patterns.map(|n| n as f64)
        }),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn observation(patterns: usize, members: usize) -> Observation {
        let member = |i: usize| MemberView {
            id: hex(i as u64),
            service: "worker".to_owned(),
            role: Role::Client,
            connected_since_ms: 0,
            heard_ms_ago: 0,
            interest_patterns: Some(1),
            lag: Some(LagView { frames: 1, bytes: 2, oldest_unacknowledged_ms: None }),
            window_frames: Some(0),
        };
        Observation {
            node: NodeView {
                id: hex(1),
                service: "hub".to_owned(),
                role: Role::Hub,
                epoch: 1,
                address: None,
                connected_since_ms: None,
            },
            hub: None,
            members: (0..members).map(member).collect(),
            patterns: (0..patterns)
                .map(|i| PatternView { pattern: format!("p{i}.*"), listeners: 1, events: 3 })
                .collect(),
            stats: StatsSnapshot::default(),
            now: Gauges {
                healthy: false,
                flushes_waiting: 0,
                pending_bytes: 0,
                pending_limit_bytes: 0,
                at_ms: 0,
            },
            notices: Vec::new(),
            settings: SettingsView {
                candidates: Vec::new(),
                window: 8,
                batch_bytes: 0,
                max_pending_bytes: 0,
                max_frame_size: 0,
                liveness_ms: 0,
                evict_after_ms: None,
                election_timeout_ms: 0,
                interest_routing: true,
                local_echo: true,
                secret: false,
                backend: "nng",
            },
        }
    }

    #[test]
    fn names_are_unique_counters_end_in_total_and_series_grow_only_with_patterns_and_members() {
        let every = families(&observation(0, 0));
        let mut names: Vec<&str> = every.iter().map(|f| f.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), every.len(), "a name used twice");
        for family in &every {
            assert_eq!(
                family.kind == Kind::Counter,
                family.name.ends_with("_total"),
                "{}",
                family.name
            );
        }
        let series = |o: &Observation| families(o).iter().map(|f| f.samples.len()).sum::<usize>();
        let fixed = series(&observation(0, 0));
        assert_eq!(fixed, 42, "the series every node has");
        assert_eq!(series(&observation(3, 0)), fixed + 2 * 3, "two per pattern");
        assert_eq!(series(&observation(0, 4)), fixed + 5 * 4, "five per member");
    }
}
