//! The Prometheus text exposition format (version 0.0.4) of the node's metric families.
//!
//! Owns: writing families as `# HELP`, `# TYPE` and sample lines, with label values escaped. It
//! must not choose the metrics (the observe module does).

use crate::observe::{Family, Kind};
use std::fmt::Write;

/// The content type of the format.
pub(super) const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The families in the text format; a family without samples is left out.
pub(super) fn render(families: &[Family]) -> String {
    let mut text = String::new();
    for family in families.iter().filter(|family| !family.samples.is_empty()) {
        let kind = match family.kind {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
        };
        let _ = writeln!(text, "# HELP {} {}", family.name, escape_help(family.help));
        let _ = writeln!(text, "# TYPE {} {kind}", family.name);
        for (labels, value) in &family.samples {
            text.push_str(family.name);
            if !labels.is_empty() {
                let labels: Vec<String> = labels
                    .iter()
                    .map(|(name, value)| format!("{name}=\"{}\"", escape_label(value)))
                    .collect();
                let _ = write!(text, "{{{}}}", labels.join(","));
            }
            let _ = writeln!(text, " {value}");
        }
    }
    text
}

/// A label value with `\`, `"` and line feeds escaped.
fn escape_label(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// A help text with `\` and line feeds escaped.
fn escape_help(help: &str) -> String {
    help.replace('\\', "\\\\").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped_and_empty_families_left_out() {
        let families = [
            Family {
                name: "nanomitter_pattern_events_total",
                help: "Events matched.",
                kind: Kind::Counter,
                samples: vec![(vec![("pattern", "a\"b\\c".to_owned())], 3.0)],
            },
            Family {
                name: "nanomitter_none",
                help: "Nothing.",
                kind: Kind::Gauge,
                samples: vec![],
            },
        ];
        assert_eq!(
            render(&families),
            "# HELP nanomitter_pattern_events_total Events matched.\n\
             # TYPE nanomitter_pattern_events_total counter\n\
             nanomitter_pattern_events_total{pattern=\"a\\\"b\\\\c\"} 3\n"
        );
    }
}
