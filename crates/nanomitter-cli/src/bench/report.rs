//! The bench's report: one row per system, scenario and size, and the ratios against the
//! baselines of the same run.
//!
//! Owns: summarising what a run measured (goodput: unique events delivered per receiver divided
//! by the time from the first emit to the last delivery at any receiver; loss and duplicates
//! against what every receiver was owed; latency percentiles of the receivers' merged
//! histograms; CPU and peak RSS per role, and the hub's CPU per event; the hub of NATS is its
//! servers, a cluster's summed), the ratios of nanomitter (over either backend) to the baselines
//! it is compared with, and printing them as a table or JSON. It must not run anything.

use super::tally::{histogram, merge};
use super::usage::Usage;
use super::{BenchArgs, Measured, Scenario, System};
use serde::Serialize;

/// Latency percentiles from the `emit` call to the listener, microseconds.
#[derive(Serialize, Clone, Copy, Default)]
pub struct Latency {
    /// The median. A baseline's is what the ratios divide nanomitter's p50 and p99 by.
    pub p50: u64,
    /// The 99th percentile: nanomitter's is meant to stay within twice a baseline's p50.
    pub p99: u64,
    /// The 99.9th percentile, shown in the table.
    pub p999: u64,
    /// The longest latency recorded (an hour or more counts as an hour).
    pub max: u64,
}

/// What the processes of one role used: CPU summed, peak RSS the largest of any and summed.
#[derive(Serialize, Clone, Copy, Default)]
pub struct RoleUsage {
    /// How many processes had the role in the run (the hub: one, or each `nats-server` of a
    /// NATS cluster).
    pub processes: usize,
    /// User plus system CPU seconds, summed over them.
    pub cpu_seconds: f64,
    /// The largest peak resident set among them, MiB: one process's, not a sum.
    pub peak_rss_mib: f64,
    /// Their peak resident sets added up, MiB: what the table shows for the hub, so that a
    /// NATS cluster's hub is its three servers together.
    pub summed_peak_rss_mib: f64,
}

impl RoleUsage {
    fn of(usages: &[Usage]) -> RoleUsage {
        let mib = |kib: u64| kib as f64 / 1024.0;
        RoleUsage {
            processes: usages.len(),
            cpu_seconds: usages.iter().map(|u| u.cpu_seconds).sum(),
            peak_rss_mib: mib(usages.iter().map(|u| u.peak_rss_kib).max().unwrap_or(0)),
            summed_peak_rss_mib: mib(usages.iter().map(|u| u.peak_rss_kib).sum()),
        }
    }
}

#[derive(Serialize, Clone)]
pub struct Row {
    /// The system that carried the events: nanomitter or a baseline.
    pub system: System,
    /// The scenario: how many producers and consumers, and whether at a fixed rate.
    pub scenario: Scenario,
    /// Payload bytes per event (`--size`), the send time included.
    pub size: usize,
    /// Producer processes, each of which reported what it emitted.
    pub producers: usize,
    /// Consumer processes: each is owed every event emitted, so `lost` counts against `emitted`
    /// times this.
    pub consumers: usize,
    /// Events per second per producer; 0 is flat out.
    pub rate: u64,
    /// Events emitted, summed over the producers.
    pub emitted: u64,
    /// Distinct events delivered, over every receiver.
    pub delivered: u64,
    /// Events owed to receivers and never delivered.
    pub lost: u64,
    /// Events the receivers were told (on `$lagged`) they will never get, summed: nanomitter's
    /// own account of its losses (core NATS must tell of every one). The baselines tell nothing.
    pub lost_told: u64,
    /// Deliveries of an event its receiver already had, summed over the receivers.
    pub duplicates: u64,
    /// From the first emit to the last delivery at any receiver.
    pub seconds: f64,
    /// Distinct events delivered per receiver per second of `seconds`.
    pub goodput_per_receiver: f64,
    /// Latency percentiles of all the receivers' histograms merged.
    pub latency_us: Latency,
    /// What the hub used: the relaying node of nanomitter or raw NNG, or the `nats-server`s
    /// (CPU summed over a cluster's servers).
    pub hub: RoleUsage,
    /// The hub's CPU time per event emitted, microseconds (a NATS cluster's: its servers').
    pub hub_cpu_us_per_event: f64,
    /// What the producer processes used.
    pub producer: RoleUsage,
    /// What the consumer processes used.
    pub consumer: RoleUsage,
}

impl Row {
    fn new(run: &Measured) -> Row {
        let (producers, consumers) = (run.produced.len(), run.received.len());
        let emitted: u64 = run.produced.iter().map(|p| p.emitted).sum();
        let delivered: u64 = run.received.iter().map(|r| r.unique).sum();
        let first_emit = run.produced.iter().map(|p| p.first_ns).filter(|t| *t > 0).min();
        let last_delivery = run.received.iter().map(|r| r.last_ns).max();
        let seconds = match (first_emit, last_delivery) {
            (Some(first), Some(last)) if last > first => (last - first) as f64 / 1e9,
            _ => 0.0,
        };
        let mut latency = histogram();
        for received in &run.received {
            merge(&mut latency, &received.latency_us);
        }
        let at = |q: f64| if latency.is_empty() { 0 } else { latency.value_at_quantile(q) };
        let hub = RoleUsage::of(&run.hub);
        Row {
            system: run.system,
            scenario: run.scenario,
            size: run.size,
            producers,
            consumers,
            rate: run.rate,
            emitted,
            delivered,
            lost: (emitted * consumers as u64).saturating_sub(delivered),
            lost_told: run.received.iter().map(|r| r.told_missed).sum(),
            duplicates: run.received.iter().map(|r| r.duplicates).sum(),
            seconds,
            goodput_per_receiver: if seconds > 0.0 {
                delivered as f64 / consumers.max(1) as f64 / seconds
            } else {
                0.0
            },
            latency_us: Latency {
                p50: at(0.5),
                p99: at(0.99),
                p999: at(0.999),
                max: latency.max(),
            },
            hub,
            hub_cpu_us_per_event: hub.cpu_seconds * 1e6 / emitted.max(1) as f64,
            producer: RoleUsage::of(&run.producers),
            consumer: RoleUsage::of(&run.consumers),
        }
    }
}

/// Nanomitter (over one backend) against one baseline in one scenario and size: nanomitter with
/// its hub against every baseline, over NATS against raw NATS.
#[derive(Serialize)]
pub struct Ratio {
    /// The scenario both rows ran.
    pub scenario: Scenario,
    /// The payload size both rows ran.
    pub size: usize,
    /// The nanomitter system compared: with its hub, or over NATS.
    pub system: System,
    /// The baseline it is compared with.
    pub against: System,
    /// Nanomitter's goodput per receiver over the baseline's.
    pub goodput: f64,
    /// Nanomitter's latency percentiles over the baseline's median (p99 too, so the target
    /// "p99 within twice their p50" reads off directly).
    pub p50_over_their_p50: f64,
    /// Nanomitter's p99 over the baseline's p50: at most 2 meets the target.
    pub p99_over_their_p50: f64,
}

#[derive(Serialize)]
pub struct Report {
    /// The command line that produced it.
    pub command: String,
    /// Logical CPUs of the machine it ran on.
    pub cpus: usize,
    /// `--seconds`: how long each producer emitted.
    pub seconds: f64,
    /// One per system, scenario and size, in the order they ran: by scenario, then size, then
    /// system.
    pub rows: Vec<Row>,
    /// Each nanomitter row against the rows of the same scenario and size of the baselines it
    /// is compared with.
    pub ratios: Vec<Ratio>,
    /// What the run left out and why (a baseline it could not run), printed under the table.
    pub notes: Vec<String>,
}

impl Report {
    pub fn new(runs: &[Measured], args: &BenchArgs, notes: Vec<String>) -> Report {
        let rows: Vec<Row> = runs.iter().map(Row::new).collect();
        let ratios = rows
            .iter()
            .flat_map(|ours| {
                rows.iter()
                    .filter(|b| ours.system.compared_with().contains(&b.system))
                    .filter(|b| b.scenario == ours.scenario && b.size == ours.size)
                    .map(|theirs| Ratio {
                        scenario: ours.scenario,
                        size: ours.size,
                        system: ours.system,
                        against: theirs.system,
                        goodput: ours.goodput_per_receiver / theirs.goodput_per_receiver.max(1e-9),
                        p50_over_their_p50: ours.latency_us.p50 as f64
                            / theirs.latency_us.p50.max(1) as f64,
                        p99_over_their_p50: ours.latency_us.p99 as f64
                            / theirs.latency_us.p50.max(1) as f64,
                    })
            })
            .collect();
        Report {
            command: std::env::args().collect::<Vec<_>>().join(" "),
            cpus: std::thread::available_parallelism().map_or(0, usize::from),
            seconds: args.seconds,
            rows,
            ratios,
            notes,
        }
    }

    pub fn print_table(&self) {
        println!(
            "\n{:<14} {:>5} {:<23} {:>11} {:>9} {:>9} {:>5} {:>8} {:>8} {:>8} {:>9} {:>8} {:>8} {:>8}",
            "scenario",
            "size",
            "system",
            "goodput/rx",
            "lost",
            "told",
            "dup",
            "p50",
            "p99",
            "p99.9",
            "hub µs/ev",
            "hub MiB",
            "prod MiB",
            "cons MiB",
        );
        for row in &self.rows {
            println!(
                "{:<14} {:>5} {:<23} {:>11.0} {:>9} {:>9} {:>5} {:>8} {:>8} {:>8} {:>9.2} {:>8.0} {:>8.0} {:>8.0}",
                row.scenario.name(),
                row.size,
                row.system.name(),
                row.goodput_per_receiver,
                row.lost,
                row.lost_told,
                row.duplicates,
                readable(row.latency_us.p50),
                readable(row.latency_us.p99),
                readable(row.latency_us.p999),
                row.hub_cpu_us_per_event,
                row.hub.summed_peak_rss_mib,
                row.producer.peak_rss_mib,
                row.consumer.peak_rss_mib,
            );
        }
        if !self.ratios.is_empty() {
            println!("\nnanomitter / baseline: goodput per receiver; p50 and p99 over their p50");
            for ratio in &self.ratios {
                println!(
                    "  {:<14} {:>5} B  {:<23} vs {:<8} {:>6.2}x  {:>6.2}x  {:>6.2}x",
                    ratio.scenario.name(),
                    ratio.size,
                    ratio.system.name(),
                    ratio.against.name(),
                    ratio.goodput,
                    ratio.p50_over_their_p50,
                    ratio.p99_over_their_p50,
                );
            }
        }
        for note in &self.notes {
            println!("\nnote: {note}");
        }
        println!("\ngoodput: unique events per receiver / (last delivery - first emit); CPU per role in --json.");
        println!("told: of the lost, those nanomitter told its listeners of on $lagged (baselines tell nothing).");
        println!("hub: the relaying node, or the nats-server (-r3: its three servers' CPU and peak RSS summed).");
    }
}

/// A one-line summary of a run, printed as the bench goes.
pub fn progress_line(run: &Measured) -> String {
    let row = Row::new(run);
    format!(
        "{:<23} {:<14} {:>6} B  {:>10.0} events/s per receiver  lost {}  p50 {}",
        row.system.name(),
        row.scenario.name(),
        row.size,
        row.goodput_per_receiver,
        row.lost,
        readable(row.latency_us.p50)
    )
}

/// A latency in microseconds, in the unit that reads best: `840 µs`, `4.2 ms`, `2437 ms`,
/// `14.1 s` (milliseconds up to 10 s).
fn readable(us: u64) -> String {
    match us {
        0..1_000 => format!("{us} µs"),
        1_000..10_000 => format!("{:.1} ms", us as f64 / 1e3),
        10_000..10_000_000 => format!("{} ms", us / 1_000),
        _ => format!("{:.1} s", us as f64 / 1e6),
    }
}

#[cfg(test)]
mod tests {
    use super::readable;

    #[test]
    fn latencies_read_in_the_unit_that_fits() {
        assert_eq!(readable(840), "840 µs");
        assert_eq!(readable(4_210), "4.2 ms");
        assert_eq!(readable(506_123), "506 ms");
        assert_eq!(readable(2_437_000), "2437 ms");
        assert_eq!(readable(14_148_000), "14.1 s");
    }
}
