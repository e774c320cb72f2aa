//! The wiring: starts every actor with its area of the config, and registers what each
//! handler and dialect may use (each takes only the addresses it needs, as `web::Data`).
//! Receives the config at start; sends nothing afterwards. A new room starts its actors here
//! and registers its address: a line or two.

use std::sync::Arc;

use actix::{Actor, Addr, ArbiterHandle, AsyncContext, Context};
use actix_web::web;
use switchboard_actors::admin::admin_config::AdminConfig;
use switchboard_actors::admin::feed::MonitorFeed;
use switchboard_actors::admin::hub_stats::{FigureSource, SocketFigures};
use switchboard_actors::admin::user_directory::UserSource;
use switchboard_actors::admin::webhook::Notifier;
use switchboard_actors::agent::AgentStatistics;
use switchboard_actors::bot::answer::Backend;
use switchboard_actors::calls::{CallMetrics, Matchmaker};
use switchboard_actors::chat::ChatHub;
use switchboard_actors::interview::interviews::Interviews;
use switchboard_actors::kernel::metrics::ConnectionMetrics;
use switchboard_actors::kernel::timings::Timings;
use switchboard_actors::monitor::Monitor;
use switchboard_actors::registry::ConnectionRegistry;
use switchboard_actors::store::{Store, StoreError};
use switchboard_actors::takeover::{
    HandoverBoard, RestoreHandoffs, SessionDirectory, Sessions, TakeoverConfig,
};

use crate::config::Config;
use crate::exposition::{Exposition, Series};
use crate::hub_counters::HubCounters;
use crate::refusals::Refusals;
use crate::ws::chat_entry::ChatServices;
use crate::ws::endpoint_metrics::EndpointMetrics;
use crate::ws::services::Sockets;

/// Every long-lived actor of the hub, started. Cheap to clone (addresses and shared handles).
#[derive(Clone)]
pub struct Actors {
    /// Seed 000's call directory.
    pub matchmaker: Addr<Matchmaker>,
    /// Seed 001's sessions.
    pub sessions: Sessions,
    /// Seed 001's handover queue.
    pub board: Addr<HandoverBoard>,
    /// Seed 001's settings, read by the SSE streams.
    pub takeover: Arc<TakeoverConfig>,
    /// The sockets' limits, registry and counters.
    pub sockets: Sockets,
    /// The counters' snapshot.
    pub monitor: Addr<Monitor>,
    /// Seed 004's agent sockets' figures.
    pub agent_statistics: Addr<AgentStatistics>,
    /// Seed 002's interviews and their sockets' counters.
    pub interviews: Interviews,
    /// Seed 003's admin monitor sockets, and the rooms that know users behind them.
    pub feed: Addr<MonitorFeed>,
    /// Posts notifications to the webhook.
    pub notifier: Addr<Notifier>,
    /// Seed 003's settings.
    pub admin: Arc<AdminConfig>,
    /// Seed 003's chat hub and what chat sockets are handed.
    pub chat: ChatServices,
    /// The bot, which answers the agent sockets.
    pub backend: Backend,
    /// Every series, for `GET /metrics`.
    pub exposition: Arc<Exposition>,
    /// The database.
    pub store: Addr<Store>,
    /// The store's thread, stopped last.
    pub store_thread: ArbiterHandle,
}

impl Actors {
    /// Starts the store, the rooms' actors and the shared services; restores waiting
    /// handovers. Must be called inside an actix system.
    pub fn start(config: &Config) -> Result<Actors, StoreError> {
        let timings = Timings::default();
        let (store, store_thread) = Store::start(&config.store, timings.clone())?;
        log::info!("store at {}", config.store.database_path);
        let connection_metrics = Arc::new(ConnectionMetrics::default());
        let call_metrics = Arc::new(CallMetrics::default());
        let matchmaker =
            Matchmaker::new(config.calls.clone(), call_metrics.clone(), store.clone()).start();
        let board = HandoverBoard::default().start();
        let bot = Arc::new(config.bot.clone());
        let backend = Backend::new(bot.clone(), timings.clone());
        let directory = SessionDirectory::new(
            store.clone(),
            board.clone(),
            config.takeover.clone(),
            backend.clone(),
        )
        .start();
        directory.do_send(RestoreHandoffs);
        let registry =
            ConnectionRegistry::new(config.sockets.max_connections, connection_metrics.clone())
                .start();
        let per_endpoint = EndpointMetrics::default();
        let admin = Arc::new(config.admin.clone());
        let figures = socket_figures(connection_metrics.clone(), per_endpoint.clone());
        // The feed and the chat hub know each other: the hub tells the feed who comes and
        // goes, and the feed asks the hub about its users.
        let feed_context = Context::<MonitorFeed>::new();
        let presence = feed_context.address().recipient();
        let limit = config.chat.max_connections_per_user;
        let chat_hub = ChatHub::new(limit, store.clone(), Some(presence)).start();
        let users = vec![UserSource::of(&chat_hub)];
        let feed = feed_context.run(MonitorFeed::new(admin.stats_interval, figures, users));
        let series = Series {
            counters: HubCounters::new(connection_metrics.clone(), call_metrics.clone()),
            timings,
            per_endpoint: per_endpoint.clone(),
        };
        let sessions = Sessions::new(directory, store.clone());
        let chat = ChatServices {
            hub: chat_hub,
            sessions: sessions.clone(),
            config: Arc::new(config.chat.clone()),
        };
        Ok(Actors {
            matchmaker,
            chat,
            sessions,
            board,
            takeover: Arc::new(config.takeover.clone()),
            sockets: Sockets {
                config: Arc::new(config.sockets.clone()),
                registry,
                metrics: connection_metrics.clone(),
                refusals: Arc::new(Refusals::new(connection_metrics.clone())),
                per_endpoint,
            },
            monitor: Monitor::new(connection_metrics, call_metrics).start(),
            agent_statistics: AgentStatistics::default().start(),
            interviews: Interviews::start(store.clone(), config.speech.clone(), bot.clone()),
            backend,
            feed,
            notifier: Notifier::new(admin.clone()).start(),
            admin,
            exposition: Arc::new(Exposition::new(series, store.clone())),
            store,
            store_thread,
        })
    }

    /// Registers what the handlers and dialects take.
    pub fn register(&self, cfg: &mut web::ServiceConfig) {
        cfg.app_data(web::Data::new(self.matchmaker.clone()))
            .app_data(web::Data::new(self.sessions.clone()))
            .app_data(web::Data::new(self.board.clone()))
            .app_data(web::Data::from(self.takeover.clone()))
            .app_data(web::Data::new(self.sockets.clone()))
            .app_data(web::Data::new(self.monitor.clone()))
            .app_data(web::Data::new(self.agent_statistics.clone()))
            .app_data(web::Data::new(self.backend.clone()))
            .app_data(web::Data::from(self.exposition.clone()))
            .app_data(web::Data::new(self.interviews.clone()))
            .app_data(web::Data::new(self.feed.clone()))
            .app_data(web::Data::new(self.notifier.clone()))
            .app_data(web::Data::from(self.admin.clone()))
            .app_data(web::Data::new(self.chat.clone()));
    }
}

/// Reads the socket layer's counters for the admin monitor's statistics.
fn socket_figures(
    connections: Arc<ConnectionMetrics>,
    per_endpoint: EndpointMetrics,
) -> FigureSource {
    Arc::new(move || {
        let totals = per_endpoint.totals();
        SocketFigures {
            total_connections: connections.connections_total.get(),
            active_connections: connections.connections_open.get(),
            messages_sent: totals.sent.get(),
            messages_received: totals.received.get(),
            disconnections: totals.disconnected.get(),
            errors: connections.frames_rejected.get() + connections.slow_consumers.get(),
        }
    })
}
