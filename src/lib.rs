//! Switchboard: a realtime hub where customers, AI bots, human agents and admins meet over
//! WebSockets, SSE and HTTP. This crate is the web edge: it receives HTTP requests and socket
//! frames, hands them to the actor core (`switchboard-actors`) as typed messages, and sends the
//! answers back in each endpoint's wire format.
//!
//! [`run`] is the one entry point used by `main`, the tests and the examples: it starts the
//! actors, serves on the given listener and returns when the hub has shut down. [`start`] does
//! the same but hands back a [`Hub`] to steer, for tests that need to stop it themselves.

#![warn(missing_docs)]

mod api_error;
pub mod auth;
pub mod config;
mod exposition;
mod gate;
mod http;
mod hub_counters;
mod input;
mod limits;
mod peer;
mod refusals;
pub mod wire;
mod wiring;
pub mod ws;

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use actix::Addr;
use actix_web::dev::{Server, ServerHandle};
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use switchboard_actors::kernel::clock;
use switchboard_actors::kernel::close::CloseCode;
use switchboard_actors::registry::{CloseAll, ConnectionRegistry, CountConnections};
use switchboard_actors::store::{Checkpoint, Store, StoreError};
use switchboard_actors::takeover::Sessions;

pub use config::{Config, ConfigError};
pub use limits::{ConnectionBudget, fit_connections, raise_open_file_limit};

use auth::guard::Authority;
use config::auth::AuthMode;
use gate::Gate;
use http::stream_limits::StreamLimits;
use peer::PeerCounts;
use wiring::Actors;

/// Why the hub could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// A setting cannot work.
    #[error("invalid configuration: {0}")]
    Config(#[from] ConfigError),
    /// The listener could not be used.
    #[error("cannot serve: {0}")]
    Io(#[from] std::io::Error),
    /// The database could not be opened or migrated.
    #[error("cannot open the store: {0}")]
    Store(#[from] StoreError),
}

/// A running hub.
pub struct Hub {
    /// The HTTP server future; completes when the hub has stopped.
    server: Server,
    /// How to stop it.
    handle: HubHandle,
    /// Where it listens.
    local_addr: SocketAddr,
}

/// Stops a running hub. Cheap to clone.
#[derive(Clone)]
pub struct HubHandle {
    /// The HTTP server's handle.
    server: ServerHandle,
    /// Told to refuse new requests and close connections after their answers.
    gate: Arc<Gate>,
    /// Told to close every socket with 1001.
    registry: Addr<ConnectionRegistry>,
    /// Told to end every SSE stream.
    sessions: Sessions,
    /// Checkpointed when the hub has stopped.
    store: Addr<Store>,
    /// The store's thread, stopped last.
    store_thread: actix::ArbiterHandle,
    /// Longest graceful drain.
    drain: Duration,
}

impl Hub {
    /// Where the hub listens.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// A handle that can shut the hub down.
    pub fn handle(&self) -> HubHandle {
        self.handle.clone()
    }

    /// Waits until the hub has stopped, then folds the store's write-ahead log into the
    /// database file and stops the store's thread.
    pub async fn stopped(self) -> std::io::Result<()> {
        self.server.await?;
        match self.handle.store.send(Checkpoint).await {
            Ok(Ok(())) => log::info!("store checkpointed"),
            Ok(Err(error)) => log::error!("store checkpoint failed: {error}"),
            Err(_) => log::error!("the store stopped before its checkpoint"),
        }
        self.handle.store_thread.stop();
        Ok(())
    }
}

impl HubHandle {
    /// Graceful shutdown: answer every new request 503 `unavailable` and close each connection
    /// after its answer, close every socket with 1001 "going away" and end every SSE stream,
    /// wait until the sockets have gone and the requests in flight have been answered (at most
    /// half the drain time), then stop accepting and let the server finish what is left (at
    /// most the configured shutdown timeout). The listener stays open until then, so a client
    /// that connects meanwhile hears 503 rather than a reset. Every acknowledged write was
    /// committed before it was acknowledged, so nothing waits to be written; [`Hub::stopped`]
    /// checkpoints the store last.
    pub async fn shutdown(&self) {
        self.gate.stop_admitting();
        self.sessions.hub_stopping();
        let told = self
            .registry
            .send(CloseAll {
                code: CloseCode::GoingAway,
                reason: "server shutting down".into(),
            })
            .await
            .unwrap_or(0);
        log::info!("shutting down: closing {told} sockets");
        let deadline = clock::now() + self.drain / 2;
        while clock::now() < deadline {
            let sockets = self.registry.send(CountConnections).await.unwrap_or(0);
            if sockets == 0 && self.gate.requests_in_flight() == 0 {
                break;
            }
            actix_rt::time::sleep(Duration::from_millis(10)).await;
        }
        self.server.stop(true).await;
    }
}

/// Starts the actors and the HTTP server on `listener`. Must be called inside an actix system.
pub fn start(mut config: Config, listener: TcpListener) -> Result<Hub, StartError> {
    config.validate()?;
    let budget = limits::fit_connections(&config)?;
    budget.apply(&mut config);
    let workers = config.server.worker_threads();
    log::info!(
        "room for {} sockets, {} event streams and {} more HTTP connections ({} per worker) \
         under the open-file limit of {}",
        budget.sockets,
        budget.streams,
        budget.http,
        budget.per_worker(workers),
        budget.open_files
    );
    let local_addr = listener.local_addr()?;
    let actors = Actors::start(&config)?;
    let (registry, sessions) = (actors.sockets.registry.clone(), actors.sessions.clone());
    let (store, store_thread) = (actors.store.clone(), actors.store_thread.clone());
    let drain_seconds = config.server.shutdown_timeout.as_millis().div_ceil(1000) as u64;
    let refusals = actors.sockets.refusals.clone();
    let server_config = &config.server;
    let gate = Gate::new(
        server_config.body_timeout,
        server_config.max_connections_per_ip,
        refusals.clone(),
    );
    let streams = StreamLimits::new(
        server_config.sse_max_streams,
        config.sockets.write_timeout,
        config.sockets.send_buffer,
        refusals.clone(),
    );
    let peers = PeerCounts::new(server_config.max_connections_per_ip);
    let authority = web::Data::new(Authority::new(&config.auth));
    warn_when_open(&config);
    let admitting = gate.clone();
    let server = HttpServer::new(move || {
        let gate = admitting.clone();
        App::new()
            .wrap(from_fn(move |req, next| {
                gate::admit(gate.clone(), req, next)
            }))
            .app_data(web::Data::from(refusals.clone()))
            .app_data(web::Data::from(streams.clone()))
            .app_data(authority.clone())
            .configure(|cfg| actors.register(cfg))
            .configure(http::routes)
            .configure(ws::routes)
            .default_service(web::to(http::not_found))
    })
    .workers(workers)
    .on_connect(move |connection, data| peers.on_connect(connection, data))
    .tcp_nodelay(true)
    .max_connections(budget.per_worker(workers))
    .disable_signals()
    .shutdown_timeout(drain_seconds)
    .listen(listener)?
    .run();
    let handle = HubHandle {
        server: server.handle(),
        gate,
        registry,
        sessions,
        store,
        store_thread,
        drain: config.server.shutdown_timeout,
    };
    log::info!("switchboard listening on {local_addr}");
    Ok(Hub {
        server,
        handle,
        local_addr,
    })
}

/// Every route of the hub (REST, SSE and WebSocket) with who may use it; the router is built
/// from the same tables, so a route cannot be added without its access.
pub fn route_table() -> Vec<auth::policy::RouteRule> {
    let mut table = http::route_table();
    table.extend(ws::route_table());
    table
}

/// Warns when the hub serves a non-loopback address without asking for tokens.
fn warn_when_open(config: &Config) {
    let loopback = match config.server.host.parse::<std::net::IpAddr>() {
        Ok(address) => address.is_loopback(),
        Err(_) => config.server.host == "localhost",
    };
    if config.auth.mode == AuthMode::Open && !loopback {
        log::warn!(
            "AUTH_MODE=open on {}: anyone who reaches it may use every conversation and call; \
             set AUTH_MODE=strict and JWT_SECRET beyond local use",
            config.server.host
        );
    }
}

/// Runs the hub on `listener` until SIGINT or SIGTERM, then shuts it down gracefully.
pub async fn run(config: Config, listener: TcpListener) -> Result<(), StartError> {
    let hub = start(config, listener)?;
    let handle = hub.handle();
    actix_rt::spawn(async move {
        wait_for_signal().await;
        handle.shutdown().await;
    });
    hub.stopped().await?;
    log::info!("switchboard stopped");
    Ok(())
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use actix_rt::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                let interrupt = std::pin::pin!(actix_rt::signal::ctrl_c());
                let terminate = std::pin::pin!(terminate.recv());
                futures_util::future::select(interrupt, terminate).await;
                return;
            }
            Err(error) => log::warn!("cannot listen for SIGTERM: {error}"),
        }
    }
    let _ = actix_rt::signal::ctrl_c().await;
}
