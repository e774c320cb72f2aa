//! A blocking raw HTTP/1.1 client over `std::net::TcpStream`, for tests that run outside an
//! async runtime (the REST property tests): it sends any bytes as a body (where a well-behaved
//! client library would refuse some), one request per connection, and reads the whole answer,
//! chunked or not, as a [`RawResponse`]. Every read and write is bounded by
//! [`TIMEOUT`], so a hub that stops answering fails the test instead of hanging it.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use super::raw::RawResponse;

/// Longest wait for a connection, a write or the answer.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// Sends `method path` with `body` (declared as JSON, with its true length), closes the
/// sending half (so a server that answers before reading a large body has no reason to wait
/// for the rest), and reads the answer to the end of the connection.
pub fn send(addr: SocketAddr, method: &str, path: &str, body: &[u8]) -> io::Result<RawResponse> {
    let mut stream = TcpStream::connect_timeout(&addr, TIMEOUT)?;
    stream.set_read_timeout(Some(TIMEOUT))?;
    stream.set_write_timeout(Some(TIMEOUT))?;
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let mut request = head.into_bytes();
    request.extend_from_slice(body);
    let written = stream.write_all(&request);
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let mut raw = Vec::new();
    let read = stream.read_to_end(&mut raw);
    match parse(&raw) {
        Ok(answer) => Ok(answer),
        Err(unparsed) => Err(written.and(read).err().unwrap_or(unparsed)),
    }
}

/// Splits a whole answer into status, headers and body.
fn parse(raw: &[u8]) -> io::Result<RawResponse> {
    let end = find(raw, b"\r\n\r\n").ok_or_else(|| malformed("no end of the head"))?;
    let head = std::str::from_utf8(&raw[..end]).map_err(|_| malformed("head not UTF-8"))?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| malformed("no status code"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let rest = &raw[end + 4..];
    let chunked = headers
        .iter()
        .any(|(name, value)| name == "transfer-encoding" && value.contains("chunked"));
    let body = if chunked {
        dechunk(rest)?
    } else {
        rest.to_vec()
    };
    Ok(RawResponse {
        status,
        headers,
        body,
    })
}

/// The body of a chunked transfer.
fn dechunk(mut rest: &[u8]) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = find(rest, b"\r\n").ok_or_else(|| malformed("chunk size"))?;
        let size_text = std::str::from_utf8(&rest[..line_end]).unwrap_or_default();
        let size_text = size_text.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16).map_err(|_| malformed("chunk size"))?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Ok(body);
        }
        let chunk = rest.get(..size).ok_or_else(|| malformed("short chunk"))?;
        body.extend_from_slice(chunk);
        rest = rest
            .get(size + 2..)
            .ok_or_else(|| malformed("short chunk"))?;
    }
}

/// Where `needle` first occurs in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// An answer that is no HTTP.
fn malformed(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("malformed answer: {what}"),
    )
}

/// `text` as one percent-encoded path segment.
pub fn path_segment(text: &str) -> String {
    let unreserved = |byte: u8| byte.is_ascii_alphanumeric() || b"-._~".contains(&byte);
    text.bytes()
        .map(|byte| match unreserved(byte) {
            true => (byte as char).to_string(),
            false => format!("%{byte:02X}"),
        })
        .collect()
}
