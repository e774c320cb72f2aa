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
pub mod config;
mod http;
mod input;
mod limits;
mod peer;
pub mod wire;
mod wiring;
pub mod ws;

use std::net::{SocketAddr, TcpListener};
use std::time::Duration;

use actix::Addr;
use actix_web::dev::{Server, ServerHandle};
use actix_web::{App, HttpServer, web};
use switchboard_actors::kernel::clock;
use switchboard_actors::kernel::close::CloseCode;
use switchboard_actors::registry::{CloseAll, ConnectionRegistry, CountConnections};
use switchboard_actors::store::{Checkpoint, Store, StoreError};
use switchboard_actors::takeover::Sessions;

pub use config::{Config, ConfigError};
pub use limits::raise_open_file_limit;

use wiring::Actors;

/// Connections each worker accepts beyond the socket limit, for plain HTTP clients.
const HTTP_CONNECTION_HEADROOM: usize = 1024;

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
    /// Graceful shutdown: stop accepting, close every socket with 1001 "going away" and end
    /// every SSE stream, wait until the sockets have gone (at most half the drain time), then
    /// let the server finish what is in flight (at most the configured shutdown timeout). Every
    /// acknowledged write was committed before it was acknowledged, so nothing waits to be
    /// written; [`Hub::stopped`] checkpoints the store last.
    pub async fn shutdown(&self) {
        self.server.pause().await;
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
            match self.registry.send(CountConnections).await {
                Ok(0) | Err(_) => break,
                Ok(_) => actix_rt::time::sleep(Duration::from_millis(10)).await,
            }
        }
        self.server.stop(true).await;
    }
}

/// Starts the actors and the HTTP server on `listener`. Must be called inside an actix system.
pub fn start(config: Config, listener: TcpListener) -> Result<Hub, StartError> {
    config.validate()?;
    let local_addr = listener.local_addr()?;
    let actors = Actors::start(&config)?;
    let (registry, sessions) = (actors.sockets.registry.clone(), actors.sessions.clone());
    let (store, store_thread) = (actors.store.clone(), actors.store_thread.clone());
    let drain_seconds = config.server.shutdown_timeout.as_millis().div_ceil(1000) as u64;
    let max_connections = config
        .sockets
        .max_connections
        .saturating_add(HTTP_CONNECTION_HEADROOM);
    let server = HttpServer::new(move || {
        App::new()
            .configure(|cfg| actors.register(cfg))
            .configure(http::routes)
            .configure(ws::routes)
            .default_service(web::to(http::not_found))
    })
    .workers(config.server.worker_threads())
    .on_connect(peer::PeerSocket::on_connect)
    .tcp_nodelay(true)
    .max_connections(max_connections)
    .disable_signals()
    .shutdown_timeout(drain_seconds)
    .listen(listener)?
    .run();
    let handle = HubHandle {
        server: server.handle(),
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
