//! More than one window in a test's Chromium: [`Browser::new_window`] opens one and makes it
//! current, [`Browser::window`] names the current one, [`Browser::switch_to`] changes it and
//! [`Browser::close_window`] closes it, each a WebDriver command of the browser's session.

use serde_json::json;

use super::browser::Browser;

impl Browser<'_> {
    /// Opens a new window, makes it the current one and returns its handle.
    pub async fn new_window(&self) -> String {
        let opened = self
            .command("POST", "/window/new", json!({"type": "window"}))
            .await;
        let handle = opened["handle"]
            .as_str()
            .expect("a window handle")
            .to_owned();
        self.switch_to(&handle).await;
        handle
    }

    /// The current window's handle.
    pub async fn window(&self) -> String {
        let handle = self.command("GET", "/window", json!({})).await;
        handle.as_str().expect("a window handle").to_owned()
    }

    /// Makes window `handle` the current one.
    pub async fn switch_to(&self, handle: &str) {
        self.command("POST", "/window", json!({"handle": handle}))
            .await;
    }

    /// Closes the current window (its pages unload, their sockets close); another must be
    /// switched to before the next command.
    pub async fn close_window(&self) {
        self.command("DELETE", "/window", json!({})).await;
    }
}
