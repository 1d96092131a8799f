//! Several candidate hub addresses (127.0.0.1 and 127.0.0.2 stand in for two machines): the
//! cluster lands on the most preferred candidate that can be had, comes back to it when it is
//! free again, and a hub that was frozen and wakes up stale is fenced off by the election epoch.

use crate::common;

use common::{assert_received_all, load_node, role_now, stop_and_report, wait_until, Process};
use std::time::Duration;

/// A free port on `host`.
fn free_address_on(host: &str) -> String {
    let listener = std::net::TcpListener::bind((host, 0)).expect("bind an ephemeral port");
    format!("tcp://{host}:{}", listener.local_addr().unwrap().port())
}

/// Candidates are tried for 0.4 s each (the nodes' liveness beat is 0.2 s).
const FAST: [&str; 2] = ["--election-timeout", "0.4"];

/// Waits until every node is linked on `address`, exactly one of them as the hub.
fn wait_converged(nodes: &[&Process], address: &str) {
    wait_until(&format!("the cluster to settle on {address}"), || {
        let roles: Vec<_> = nodes.iter().map(|n| role_now(n)).collect();
        let on_address =
            roles.iter().all(|r| r.as_ref().is_some_and(|(_, on)| on.as_deref() == Some(address)));
        let hubs =
            roles.iter().filter(|r| r.as_ref().is_some_and(|(role, _)| role == "Hub")).count();
        (on_address && hubs == 1).then_some(())
    });
}

#[test]
fn the_cluster_moves_back_to_the_preferred_candidate_without_losing_events() {
    // A stranger holds the preferred address: it accepts TCP but speaks no SP.
    let stranger = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let preferred = format!("tcp://127.0.0.1:{}", stranger.local_addr().unwrap().port());
    let fallback = free_address_on("127.0.0.2");
    let candidates = format!("{preferred},{fallback}");
    let nodes: Vec<Process> =
        (0..3).map(|i| load_node(&format!("n{i}"), &candidates, 500, &FAST)).collect();
    let refs: Vec<&Process> = nodes.iter().collect();
    wait_converged(&refs, &fallback);

    drop(stranger);
    wait_converged(&refs, &preferred);

    std::thread::sleep(Duration::from_millis(300));
    let mut nodes = nodes;
    let reports = stop_and_report(&mut nodes);
    // Shown only if an assertion below fails.
    for (node, report) in nodes.iter().zip(&reports) {
        eprintln!("{}: {report}\n{}", node.name, node.stderr().join("\n"));
    }
    for (r, receiver) in reports.iter().enumerate() {
        assert_eq!(receiver["lagged"], 0);
        for (s, sender) in reports.iter().enumerate() {
            assert_received_all(receiver, sender, r <= s);
        }
    }
}

#[test]
fn a_frozen_hub_that_wakes_up_stale_is_fenced_and_nothing_is_lost() {
    let preferred = free_address_on("127.0.0.1");
    let fallback = free_address_on("127.0.0.2");
    let candidates = format!("{preferred},{fallback}");
    let mut nodes: Vec<Process> =
        (0..3).map(|i| load_node(&format!("n{i}"), &candidates, 500, &FAST)).collect();
    {
        let refs: Vec<&Process> = nodes.iter().collect();
        wait_converged(&refs, &preferred);
    }

    // Freeze the hub: it keeps its address but answers nothing, like a partitioned machine.
    nodes[0].signal("STOP");
    wait_until("a survivor to take over on the fallback address", || {
        nodes[1..]
            .iter()
            .any(|n| {
                role_now(n)
                    .is_some_and(|(role, on)| role == "Hub" && on.as_deref() == Some(&fallback))
            })
            .then_some(())
    });
    std::thread::sleep(Duration::from_millis(300));

    // It wakes up believing it is still the hub of its (older) election.
    nodes[0].signal("CONT");
    let fenced = common::poll_until(common::DEADLINE, || {
        nodes[0].stderr().iter().any(|line| line.contains("stale")).then_some(())
    });
    if fenced.is_none() {
        let logs: Vec<String> =
            nodes.iter().map(|n| format!("{}:\n{}", n.name, n.stderr().join("\n"))).collect();
        panic!("the woken hub never learned it was stale\n{}", logs.join("\n\n"));
    }
    {
        let refs: Vec<&Process> = nodes.iter().collect();
        wait_converged(&refs, &preferred);
    }
    std::thread::sleep(Duration::from_millis(300));

    let reports = stop_and_report(&mut nodes);
    // The survivors get everything from everyone, exactly once, including what the frozen hub
    // emitted; the frozen one may have missed events while it was cut off, and says so.
    for (r, receiver) in reports.iter().enumerate().skip(1) {
        let logs: Vec<String> =
            nodes.iter().map(|n| format!("{}:\n{}", n.name, n.stderr().join("\n"))).collect();
        assert_eq!(receiver["lagged"], 0, "{}\n{}", receiver["node"], logs.join("\n\n"));
        for (s, sender) in reports.iter().enumerate() {
            assert_received_all(receiver, sender, r <= s);
        }
    }
    for got in reports[0]["received"].as_object().unwrap().values() {
        assert_eq!(got["count"], got["unique"], "no duplicates at the stale hub either");
    }
}
