//! Raw TCP for the `chaos` scenario, where a well-behaved client library would refuse to
//! misbehave: HTTP/1.1 requests written by hand, the WebSocket upgrade, client frames built bit
//! by bit (any opcode, flags, mask or declared length), and a reader that parses the server's
//! frames and says how the connection ended. Sends bytes; receives the hub's answers, error
//! frames and close frames.

use std::io;
use std::net::SocketAddr;

use serde_json::Value;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::time::{Instant, timeout_at};

/// Text frame opcode.
pub const TEXT: u8 = 0x1;
/// Binary frame opcode.
pub const BINARY: u8 = 0x2;
/// Continuation frame opcode.
pub const CONTINUATION: u8 = 0x0;
/// Close frame opcode.
pub const CLOSE: u8 = 0x8;
/// Ping frame opcode.
pub const PING: u8 = 0x9;

/// Largest server frame the reader buffers; a bigger one ends the reading.
const MAX_SERVER_FRAME: usize = 16 << 20;

/// How a connection ended, as the client saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The server sent a close frame, with its code if it gave one.
    Closed(Option<u16>),
    /// The connection was reset (or the pipe broke) under the client.
    Reset,
    /// The server closed the TCP connection without a close frame.
    Ended,
    /// Still open when the client stopped waiting.
    Open,
}

impl Ending {
    /// `close 1009`, `reset`, `ended without close`, `open at deadline`.
    pub fn label(self) -> String {
        match self {
            Ending::Closed(Some(code)) => format!("close {code}"),
            Ending::Closed(None) => "close without code".into(),
            Ending::Reset => "reset".into(),
            Ending::Ended => "ended without close".into(),
            Ending::Open => "open at deadline".into(),
        }
    }

    /// The ending an I/O error means.
    pub fn of(error: &io::Error) -> Ending {
        match error.kind() {
            io::ErrorKind::UnexpectedEof => Ending::Ended,
            _ => Ending::Reset,
        }
    }
}

/// What a reader saw before the connection ended.
#[derive(Debug, Default)]
pub struct Seen {
    /// Error frames, by their `error` code.
    pub errors: Vec<String>,
    /// Other text frames.
    pub texts: u64,
}

/// Connects to `target`, with a small receive buffer when asked (so that a reader that
/// stalls fills it fast).
pub async fn connect(target: SocketAddr, small_buffer: bool) -> io::Result<TcpStream> {
    let socket = match target {
        SocketAddr::V4(_) => TcpSocket::new_v4()?,
        SocketAddr::V6(_) => TcpSocket::new_v6()?,
    };
    if small_buffer {
        socket.set_recv_buffer_size(4096)?;
    }
    let stream = socket.connect(target).await?;
    stream.set_nodelay(true)?;
    Ok(stream)
}

/// An upgraded WebSocket: the stream and whatever the server sent after its 101 head.
pub struct Upgraded {
    /// The connection.
    pub stream: TcpStream,
    /// Bytes already read past the head.
    pub leftover: Vec<u8>,
}

/// Asks for a WebSocket upgrade at `path`: the status the server answered, and the socket if
/// it is 101.
pub async fn upgrade(
    mut stream: TcpStream,
    host: &str,
    path: &str,
    deadline: Instant,
) -> io::Result<(u16, Option<Upgraded>)> {
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await?;
    let mut buffer = Vec::with_capacity(1024);
    let end = loop {
        if let Some(end) = find(&buffer, b"\r\n\r\n") {
            break end;
        }
        if buffer.len() > 16 * 1024 {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "endless head"));
        }
        let read = timeout_at(deadline, stream.read_buf(&mut buffer)).await;
        match read.map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "no upgrade answer"))?? {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            _ => continue,
        }
    };
    let status = status_of(&buffer[..end])?;
    let leftover = buffer.split_off(end + 4);
    let upgraded = (status == 101).then_some(Upgraded { stream, leftover });
    Ok((status, upgraded))
}

/// Sends a whole HTTP request and reads the answer to the end of the connection: the status
/// and the body (the request should say `Connection: close`).
pub async fn exchange(
    target: SocketAddr,
    request: &[u8],
    deadline: Instant,
) -> Result<(u16, Vec<u8>), Ending> {
    let mut stream = connect(target, false)
        .await
        .map_err(|error| Ending::of(&error))?;
    stream
        .write_all(request)
        .await
        .map_err(|error| Ending::of(&error))?;
    let mut answer = Vec::new();
    match timeout_at(deadline, stream.read_to_end(&mut answer)).await {
        Err(_) if answer.is_empty() => return Err(Ending::Open),
        Ok(Err(error)) if answer.is_empty() => return Err(Ending::of(&error)),
        _ => {}
    }
    let end = find(&answer, b"\r\n\r\n").ok_or(Ending::Ended)?;
    let status = status_of(&answer[..end]).map_err(|_| Ending::Ended)?;
    Ok((status, answer.split_off(end + 4)))
}

/// A `POST path` with a JSON body, as bytes.
pub fn post(host: &str, path: &str, body: &Value) -> Vec<u8> {
    let body = body.to_string();
    format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// The status code of an HTTP head.
fn status_of(head: &[u8]) -> io::Result<u16> {
    let line = head.split(|&byte| byte == b'\r').next().unwrap_or_default();
    let code = String::from_utf8_lossy(line)
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok());
    code.ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "no HTTP status"))
}

/// Where `needle` first occurs in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// A client frame's bits.
#[derive(Debug, Clone, Copy)]
pub struct Bits {
    /// Final fragment.
    pub fin: bool,
    /// The three reserved bits (0 unless negotiated: anything else breaks the protocol).
    pub rsv: u8,
    /// Opcode, 4 bits.
    pub opcode: u8,
    /// Whether the payload is masked (a client must mask).
    pub masked: bool,
}

impl Bits {
    /// A final, masked frame of `opcode`.
    pub fn whole(opcode: u8) -> Bits {
        Bits {
            fin: true,
            rsv: 0,
            opcode,
            masked: true,
        }
    }
}

/// A frame's head declaring `length` payload bytes (whatever follows), with `mask_key` if
/// masked.
pub fn head(bits: Bits, length: u64, mask_key: [u8; 4]) -> Vec<u8> {
    let mut out = vec![(u8::from(bits.fin) << 7) | ((bits.rsv & 0x7) << 4) | (bits.opcode & 0xF)];
    let mask_bit = u8::from(bits.masked) << 7;
    match length {
        0..=125 => out.push(mask_bit | length as u8),
        126..=0xFFFF => {
            out.push(mask_bit | 126);
            out.extend_from_slice(&(length as u16).to_be_bytes());
        }
        _ => {
            out.push(mask_bit | 127);
            out.extend_from_slice(&length.to_be_bytes());
        }
    }
    if bits.masked {
        out.extend_from_slice(&mask_key);
    }
    out
}

/// A whole frame: head and payload, masked with `mask_key` when the bits say so.
pub fn frame(bits: Bits, payload: &[u8], mask_key: [u8; 4]) -> Vec<u8> {
    let mut out = head(bits, payload.len() as u64, mask_key);
    let masking = |(i, byte): (usize, &u8)| match bits.masked {
        true => byte ^ mask_key[i % 4],
        false => *byte,
    };
    out.extend(payload.iter().enumerate().map(masking));
    out
}

/// A close frame with `code`.
pub fn close(code: u16, mask_key: [u8; 4]) -> Vec<u8> {
    frame(Bits::whole(CLOSE), &code.to_be_bytes(), mask_key)
}

/// Reads the server's frames until it closes, the connection ends, or `deadline`; counts
/// error frames and other text frames into `seen`. `buffer` holds bytes already read.
pub async fn read_until_end(
    reader: &mut (impl AsyncRead + Unpin),
    mut buffer: Vec<u8>,
    deadline: Instant,
    seen: &mut Seen,
) -> Ending {
    loop {
        while let Some((opcode, payload, used)) = server_frame(&buffer) {
            match opcode {
                TEXT => note_text(&buffer[payload], seen),
                CLOSE => {
                    let code = buffer.get(payload.start..payload.start + 2);
                    return Ending::Closed(code.map(|code| u16::from_be_bytes([code[0], code[1]])));
                }
                _ => {}
            }
            buffer.drain(..used);
        }
        if buffer.len() > MAX_SERVER_FRAME {
            return Ending::Ended;
        }
        match timeout_at(deadline, reader.read_buf(&mut buffer)).await {
            Err(_) => return Ending::Open,
            Ok(Ok(0)) => return Ending::Ended,
            Ok(Ok(_)) => {}
            Ok(Err(error)) => return Ending::of(&error),
        }
    }
}

/// Counts one text frame from the server.
fn note_text(payload: &[u8], seen: &mut Seen) {
    let value: Value = serde_json::from_slice(payload).unwrap_or_default();
    match (&value["type"], &value["error"]) {
        (kind, Value::String(code)) if kind == "error" => seen.errors.push(code.clone()),
        _ => seen.texts += 1,
    }
}

/// The first whole (unmasked) server frame in `buffer`: its opcode, where its payload is, and
/// how many bytes it takes.
fn server_frame(buffer: &[u8]) -> Option<(u8, std::ops::Range<usize>, usize)> {
    let (first, second) = (*buffer.first()?, *buffer.get(1)?);
    let (length, start) = match second & 0x7F {
        126 => (
            u64::from(u16::from_be_bytes([*buffer.get(2)?, *buffer.get(3)?])),
            4,
        ),
        127 => (u64::from_be_bytes(buffer.get(2..10)?.try_into().ok()?), 10),
        short => (u64::from(short), 2),
    };
    let start: usize = start + if second & 0x80 != 0 { 4 } else { 0 };
    let end = start.checked_add(usize::try_from(length).ok()?)?;
    (buffer.len() >= end).then_some((first & 0x0F, start..end, end))
}
