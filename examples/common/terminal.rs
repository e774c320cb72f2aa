//! Plumbing shared by the example clients: checking the hub URL, and reading stdin without
//! blocking the socket. Receives the `--url` flag and typed lines; sends nothing to the hub.

use std::io;
use std::thread;

use futures_util::{Stream, stream};

/// Checks `--url` and strips any trailing slash.
pub fn base_url(url: &str) -> Result<&str, String> {
    if url.starts_with("https://") {
        return Err(format!(
            "{url}: these examples speak plain HTTP only (awc is built without TLS)"
        ));
    }
    if !url.starts_with("http://") {
        return Err(format!("{url}: the hub URL must start with http://"));
    }
    Ok(url.trim_end_matches('/'))
}

/// Lines typed on stdin, read by a background thread so that waiting for the keyboard never
/// blocks the socket. The stream ends when stdin does.
pub fn stdin_lines() -> impl Stream<Item = String> {
    let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel();
    thread::spawn(move || {
        for line in io::stdin().lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                return;
            }
        }
    });
    stream::poll_fn(move |cx| receiver.poll_recv(cx))
}
