//! The WebSocket edge. Receives upgrade requests on the socket endpoints and sends back the
//! upgrade, starting a [`Connection`] actor that speaks the dialect of its endpoint and is handed
//! only the addresses that dialect uses. The only module that speaks the WebSocket wire. A new
//! protocol adds its dialect under [`dialect`] and one route here.

pub mod chat_entry;
mod connection;
pub mod dialect;
pub mod endpoint_metrics;
mod fragments;
mod inbound;
mod outbox;
pub mod services;
mod transport;

use actix::{Actor, Addr, AsyncContext};
use actix_http::ws::handshake;
use actix_web::body::{BodyStream, MessageBody};
use actix_web::http::header::SEC_WEBSOCKET_PROTOCOL;
use actix_web::middleware::from_fn;
use actix_web::{HttpRequest, HttpResponse, Route, web};
use switchboard_actors::admin::admin_config::AdminConfig;
use switchboard_actors::admin::feed::MonitorFeed;
use switchboard_actors::agent::AgentStatistics;
use switchboard_actors::bot::answer::Backend;
use switchboard_actors::calls::Matchmaker;
use switchboard_actors::interview::interviews::Interviews;
use switchboard_actors::kernel::ids::SessionName;
use switchboard_actors::takeover::{HandoverBoard, Sessions};

use crate::api_error::ApiError;
use crate::auth::guard::{self, BEARER_PROTOCOL, offers_bearer_protocol};
use crate::auth::identity::Caller;
use crate::auth::policy::{Access, RouteRule};
use crate::config::auth::AuthMode;
use crate::http::ownership;
use crate::input;
use crate::peer::PeerSocket;
use chat_entry::{ChatQuery, ChatServices};
use connection::Connection;
use dialect::agent::AgentDialect;
use dialect::call::CallDialect;
use dialect::desk::DeskDialect;
use dialect::interview::InterviewDialect;
use dialect::monitor::MonitorDialect;
use dialect::seam::Dialect;
use inbound::InboundFrames;
use outbox::Outbox;
use services::Sockets;

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

/// A socket route's handler, as the router takes it.
type Handler = fn() -> Route;

/// The WebSocket routes, their access and their handlers.
fn sockets() -> Vec<(RouteRule, Handler)> {
    vec![
        (
            RouteRule::stream("GET", "/ws/call/{call_id}", Access::Member),
            (|| web::get().to(call_socket)) as Handler,
        ),
        (RouteRule::stream("GET", "/ws/desk", Access::Agent), || {
            web::get().to(desk_socket)
        }),
        (
            RouteRule::stream("GET", "/ws/agent", Access::Member),
            || web::get().to(agent_socket),
        ),
        (RouteRule::stream("GET", "/ws/chat", Access::Member), || {
            web::get().to(chat_socket)
        }),
        (
            RouteRule::stream("GET", "/ws/chat/session/{session_id}", Access::Member),
            || web::get().to(bound_chat_socket),
        ),
        (
            RouteRule::stream("GET", "/api/v1/ws", Access::Member),
            || web::get().to(interview_socket),
        ),
        (
            RouteRule::stream("GET", "/api/v1/ws/{session_id}", Access::Member),
            || web::get().to(resumed_interview_socket),
        ),
        (
            RouteRule::stream("GET", "/ws/admin/monitor", Access::Admin),
            || web::get().to(monitor_socket),
        ),
    ]
}

/// `GET /ws/call/{call_id}`: one leg of a seed-000 call.
async fn call_socket(
    req: HttpRequest,
    stream: web::Payload,
    call_id: web::Path<String>,
    sockets: web::Data<Sockets>,
    matchmaker: web::Data<Addr<Matchmaker>>,
) -> actix_web::Result<HttpResponse> {
    let dialect = CallDialect::new(call_id.into_inner(), matchmaker.get_ref().clone());
    serve(dialect, &req, stream, &sockets)
}

/// `GET /ws/desk`: an agent desk that takes escalated seed-001 sessions.
async fn desk_socket(
    req: HttpRequest,
    stream: web::Payload,
    caller: Caller,
    sockets: web::Data<Sockets>,
    sessions: web::Data<Sessions>,
    board: web::Data<Addr<HandoverBoard>>,
) -> actix_web::Result<HttpResponse> {
    let pinned_agent = match caller.mode {
        AuthMode::Strict => caller.identity.map(|identity| identity.user_id),
        AuthMode::Open => None,
    };
    let sessions = sessions.get_ref().clone();
    let dialect = DeskDialect::new(sessions, board.get_ref().clone(), pinned_agent);
    serve(dialect, &req, stream, &sockets)
}

/// `GET /ws/agent`: seed 004's agent socket (queries, streamed answers, tools, cancel).
async fn agent_socket(
    req: HttpRequest,
    stream: web::Payload,
    sockets: web::Data<Sockets>,
    statistics: web::Data<Addr<AgentStatistics>>,
    backend: web::Data<Backend>,
) -> actix_web::Result<HttpResponse> {
    let dialect = AgentDialect::new(statistics.get_ref().clone(), backend.get_ref().clone());
    serve(dialect, &req, stream, &sockets)
}

/// `GET /api/v1/ws`: seed 002's interview socket on a new session (a UUID the hub makes).
async fn interview_socket(
    req: HttpRequest,
    stream: web::Payload,
    sockets: web::Data<Sockets>,
    interviews: web::Data<Interviews>,
) -> actix_web::Result<HttpResponse> {
    let session_id = uuid::Uuid::new_v4().to_string();
    let dialect = InterviewDialect::new(session_id, &interviews);
    serve(dialect, &req, stream, &sockets)
}

/// `GET /api/v1/ws/{session_id}`: seed 002's interview socket on the session named in the
/// path, begun or resumed.
async fn resumed_interview_socket(
    req: HttpRequest,
    stream: web::Payload,
    session_id: web::Path<String>,
    sockets: web::Data<Sockets>,
    interviews: web::Data<Interviews>,
) -> actix_web::Result<HttpResponse> {
    let session_id = SessionName::parse(&session_id)
        .map_err(|error| ApiError::InvalidField(format!("session_id {error}")))?
        .as_str()
        .to_owned();
    let dialect = InterviewDialect::new(session_id, &interviews);
    serve(dialect, &req, stream, &sockets)
}

/// `GET /ws/admin/monitor`: seed 003's admin monitor (the guard admits admin tokens only).
async fn monitor_socket(
    req: HttpRequest,
    stream: web::Payload,
    caller: Caller,
    sockets: web::Data<Sockets>,
    feed: web::Data<Addr<MonitorFeed>>,
    admin: web::Data<AdminConfig>,
) -> actix_web::Result<HttpResponse> {
    let admin_token = caller.is_admin();
    let Some(identity) = caller.identity.filter(|_| admin_token) else {
        return Err(ApiError::Forbidden("the monitor is for admins".into()).into());
    };
    let feed = feed.get_ref().clone();
    let interval = admin.stats_interval;
    let dialect = MonitorDialect::new(feed, identity.user_id, identity.name, interval);
    serve(dialect, &req, stream, &sockets)
}

/// `GET /ws/chat[?user_id=…]`: seed 003's chat socket, many conversations on one socket.
async fn chat_socket(
    req: HttpRequest,
    stream: web::Payload,
    caller: Caller,
    query: web::Query<ChatQuery>,
    sockets: web::Data<Sockets>,
    chat: web::Data<ChatServices>,
) -> actix_web::Result<HttpResponse> {
    let dialect = chat.dialect(caller, &query, None)?;
    serve(dialect, &req, stream, &sockets)
}

/// `GET /ws/chat/session/{session_id}[?since=…]`: seed 003's chat socket bound to one
/// conversation, refused with 403 before the upgrade when the caller may not read it.
async fn bound_chat_socket(
    req: HttpRequest,
    stream: web::Payload,
    caller: Caller,
    session_id: web::Path<String>,
    query: web::Query<ChatQuery>,
    sockets: web::Data<Sockets>,
    chat: web::Data<ChatServices>,
) -> actix_web::Result<HttpResponse> {
    let name = input::session_name("session_id", &session_id).map_err(ApiError::InvalidField)?;
    ownership::may_read(&caller, &chat.sessions, &name).await?;
    let dialect = chat.dialect(caller, &query, Some(name))?;
    serve(dialect, &req, stream, &sockets)
}

/// Upgrades the request into a [`Connection`] speaking `dialect`: the connection runs as an
/// actor of its own on this worker, reading through [`InboundFrames`] and writing into an
/// [`Outbox`] whose other end is the response body.
fn serve<D: Dialect>(
    dialect: D,
    req: &HttpRequest,
    stream: web::Payload,
    sockets: &Sockets,
) -> actix_web::Result<HttpResponse> {
    let mut handshake = handshake(req.head())?;
    let peer = PeerSocket::of(req);
    if let Some(peer) = &peer {
        peer.limit_send_buffer(sockets.config.send_buffer);
    }
    let (outbox, body, watch) = Outbox::new(peer);
    let inbound = InboundFrames::new(stream, sockets.config.hard_frame_cap(), Some(watch));
    let sockets = sockets.clone();
    Connection::create(move |ctx| {
        ctx.add_stream(inbound);
        Connection::new(dialect, sockets, outbox)
    });
    if offers_bearer_protocol(req) {
        handshake.insert_header((SEC_WEBSOCKET_PROTOCOL, BEARER_PROTOCOL));
    }
    let response = handshake.message_body(BodyStream::new(body).boxed())?;
    Ok(response.into())
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
    use crate::ws::dialect::seam::{Frame, MAX_TASKS, Refusal, Socket, TaskId};
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
