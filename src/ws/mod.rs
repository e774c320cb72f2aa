//! The WebSocket edge. Receives upgrade requests on the socket endpoints and sends back the
//! upgrade, starting a [`Connection`](connection::Connection) actor that speaks the dialect of
//! its endpoint and is handed only the addresses that dialect uses. The only module that speaks
//! the WebSocket wire. [`endpoints`] holds the routes and their handlers, [`upgrade`] the
//! upgrade they share. A new protocol adds its dialect under [`dialect`] and one route in
//! [`endpoints`].

pub mod chat_entry;
mod connection;
pub mod dialect;
pub mod endpoint_metrics;
mod endpoints;
mod fragments;
mod inbound;
mod outbox;
pub mod services;
mod transport;
mod upgrade;

use actix_web::middleware::from_fn;
use actix_web::web;

use crate::auth::guard;
use crate::auth::policy::RouteRule;
use endpoints::sockets;

/// Registers the WebSocket endpoints, each behind its guard.
pub fn routes(cfg: &mut web::ServiceConfig) {
    for (rule, route) in sockets() {
        cfg.service(
            web::resource(rule.path)
                .wrap(from_fn(move |req, next| guard::admit(rule, req, next)))
                .route(route()),
        );
    }
}

/// Every WebSocket route with who may open it: the router is built from this table.
pub fn route_table() -> Vec<RouteRule> {
    sockets().into_iter().map(|(rule, _)| rule).collect()
}

#[cfg(test)]
mod tests {
    //! The dialect seam over a real socket: a probe dialect starts, follows and cancels work
    //! bound to its connection, is refused beyond the bound, and hears events pushed to its
    //! own handle.

    use std::net::TcpListener;
    use std::sync::Arc;

    use actix::Actor;
    use actix_http::ws::{Frame as WireFrame, Message};
    use actix_web::{App, HttpServer};
    use futures_util::{SinkExt, StreamExt};
    use switchboard_actors::kernel::ids::ConnId;
    use tokio::sync::Notify;

    use super::*;
    use crate::config::sockets::SocketConfig;
    use crate::refusals::Refusals;
    use actix_web::HttpRequest;

    use crate::ws::dialect::seam::{Dialect, Frame, MAX_TASKS, Refusal, Socket, TaskId};
    use crate::ws::services::Sockets;
    use crate::ws::upgrade::serve;
    use switchboard_actors::kernel::metrics::ConnectionMetrics;
    use switchboard_actors::registry::ConnectionRegistry;

    /// What the test and every probe share.
    #[derive(Default)]
    struct Shared {
        /// Released by the test to finish waiting work.
        release: Notify,
        /// Released by the test to finish detached work.
        detached: Notify,
        /// Told when detached work has run to its end.
        carried_out: Notify,
    }

    /// A dialect whose commands exercise the seam; it answers in plain text frames.
    struct Probe {
        /// Shared with the test.
        shared: Arc<Shared>,
        /// Work started by `wait`, by label, to cancel by label.
        waiting: Vec<(String, TaskId)>,
        /// The stream that cancels itself, while it runs.
        following: Option<TaskId>,
    }

    impl Probe {
        /// Starts work that finishes when the test releases it, then says `woke:<label>`.
        fn wait(&mut self, label: &str, socket: &mut Socket<'_, Self>) {
            let shared = self.shared.clone();
            let work = async move { shared.release.notified().await };
            let said = format!("woke:{label}");
            match socket.start(work, move |_, (), socket| socket.send(said)) {
                Ok(task) => self.waiting.push((label.to_owned(), task)),
                Err(_) => socket.send("busy".into()),
            }
        }
    }

    impl Dialect for Probe {
        type Inbound = String;
        type Event = u32;
        const ENDPOINT: &'static str = "probe";

        fn decode(&self, frame: Frame<'_>) -> Result<String, Refusal> {
            match frame {
                Frame::Text(text) => Ok(text.to_owned()),
                Frame::Binary(bytes) => Ok(format!("binary:{}", bytes.len())),
            }
        }

        fn error_frame(refusal: &Refusal) -> String {
            format!("error:{}", refusal.error)
        }

        fn opened(&mut self, socket: &mut Socket<'_, Self>) {
            socket.send("opened".into());
        }

        fn handle(&mut self, inbound: String, socket: &mut Socket<'_, Self>) {
            let (command, argument) = inbound.split_once(' ').unwrap_or((&inbound, ""));
            match command {
                "answer" => {
                    let work = async { 6 * 7 };
                    let _ = socket.start(work, |_, n, socket| socket.send(format!("answer:{n}")));
                }
                "follow" => {
                    let items = futures_util::stream::iter([1, 2, 3]);
                    let each = |_: &mut Probe, n: i32, socket: &mut Socket<'_, Probe>| {
                        socket.send(format!("item:{n}"))
                    };
                    let _ = socket.follow(items, each, |_, socket| socket.send("done".into()));
                }
                "wait" => self.wait(argument, socket),
                "follow-and-stop" => {
                    let items = futures_util::stream::iter([1, 2, 3]);
                    let each = |probe: &mut Probe, n: i32, socket: &mut Socket<'_, Probe>| {
                        socket.send(format!("item:{n}"));
                        if let Some(task) = probe.following.take() {
                            let stopped = socket.cancel(task);
                            socket.send(format!("stopped:{stopped}"));
                        }
                    };
                    let done =
                        |_: &mut Probe, socket: &mut Socket<'_, Probe>| socket.send("done".into());
                    self.following = socket.follow(items, each, done).ok();
                }
                "detached" => {
                    let shared = self.shared.clone();
                    let work = async move {
                        shared.detached.notified().await;
                        shared.carried_out.notify_one();
                    };
                    let _ = socket.start_detached(work, |_, (), socket| socket.send("ran".into()));
                }
                "cancel" => {
                    let found = self.waiting.iter().position(|(label, _)| label == argument);
                    let task = found.map(|index| self.waiting.remove(index).1);
                    let cancelled = task.is_some_and(|task| socket.cancel(task));
                    socket.send(format!("cancelled:{cancelled}"));
                }
                "push" => {
                    socket.handle().push(7);
                }
                "refuse" => socket.refuse(&Refusal::new("probe_refused", "as asked")),
                other => socket.send(format!("unknown:{other}")),
            }
        }

        fn deliver(&mut self, event: u32, socket: &mut Socket<'_, Self>) {
            socket.send(format!("event:{event}"));
        }

        fn closed(&mut self, _: ConnId, _: bool) {}
    }

    /// A server on loopback serving the probe at `/probe`; returns its address.
    fn probe_server(shared: Arc<Shared>) -> std::net::SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().expect("bound address");
        let metrics = Arc::new(ConnectionMetrics::default());
        let sockets = Sockets {
            config: Arc::new(SocketConfig::default()),
            registry: ConnectionRegistry::new(10, metrics.clone()).start(),
            refusals: Arc::new(Refusals::new(metrics.clone())),
            metrics,
            per_endpoint: Default::default(),
        };
        let server = HttpServer::new(move || {
            let (sockets, shared) = (sockets.clone(), shared.clone());
            App::new().route(
                "/probe",
                web::get().to(move |req: HttpRequest, stream: web::Payload| {
                    let probe = Probe {
                        shared: shared.clone(),
                        waiting: Vec::new(),
                        following: None,
                    };
                    let sockets = sockets.clone();
                    async move { serve(probe, &req, stream, &sockets) }
                }),
            )
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .expect("serves")
        .run();
        actix_rt::spawn(server);
        addr
    }

    /// The next text frame, answering pings on the way.
    async fn next_text(
        framed: &mut actix_codec::Framed<awc::BoxedSocket, awc::ws::Codec>,
    ) -> String {
        loop {
            let frame = actix_rt::time::timeout(std::time::Duration::from_secs(10), framed.next())
                .await
                .expect("a frame within the patience")
                .expect("the socket is open")
                .expect("a valid frame");
            match frame {
                WireFrame::Text(bytes) => return String::from_utf8_lossy(&bytes).into_owned(),
                WireFrame::Ping(payload) => {
                    let _ = framed.send(Message::Pong(payload)).await;
                }
                other => panic!("unexpected frame {other:?}"),
            }
        }
    }

    #[actix_rt::test]
    async fn work_is_started_followed_cancelled_and_bounded_per_connection() {
        let shared = Arc::new(Shared::default());
        let release = &shared.release;
        let addr = probe_server(shared.clone());
        let (_, mut framed) = awc::Client::new()
            .ws(format!("ws://{addr}/probe"))
            .connect()
            .await
            .expect("upgrade");
        assert_eq!(next_text(&mut framed).await, "opened");
        let say = async |text: &str, framed: &mut actix_codec::Framed<_, _>| {
            let sent: Result<(), _> = SinkExt::send(framed, Message::Text(text.into())).await;
            sent.expect("send");
        };

        say("answer", &mut framed).await;
        assert_eq!(next_text(&mut framed).await, "answer:42");
        say("follow", &mut framed).await;
        for expected in ["item:1", "item:2", "item:3", "done"] {
            assert_eq!(next_text(&mut framed).await, expected);
        }
        say("follow-and-stop", &mut framed).await;
        assert_eq!(next_text(&mut framed).await, "item:1");
        assert_eq!(next_text(&mut framed).await, "stopped:true");
        say("answer", &mut framed).await;
        assert_eq!(
            next_text(&mut framed).await,
            "answer:42",
            "a stream cancelled from its own callback yields nothing more"
        );
        say("push", &mut framed).await;
        assert_eq!(next_text(&mut framed).await, "event:7");
        say("refuse", &mut framed).await;
        assert_eq!(next_text(&mut framed).await, "error:probe_refused");

        say("wait a", &mut framed).await;
        say("wait b", &mut framed).await;
        say("cancel a", &mut framed).await;
        assert_eq!(next_text(&mut framed).await, "cancelled:true");
        say("cancel a", &mut framed).await;
        assert_eq!(next_text(&mut framed).await, "cancelled:false");
        release.notify_waiters();
        assert_eq!(
            next_text(&mut framed).await,
            "woke:b",
            "the cancelled work never resumes; the other does"
        );
        say("answer", &mut framed).await;
        assert_eq!(next_text(&mut framed).await, "answer:42");

        for n in 0..MAX_TASKS {
            say(&format!("wait w{n}"), &mut framed).await;
        }
        say("wait over", &mut framed).await;
        assert_eq!(next_text(&mut framed).await, "busy", "the bound holds");
        release.notify_waiters();
        let mut woke: Vec<String> = Vec::new();
        for _ in 0..MAX_TASKS {
            woke.push(next_text(&mut framed).await);
        }
        woke.sort();
        let mut expected: Vec<String> = (0..MAX_TASKS).map(|n| format!("woke:w{n}")).collect();
        expected.sort();
        assert_eq!(woke, expected, "each finished work resumed once");
        say("answer", &mut framed).await;
        assert_eq!(
            next_text(&mut framed).await,
            "answer:42",
            "finished work frees its place"
        );
    }

    #[actix_rt::test]
    async fn detached_work_is_carried_out_after_the_socket_has_closed() {
        let shared = Arc::new(Shared::default());
        let addr = probe_server(shared.clone());
        let (_, mut framed) = awc::Client::new()
            .ws(format!("ws://{addr}/probe"))
            .connect()
            .await
            .expect("upgrade");
        assert_eq!(next_text(&mut framed).await, "opened");
        SinkExt::send(&mut framed, Message::Text("detached".into()))
            .await
            .expect("send");
        SinkExt::send(&mut framed, Message::Close(None))
            .await
            .expect("close");
        while let Some(Ok(frame)) = framed.next().await {
            if matches!(frame, WireFrame::Close(_)) {
                break;
            }
        }
        shared.detached.notify_one();
        let patience = std::time::Duration::from_secs(10);
        actix_rt::time::timeout(patience, shared.carried_out.notified())
            .await
            .expect("detached work runs to its end after its socket closed");
    }
}
