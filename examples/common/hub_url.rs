//! The hub's URL as the example clients take it. Receives the `--url` flag; sends back the
//! base URL to build HTTP and WebSocket addresses on, or why it cannot be used.

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
