//! The node's metrics through the `metrics` facade (cargo feature `metrics`): an application
//! exports them with whatever recorder it installed (Prometheus, StatsD, OpenTelemetry...).
//!
//! Owns: handing each metric family of an observation to the facade, counters as absolute
//! values and gauges as set values, under the monitoring endpoint's names and labels, and a
//! `node` label on every one. It must
//! not choose the metrics (the observe module does) nor decide when they go (the emitter runs it
//! every `metrics_every`).

use crate::observe::{Family, Kind};
use metrics::Label;

/// Hands every sample of `families` to the installed recorder (none installed: nothing happens),
/// each labelled with `node` (16 hex digits): one process may run several nodes, and a recorder
/// is global.
pub(crate) fn publish(families: &[Family], node: &str) {
    for family in families {
        match family.kind {
            Kind::Counter => metrics::describe_counter!(family.name, family.help),
            Kind::Gauge => metrics::describe_gauge!(family.name, family.help),
        }
        for (labels, value) in &family.samples {
            let mut labels: Vec<Label> =
                labels.iter().map(|(name, value)| Label::new(*name, value.clone())).collect();
            if !labels.iter().any(|label| label.key() == "node") {
                labels.push(Label::new("node", node.to_owned()));
            }
            match family.kind {
                // Counters are whole numbers of events, frames or bytes, kept as f64 by the
                // families for the text format.
                Kind::Counter => metrics::counter!(family.name, labels).absolute(*value as u64),
                Kind::Gauge => metrics::gauge!(family.name, labels).set(*value),
            }
        }
    }
}
