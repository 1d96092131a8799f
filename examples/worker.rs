//! A worker: emits a stock price every 300 ms and prints every stock price it hears.
//!
//! A port of the TypeScript seed's worker:
//!
//! ```ts
//! const emitter = await new DistributedEventEmitter("worker").connect();
//! emitter.on("stockprice", (msg) => console.log(msg));
//! setInterval(() => emitter.emit({ topic: "stockprice", data: { ticker: "AAPL", price: 250 + Math.random() * 10 } }), 300);
//! ```
//!
//! The price is a typed [`StockPrice`], emitted with bincode (`EmitterHandle::emit`) and decoded
//! by the listener with `DistributedEvent::decode`. Local echo is on (the library's default), so
//! a worker prints its own prices as well as those of every other worker.
//!
//! Run one or more of them, optionally next to `cargo run --example master`:
//!
//! ```text
//! cargo run --example worker                              # on nanomitter::DEFAULT_ADDRESS
//! cargo run --example worker -- tcp://127.0.0.1:55555     # on a chosen address
//! ```
//!
//! Ctrl-C stops it. Set `RUST_LOG=debug` for the library's logs (default: `warn`).

#![forbid(unsafe_code)]

mod common;

use actix::prelude::*;
use nanomitter::{DistributedEvent, Emitter};
use serde::{Deserialize, Serialize};
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const TOPIC: &str = "stockprice";

/// The data of a `stockprice` event.
#[derive(Debug, Serialize, Deserialize)]
struct StockPrice {
    ticker: String,
    price: f64,
}

/// Prints every stock price it receives, like the seed's `console.log(msg)`.
struct PricePrinter;

impl Actor for PricePrinter {
    type Context = Context<Self>;
}

impl Handler<DistributedEvent> for PricePrinter {
    type Result = ();

    fn handle(&mut self, event: DistributedEvent, _: &mut Context<Self>) {
        match event.decode::<StockPrice>() {
            Ok(quote) => println!(
                "{} from {} (node {:016x}, #{}): {} {:.2}",
                event.topic(),
                event.service(),
                event.node(),
                event.seq(),
                quote.ticker,
                quote.price
            ),
            Err(error) => eprintln!(
                "worker: undecodable {} event from {}: {error}",
                event.topic(),
                event.service()
            ),
        }
    }
}

/// A tiny xorshift64 generator standing in for `Math.random()`.
struct XorShift(u64);

impl XorShift {
    /// Seeded from the clock's nanoseconds and the process id, so workers differ.
    fn from_clock() -> Self {
        let nanos =
            SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |since| since.as_nanos() as u64);
        XorShift((nanos ^ u64::from(std::process::id()).rotate_left(32)) | 1)
    }

    /// A number in `[0, 1)`.
    fn next_f64(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[actix::main]
async fn main() -> ExitCode {
    let address = common::setup();
    let emitter = match common::connect("worker", Emitter::builder("worker"), &address).await {
        Ok(emitter) => emitter,
        Err(code) => return code,
    };
    if let Err(error) = emitter.on(TOPIC, PricePrinter.start().recipient()) {
        eprintln!("worker: cannot listen: {error}");
        return ExitCode::FAILURE;
    }
    let mut random = XorShift::from_clock();
    common::run_until_ctrl_c("worker", emitter, Some(Duration::from_millis(300)), move |emitter| {
        let quote =
            StockPrice { ticker: "AAPL".to_owned(), price: 250.0 + random.next_f64() * 10.0 };
        if let Err(error) = emitter.emit(TOPIC, &quote) {
            eprintln!("worker: cannot emit: {error}");
        }
    })
    .await
}
