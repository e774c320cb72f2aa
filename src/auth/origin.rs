//! Which browser pages may open a socket or an event stream. Receives the request's `Origin`
//! (browsers always send it on a WebSocket and a cross-site request) and `Host`; sends back
//! whether the origin is allowed: the hub's own host, or one of `ALLOWED_ORIGINS`. A request
//! without `Origin` is not a browser page's, and is allowed.

/// The origins allowed beside the hub's own host.
#[derive(Debug, Clone)]
pub struct OriginPolicy {
    /// Every origin is allowed (`*`).
    any: bool,
    /// `host`: any scheme and port of that host.
    hosts: Vec<String>,
    /// `scheme://host[:port]`: that origin exactly (any port when none is given).
    origins: Vec<(String, String, Option<String>)>,
}

impl OriginPolicy {
    /// The policy of the `ALLOWED_ORIGINS` entries.
    pub fn new(entries: &[String]) -> OriginPolicy {
        let mut policy = OriginPolicy {
            any: false,
            hosts: Vec::new(),
            origins: Vec::new(),
        };
        for entry in entries
            .iter()
            .map(|entry| entry.trim().to_ascii_lowercase())
        {
            match entry.split_once("://") {
                _ if entry == "*" => policy.any = true,
                _ if entry.is_empty() => {}
                Some((scheme, authority)) => {
                    let (host, port) = split_authority(authority.trim_end_matches('/'));
                    policy.origins.push((scheme.to_owned(), host, port));
                }
                None => policy.hosts.push(entry),
            }
        }
        policy
    }

    /// Whether a page of `origin` may connect to the hub reached as `host` (`host[:port]`).
    pub fn allows(&self, origin: &str, host: &str) -> bool {
        let origin = origin.trim().to_ascii_lowercase();
        let Some((scheme, authority)) = origin.split_once("://") else {
            return self.any;
        };
        if self.any || authority == host.to_ascii_lowercase() {
            return true;
        }
        let (origin_host, origin_port) = split_authority(authority);
        self.hosts.contains(&origin_host)
            || self
                .origins
                .iter()
                .any(|(allowed_scheme, allowed_host, port)| {
                    allowed_scheme == scheme
                        && *allowed_host == origin_host
                        && (port.is_none() || *port == origin_port)
                })
    }
}

/// `host[:port]` as its host and port (`[::1]:80` as `[::1]` and `80`).
fn split_authority(authority: &str) -> (String, Option<String>) {
    let split_at = match authority.rfind(']') {
        Some(end) => authority[end..].find(':').map(|at| end + at),
        None => authority.rfind(':'),
    };
    match split_at {
        Some(at) => (
            authority[..at].to_owned(),
            Some(authority[at + 1..].to_owned()),
        ),
        None => (authority.to_owned(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(entries: &[&str]) -> OriginPolicy {
        OriginPolicy::new(&entries.iter().map(|e| e.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn the_hubs_own_host_and_the_listed_hosts_are_allowed() {
        let default = policy(&["localhost", "127.0.0.1", "[::1]"]);
        assert!(default.allows("https://hub.example:8443", "hub.example:8443"));
        assert!(default.allows("http://localhost:5173", "hub.example"));
        assert!(default.allows("http://[::1]:3000", "hub.example"));
        assert!(!default.allows("https://evil.example", "hub.example"));
        assert!(!default.allows("null", "hub.example"));
        assert!(!default.allows("http://localhost.evil.example", "hub.example"));
    }

    #[test]
    fn listed_origins_match_scheme_host_and_port() {
        let listed = policy(&["https://app.example", "http://dev.example:8080"]);
        assert!(listed.allows("https://app.example", "hub"));
        assert!(listed.allows("https://app.example:444", "hub"));
        assert!(!listed.allows("http://app.example", "hub"));
        assert!(listed.allows("http://dev.example:8080", "hub"));
        assert!(!listed.allows("http://dev.example:8081", "hub"));
        assert!(policy(&["*"]).allows("null", "hub"));
    }
}
