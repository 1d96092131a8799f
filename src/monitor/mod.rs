//! The monitoring endpoint (cargo feature `monitor`): a small HTTP server on the node's own
//! actix runtime that shows what the emitter observes of its node and cluster.
//!
//! Owns: the routes and their answers: `/` (the dashboard, embedded in the binary), `/metrics`
//! (Prometheus text format, see `prometheus`), `/status` (JSON) and `/healthz`, and starting
//! and stopping the server. Every answer asks the emitter actor for one [`Observe`]. It must not
//! read or change the emitter's state otherwise, decide what a figure means (the observe
//! module does), nor check its address (the config module does).

use crate::emitter::Emitter;
use crate::observe::{Observation, Observe};
use actix::Addr;
use actix_web::dev::ServerHandle;
use actix_web::http::StatusCode;
use actix_web::{web, App, HttpResponse, HttpServer};
use std::net::SocketAddr;

mod prometheus;

/// The dashboard: one page of HTML, CSS and JavaScript, drawn from `/status`.
const DASHBOARD: &str = include_str!("dashboard.html");

/// A running monitoring endpoint.
#[derive(Clone)]
pub(crate) struct Endpoint {
    /// Stops the server.
    server: ServerHandle,
    /// The address it listens on (its port, when port 0 was asked for).
    address: SocketAddr,
}

impl Endpoint {
    /// Starts serving at `address` what `emitter` observes; fails if the address cannot be bound.
    /// Must be called inside a running actix system.
    pub(crate) fn start(address: SocketAddr, emitter: Addr<Emitter>) -> std::io::Result<Endpoint> {
        let server = HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(emitter.clone()))
                .route("/", web::get().to(dashboard))
                .route("/metrics", web::get().to(metrics))
                .route("/status", web::get().to(status))
                .route("/healthz", web::get().to(healthz))
        })
        // A handful of scrapes a second: one worker, and the node's own Ctrl-C handling.
        .workers(1)
        .disable_signals()
        .shutdown_timeout(1)
        .bind(address)?;
        let address = server.addrs().first().copied().unwrap_or(address);
        let server = server.run();
        let handle = server.handle();
        actix_rt::spawn(server);
        Ok(Endpoint { server: handle, address })
    }

    /// The address it listens on.
    pub(crate) fn address(&self) -> SocketAddr {
        self.address
    }

    /// Stops the server: it answers no more requests.
    pub(crate) async fn stop(&self) {
        self.server.stop(false).await;
    }
}

/// What the emitter observes now, or the answer to give when it cannot say (it is gone).
async fn observe(emitter: &Addr<Emitter>) -> Result<Observation, HttpResponse> {
    emitter.send(Observe).await.map_err(|error| {
        json(StatusCode::SERVICE_UNAVAILABLE, &serde_json::json!({ "error": error.to_string() }))
    })
}

fn json(status: StatusCode, body: &impl serde::Serialize) -> HttpResponse {
    match serde_json::to_string(body) {
        Ok(text) => HttpResponse::build(status).content_type("application/json").body(text),
        Err(error) => HttpResponse::InternalServerError().body(error.to_string()),
    }
}

async fn dashboard() -> HttpResponse {
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(DASHBOARD)
}

async fn metrics(emitter: web::Data<Addr<Emitter>>) -> HttpResponse {
    match observe(&emitter).await {
        Ok(observation) => HttpResponse::Ok()
            .content_type(prometheus::CONTENT_TYPE)
            .body(prometheus::render(&crate::observe::families(&observation))),
        Err(unavailable) => unavailable,
    }
}

async fn status(emitter: web::Data<Addr<Emitter>>) -> HttpResponse {
    match observe(&emitter).await {
        Ok(observation) => json(StatusCode::OK, &observation),
        Err(unavailable) => unavailable,
    }
}

/// 200 while the node is linked and knows its hub, 503 otherwise, each with a short JSON body.
async fn healthz(emitter: web::Data<Addr<Emitter>>) -> HttpResponse {
    let observation = match observe(&emitter).await {
        Ok(observation) => observation,
        Err(unavailable) => return unavailable,
    };
    let role = observation.node.role;
    let hub = observation.hub.as_ref().map(|hub| hub.id.clone());
    if observation.now.healthy {
        return json(
            StatusCode::OK,
            &serde_json::json!({ "status": "ok", "role": role, "hub": hub }),
        );
    }
    let reason = if observation.node.address.is_none() { "not linked" } else { "no hub known" };
    json(
        StatusCode::SERVICE_UNAVAILABLE,
        &serde_json::json!({ "status": "unavailable", "role": role, "reason": reason }),
    )
}
