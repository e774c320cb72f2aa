//! A WebSocket client that misbehaves on purpose, over a plain TCP socket: it can declare any
//! frame length, send any bytes as a text frame, and shrink its receive buffer and never read.
//! [`RawSocket`] does the upgrade by hand, writes frames byte by byte as a client would, and
//! reads the server's frames until a close. Every read is bounded by [`PATIENCE`].

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use super::PATIENCE;

/// Opcode of a text frame.
pub const TEXT: u8 = 0x1;
/// Opcode of a continuation frame.
pub const CONTINUATION: u8 = 0x0;

/// An upgraded socket driven by hand.
pub struct RawSocket {
    /// The connection.
    stream: TcpStream,
    /// Bytes read past the upgrade response or the last frame.
    buffered: Vec<u8>,
}

/// The header of a masked client frame: FIN when `last`, `opcode`, and a declared `length`.
pub fn frame_header(last: bool, opcode: u8, length: u64) -> Vec<u8> {
    let mut out = vec![if last { 0x80 | opcode } else { opcode }];
    match length {
        0..=125 => out.push(0x80 | length as u8),
        126..=65535 => {
            out.push(0x80 | 126);
            out.extend_from_slice(&(length as u16).to_be_bytes());
        }
        _ => {
            out.push(0x80 | 127);
            out.extend_from_slice(&length.to_be_bytes());
        }
    }
    out.extend_from_slice(&[0, 0, 0, 0]);
    out
}

/// A whole masked client frame (the mask is all zeroes, so the payload goes as it is).
pub fn frame(last: bool, opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = frame_header(last, opcode, payload.len() as u64);
    out.extend_from_slice(payload);
    out
}

impl RawSocket {
    /// Upgrades `path` on `addr`; `receive_buffer` shrinks the socket's receive buffer first.
    pub async fn connect(addr: SocketAddr, path: &str, receive_buffer: Option<u32>) -> RawSocket {
        let socket = TcpSocket::new_v4().expect("a TCP socket");
        if let Some(size) = receive_buffer {
            socket
                .set_recv_buffer_size(size)
                .expect("a receive buffer size");
        }
        let mut stream = socket.connect(addr).await.expect("connect");
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).await.expect("upgrade");
        let mut raw = RawSocket {
            stream,
            buffered: Vec::new(),
        };
        let end = loop {
            if let Some(end) = raw.buffered.windows(4).position(|w| w == b"\r\n\r\n") {
                break end + 4;
            }
            assert!(
                raw.read_more().await,
                "the connection ended during the upgrade"
            );
        };
        let head = String::from_utf8_lossy(&raw.buffered[..end]).into_owned();
        assert!(head.starts_with("HTTP/1.1 101"), "upgrade refused: {head}");
        raw.buffered.drain(..end);
        raw
    }

    /// Writes `bytes` as they are.
    pub async fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).await.expect("write");
    }

    /// Writes `bytes`, returning whether the hub still took them.
    pub async fn try_send(&mut self, bytes: &[u8]) -> bool {
        self.stream.write_all(bytes).await.is_ok()
    }

    /// Reads more bytes; false when the connection ended.
    async fn read_more(&mut self) -> bool {
        let mut chunk = [0u8; 8192];
        let read = tokio::time::timeout(PATIENCE, self.stream.read(&mut chunk))
            .await
            .expect("the hub answered in time");
        match read {
            Ok(0) | Err(_) => false,
            Ok(n) => {
                self.buffered.extend_from_slice(&chunk[..n]);
                true
            }
        }
    }

    /// Reads the server's frames until a close and returns its code and reason, or `None` when
    /// the connection ends without one.
    pub async fn close_frame(&mut self) -> Option<(u16, String)> {
        loop {
            while let Some((opcode, payload)) = self.take_frame() {
                if opcode == 0x8 {
                    let code = u16::from_be_bytes([*payload.first()?, *payload.get(1)?]);
                    let reason = String::from_utf8_lossy(&payload[2..]).into_owned();
                    return Some((code, reason));
                }
            }
            if !self.read_more().await {
                return None;
            }
        }
    }

    /// One whole unmasked server frame from the buffer, if there is one.
    fn take_frame(&mut self) -> Option<(u8, Vec<u8>)> {
        let bytes = &self.buffered;
        let opcode = bytes.first()? & 0x0F;
        let (length, start) = match bytes.get(1)? & 0x7F {
            126 => (
                u16::from_be_bytes([*bytes.get(2)?, *bytes.get(3)?]) as usize,
                4,
            ),
            127 => (
                u64::from_be_bytes(bytes.get(2..10)?.try_into().ok()?) as usize,
                10,
            ),
            short => (short as usize, 2),
        };
        let payload = bytes.get(start..start + length)?.to_vec();
        self.buffered.drain(..start + length);
        Some((opcode, payload))
    }
}
