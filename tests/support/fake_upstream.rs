//! What the fake upstream servers share (the fake model of `fake_openai`, the fake speech to
//! text of `fake_stt`): an accept loop on 127.0.0.1:0 that hands each connection the next of a
//! list of scripted replies (the last one repeats), and the reading of one HTTP/1.1 request
//! (line, headers, a `Content-Length` body) off a plain TCP stream.

use std::future::Future;
use std::net::SocketAddr;

use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};

/// One request as read off the wire.
#[derive(Debug, Clone)]
pub struct UpstreamRequest {
    /// The request line, e.g. `POST /v1/chat/completions HTTP/1.1`.
    pub request_line: String,
    /// The headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The raw body.
    pub body: Vec<u8>,
}

/// Accepts connections on 127.0.0.1:0 on this actix system; the `n`th is served by `serve`
/// with the `n`th of `replies` (the last one for every later connection). Returns the address.
pub async fn serve_in_turn<R, F, Fut>(replies: Vec<R>, serve: F) -> SocketAddr
where
    R: Clone + 'static,
    F: Fn(TcpStream, R) -> Fut + 'static,
    Fut: Future<Output = ()> + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    actix_rt::spawn(async move {
        let mut turn = 0;
        while let Ok((stream, _)) = listener.accept().await {
            let reply = replies[turn.min(replies.len() - 1)].clone();
            turn += 1;
            actix_rt::spawn(serve(stream, reply));
        }
    });
    addr
}

/// Reads one request from `stream`; `None` if the connection ends first.
pub async fn read_request(stream: &mut TcpStream) -> Option<UpstreamRequest> {
    let mut bytes = Vec::new();
    let mut buffer = [0u8; 8192];
    let head_end = loop {
        if let Some(end) = bytes.windows(4).position(|window| window == b"\r\n\r\n") {
            break end;
        }
        let read = stream.read(&mut buffer).await.ok()?;
        if read == 0 {
            return None;
        }
        bytes.extend_from_slice(&buffer[..read]);
    };
    let head = String::from_utf8_lossy(&bytes[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let request_line = lines.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_lowercase(), value.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(0);
    let mut body = bytes[head_end + 4..].to_vec();
    while body.len() < length {
        let read = stream.read(&mut buffer).await.ok()?;
        if read == 0 {
            return None;
        }
        body.extend_from_slice(&buffer[..read]);
    }
    Some(UpstreamRequest {
        request_line,
        headers,
        body,
    })
}
