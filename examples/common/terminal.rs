//! Reading stdin without blocking the socket, for the interactive example clients. Receives
//! typed lines; sends nothing to the hub.

use std::io;
use std::thread;

use futures_util::{Stream, stream};

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
