//! Reading a node's monitoring endpoint from a test: plain HTTP/1.1 GETs on loopback, the
//! Prometheus text format parsed by `prometheus-parse`, and `/status` as JSON.
//!
//! Owns: the requests and the parsing. It must not start processes nor wait on anything but one
//! answer.

use prometheus_parse::{Scrape, Value as Sample};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// A loopback `IP:PORT` on a port that was free a moment ago, for `--monitor`.
pub fn free_monitor_address() -> String {
    format!("127.0.0.1:{}", super::free_port())
}

/// `GET path` at `address`: the status code and the body, or `None` if nothing answered.
pub fn get(address: &str, path: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(address).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let (head, body) = response.split_once("\r\n\r\n")?;
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, body.to_owned()))
}

/// `/metrics` at `address`, parsed; `None` if nothing answered.
pub fn scrape(address: &str) -> Option<Scrape> {
    let (status, body) = get(address, "/metrics")?;
    assert_eq!(status, 200, "/metrics at {address}: {body}");
    let lines = body.lines().map(|line| Ok(line.to_owned()));
    Some(Scrape::parse(lines).expect("/metrics in the Prometheus text format"))
}

/// `/status` at `address`; `None` if nothing answered.
pub fn status(address: &str) -> Option<Value> {
    let (status, body) = get(address, "/status")?;
    assert_eq!(status, 200, "/status at {address}: {body}");
    Some(serde_json::from_str(&body).expect("/status is JSON"))
}

/// The value of the sample of `name` whose labels include `labels` (0 if there is none).
pub fn metric(scrape: &Scrape, name: &str, labels: &[(&str, &str)]) -> f64 {
    scrape
        .samples
        .iter()
        .filter(|sample| sample.metric == name)
        .filter(|sample| labels.iter().all(|(k, v)| sample.labels.get(k) == Some(*v)))
        .map(|sample| match sample.value {
            Sample::Counter(v) | Sample::Gauge(v) | Sample::Untyped(v) => v,
            Sample::Histogram(_) | Sample::Summary(_) => f64::NAN,
        })
        .sum()
}
