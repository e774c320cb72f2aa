//! Raw HTTP/1.1 over a plain TCP socket, for clients that misbehave on purpose: a body that
//! stalls half-way, a declared length no body follows, a connection held open and reused at
//! an awkward moment, a reader with a tiny receive window that never reads. [`RawConnection`]
//! writes whatever bytes it is given and reads responses (fixed-length or chunked) and the end
//! of the connection, every read bounded by [`PATIENCE`].

use std::net::SocketAddr;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use super::PATIENCE;

/// One response as read off the wire.
#[derive(Debug)]
pub struct RawResponse {
    /// The status code.
    pub status: u16,
    /// The headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked.
    pub body: Vec<u8>,
}

impl RawResponse {
    /// The value of header `name` (lower case), if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        let found = self.headers.iter().find(|(key, _)| key == name);
        found.map(|(_, value)| value.as_str())
    }

    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }

    /// The body as JSON, if it is.
    pub fn try_json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// Whether the server said it closes the connection after this response.
    pub fn closes(&self) -> bool {
        self.header("connection")
            .is_some_and(|value| value.eq_ignore_ascii_case("close"))
    }
}

/// How a connection ended when it was read to its end.
#[derive(Debug, PartialEq, Eq)]
pub enum Ending {
    /// An orderly close (FIN).
    Closed,
    /// A reset (RST) or another read error.
    Reset,
}

/// A TCP connection to the hub spoken to byte by byte.
pub struct RawConnection {
    /// The socket.
    stream: TcpStream,
    /// Bytes read and not yet consumed.
    buffer: Vec<u8>,
}

impl RawConnection {
    /// Connects to `addr`.
    pub async fn open(addr: SocketAddr) -> RawConnection {
        let stream = TcpStream::connect(addr).await.expect("connect to the hub");
        RawConnection {
            stream,
            buffer: Vec::new(),
        }
    }

    /// Connects to `addr` with a receive buffer of about `bytes` (the kernel rounds it up to
    /// its minimum), so that a client that does not read stops the server's writes quickly.
    pub async fn open_with_small_window(addr: SocketAddr, bytes: u32) -> RawConnection {
        let socket = TcpSocket::new_v4().expect("a TCP socket");
        socket
            .set_recv_buffer_size(bytes)
            .expect("set the receive buffer");
        let stream = socket.connect(addr).await.expect("connect to the hub");
        RawConnection {
            stream,
            buffer: Vec::new(),
        }
    }

    /// Writes `bytes` as they are.
    pub async fn send(&mut self, bytes: &[u8]) {
        self.stream
            .write_all(bytes)
            .await
            .expect("write to the hub");
    }

    /// Writes a request with `head_lines` (no final blank line) and `body`, with a
    /// `Content-Length` of the body's length unless `head_lines` declares one.
    pub async fn request(&mut self, method: &str, path: &str, head_lines: &str, body: &str) {
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: hub\r\n{head_lines}");
        if !head_lines.to_ascii_lowercase().contains("content-length") {
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        self.send(format!("{head}\r\n{body}").as_bytes()).await;
    }

    /// Reads more bytes into the buffer; `false` at the end of the connection.
    async fn fill(&mut self) -> bool {
        let mut chunk = [0u8; 16 * 1024];
        let read = actix_rt::time::timeout(PATIENCE, self.stream.read(&mut chunk))
            .await
            .expect("the hub answered within the patience")
            .expect("the connection was not reset");
        self.buffer.extend_from_slice(&chunk[..read]);
        read > 0
    }

    /// Consumes the buffer up to and including the first `delimiter`, reading as needed.
    async fn take_through(&mut self, delimiter: &[u8]) -> Vec<u8> {
        loop {
            let found = self
                .buffer
                .windows(delimiter.len())
                .position(|w| w == delimiter);
            if let Some(at) = found {
                return self.buffer.drain(..at + delimiter.len()).collect();
            }
            assert!(self.fill().await, "the connection ended inside a response");
        }
    }

    /// Consumes exactly `count` bytes, reading as needed.
    async fn take(&mut self, count: usize) -> Vec<u8> {
        while self.buffer.len() < count {
            assert!(self.fill().await, "the connection ended inside a body");
        }
        self.buffer.drain(..count).collect()
    }

    /// Reads the next response.
    pub async fn response(&mut self) -> RawResponse {
        let head = self.take_through(b"\r\n\r\n").await;
        let head = String::from_utf8(head).expect("an ASCII head");
        let mut lines = head.split("\r\n");
        let status_line = lines.next().expect("a status line");
        let status = status_line
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or_else(|| panic!("a status code in {status_line:?}"));
        let headers: Vec<(String, String)> = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
            .collect();
        let mut response = RawResponse {
            status,
            headers,
            body: Vec::new(),
        };
        if let Some(length) = response.header("content-length") {
            let length = length.parse().expect("a numeric Content-Length");
            response.body = self.take(length).await;
        } else if response.header("transfer-encoding") == Some("chunked") {
            response.body = self.chunked_body().await;
        }
        response
    }

    /// A chunked body, read to its last chunk.
    async fn chunked_body(&mut self) -> Vec<u8> {
        let mut body = Vec::new();
        loop {
            let size_line = self.take_through(b"\r\n").await;
            let size = String::from_utf8_lossy(&size_line);
            let size = usize::from_str_radix(size.trim(), 16).expect("a chunk size");
            let chunk = self.take(size + 2).await;
            body.extend_from_slice(&chunk[..size]);
            if size == 0 {
                return body;
            }
        }
    }

    /// Reads and discards everything until the connection ends; says how it ended. Panics if
    /// it is still open after [`PATIENCE`].
    pub async fn until_end(&mut self) -> Ending {
        let mut chunk = [0u8; 64 * 1024];
        loop {
            let read = actix_rt::time::timeout(PATIENCE, self.stream.read(&mut chunk))
                .await
                .expect("the hub closed the connection within the patience");
            match read {
                Ok(0) => return Ending::Closed,
                Ok(_) => continue,
                Err(_) => return Ending::Reset,
            }
        }
    }
}
