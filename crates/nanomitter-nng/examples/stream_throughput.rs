//! Throughput of one NNG 2.0 byte stream over tcp loopback: pushes 1 GiB (or the MiB count given
//! as the first argument) in 64 KiB writes and prints MB/s.
//!
//! ```text
//! cargo run --release -p nanomitter-nng --example stream_throughput [MiB]
//! ```

use std::time::Instant;

use nanomitter_nng::{Dialer, Listener, TransportOptions};

const WRITE_SIZE: usize = 64 * 1024;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mebibytes: usize = match std::env::args().nth(1) {
        Some(arg) => arg.parse()?,
        None => 1024,
    };
    let total = mebibytes * 1024 * 1024;
    let options = TransportOptions::default();
    let listener = Listener::bind("tcp://127.0.0.1:0", &options)?;
    let url = format!("tcp://127.0.0.1:{}", listener.bound_port()?);
    let dialer = Dialer::new(&url, &options)?;
    let (accepted, dialed) = tokio::join!(listener.accept(), dialer.dial());
    let (receiver, sender) = (accepted?, dialed?);

    let started = Instant::now();
    let reading = tokio::spawn(async move {
        let mut buf = vec![0; WRITE_SIZE];
        let mut received = 0;
        while received < total {
            received += receiver.read(&mut buf).await?;
        }
        Ok::<_, nanomitter_nng::NngError>(received)
    });
    let chunk = vec![0xA5; WRITE_SIZE];
    let mut sent = 0;
    while sent < total {
        sender.write_all(&[&chunk]).await?;
        sent += chunk.len();
    }
    let received = reading.await??;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{} MiB in {WRITE_SIZE}-byte writes over tcp loopback: {:.3} s, {:.0} MB/s",
        received / (1024 * 1024),
        seconds,
        received as f64 / seconds / 1e6
    );
    Ok(())
}
