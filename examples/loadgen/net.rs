//! Client plumbing shared by the scenarios: source addresses, HTTP clients bound to them, the
//! seed-000 `POST /api/calls/start`, the seed-001 `POST /api/chat`, WebSocket connects, and the
//! server's resident memory.
//! Sends HTTP requests and WebSocket upgrades; receives their answers.
//!
//! Every connection sets `TCP_NODELAY`, so that small frames leave at once: with Nagle's
//! algorithm on, the generator would add its own delayed-ACK stalls to every server's latency.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use actix_codec::Framed;
use actix_rt::net::TcpStream;
use actix_service::Service;
use actix_tls::connect::{ConnectError, ConnectInfo, Connection, Connector as TcpConnector};
use awc::http::Uri;
use awc::ws::Codec;
use awc::{BoxedSocket, Client, Connector};
use futures_util::future::LocalBoxFuture;
use serde::Deserialize;
use serde_json::json;

/// An open WebSocket.
pub type Socket = Framed<BoxedSocket, Codec>;

/// The default TCP connector, with `TCP_NODELAY` set on every connection it makes.
#[derive(Clone)]
struct NoDelay<S> {
    /// The connector being wrapped.
    inner: S,
}

impl<S> Service<ConnectInfo<Uri>> for NoDelay<S>
where
    S: Service<ConnectInfo<Uri>, Response = Connection<Uri, TcpStream>, Error = ConnectError>,
    S::Future: 'static,
{
    type Response = Connection<Uri, TcpStream>;
    type Error = ConnectError;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    actix_service::forward_ready!(inner);

    fn call(&self, info: ConnectInfo<Uri>) -> Self::Future {
        let connecting = self.inner.call(info);
        Box::pin(async move {
            let connection = connecting.await?;
            connection
                .io_ref()
                .set_nodelay(true)
                .map_err(ConnectError::Io)?;
            Ok(connection)
        })
    }
}

/// A range of loopback source addresses, e.g. `127.0.0.1-127.0.0.16`.
#[derive(Debug, Clone)]
pub struct SourceRange {
    /// The addresses, in order.
    pub addresses: Vec<IpAddr>,
}

impl SourceRange {
    /// Parses `a.b.c.d` or `a.b.c.d-a.b.c.e` (IPv4, at most 1024 addresses).
    pub fn parse(text: &str) -> Result<SourceRange, String> {
        let parse_one = |part: &str| {
            part.trim()
                .parse::<Ipv4Addr>()
                .map_err(|_| format!("'{part}' is not an IPv4 address"))
        };
        let (first, last) = match text.split_once('-') {
            Some((first, last)) => (parse_one(first)?, parse_one(last)?),
            None => (parse_one(text)?, parse_one(text)?),
        };
        let (first, last) = (u32::from(first), u32::from(last));
        if last < first || last - first >= 1024 {
            return Err(format!("'{text}' is not a range of 1 to 1024 addresses"));
        }
        Ok(SourceRange {
            addresses: (first..=last)
                .map(|n| IpAddr::V4(Ipv4Addr::from(n)))
                .collect(),
        })
    }
}

/// Two clients per source address, handed out round-robin: one for REST calls (a bounded
/// keep-alive pool) and one for WebSocket upgrades (unbounded: an upgraded connection keeps its
/// pool slot for as long as it lives).
pub struct Clients {
    /// REST clients, one per source address.
    rest: Vec<Client>,
    /// WebSocket clients, one per source address.
    sockets: Vec<Client>,
    /// The hub's base URL, `http://host:port`.
    base: String,
}

/// The fields of a `POST /api/calls/start` answer that the scenarios use.
#[derive(Debug, Deserialize)]
pub struct Started {
    /// The new leg.
    pub call_id: String,
    /// `waiting` or `matched`.
    pub status: String,
    /// The partner's leg, when matched.
    pub partner_call_id: Option<String>,
}

impl Clients {
    /// Clients for `base`, one bound to each address of `sources`, each keeping up to `pool`
    /// HTTP connections alive.
    pub fn new(base: &str, sources: &SourceRange, pool: usize) -> Result<Clients, String> {
        let base = base.trim_end_matches('/').to_owned();
        if !base.starts_with("http://") {
            return Err(format!("'{base}' is not an http:// URL"));
        }
        let clients = |limit: usize| -> Vec<Client> {
            sources
                .addresses
                .iter()
                .map(|&address| {
                    let connector = Connector::new()
                        .connector(NoDelay {
                            inner: TcpConnector::default().service(),
                        })
                        .local_address(address)
                        .limit(limit)
                        .timeout(Duration::from_secs(10));
                    Client::builder()
                        .connector(connector)
                        .timeout(Duration::from_secs(30))
                        .finish()
                })
                .collect()
        };
        Ok(Clients {
            rest: clients(pool.max(1)),
            sockets: clients(0),
            base,
        })
    }

    /// The server's base URL, `http://host:port`.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// `POST /api/calls/start` through the `n`th client. A refusal reads as its status and, when
    /// the body names one, its error code (`503 Service Unavailable queue_full`).
    pub async fn start_call(&self, n: usize, role: &str, name: &str) -> Result<Started, String> {
        let url = format!("{}/api/calls/start", self.base);
        let mut response = self.rest[n % self.rest.len()]
            .post(url)
            .send_json(&json!({"user_type": role, "user_name": name}))
            .await
            .map_err(|e| format!("POST /api/calls/start: {e}"))?;
        let status = response.status();
        if !status.is_success() {
            let code = response
                .json::<serde_json::Value>()
                .await
                .ok()
                .and_then(|body| body.get("error")?.as_str().map(str::to_owned))
                .unwrap_or_default();
            return Err(format!("POST /api/calls/start: {status} {code}")
                .trim_end()
                .to_owned());
        }
        response
            .json::<Started>()
            .await
            .map_err(|e| format!("POST /api/calls/start body: {e}"))
    }

    /// `POST /api/chat` through the `n`th client: one user turn in `session_name`, whose
    /// answer is read whole.
    pub async fn chat(&self, n: usize, session_name: &str, message: &str) -> Result<(), String> {
        let url = format!("{}/api/chat", self.base);
        let mut response = self.rest[n % self.rest.len()]
            .post(url)
            .send_json(&json!({"session_name": session_name, "message": message}))
            .await
            .map_err(|e| format!("POST /api/chat: {e}"))?;
        if !response.status().is_success() {
            return Err(format!("POST /api/chat: {}", response.status()));
        }
        response
            .body()
            .await
            .map_err(|e| format!("POST /api/chat: {e}"))?;
        Ok(())
    }

    /// Opens `/ws/call/{call_id}` through the `n`th client.
    pub async fn call_socket(&self, n: usize, call_id: &str) -> Result<Socket, String> {
        self.socket(n, &format!("/ws/call/{call_id}")).await
    }

    /// Opens the WebSocket at `path` through the `n`th client.
    pub async fn socket(&self, n: usize, path: &str) -> Result<Socket, String> {
        let url = format!("{}{path}", self.base.replacen("http", "ws", 1));
        let (_, socket) = self.sockets[n % self.sockets.len()]
            .ws(url)
            .connect()
            .await
            .map_err(|e| format!("WS {path}: {e}"))?;
        Ok(socket)
    }
}

/// The resident memory of process `pid` in KiB (`VmRSS` in `/proc/<pid>/status`).
pub fn resident_kib(pid: u32) -> Result<u64, String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| format!("cannot read /proc/{pid}/status: {e}"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
        .ok_or_else(|| format!("no VmRSS in /proc/{pid}/status"))
}
