//! The process's open-file limit and the connections it leaves room for. Receives the settings
//! at start; raises the limit once so that one process can hold tens of thousands of sockets
//! (one descriptor each), and sends back the connection budget: WebSockets, SSE streams and
//! plain HTTP connections together must fit under the limit, with descriptors to spare for the
//! store's files and the runtime. A socket or stream limit set explicitly that does not fit
//! stops the hub at start; one left at its default shrinks to fit, with a warning.

use rlimit::Resource;

use crate::config::{Config, ConfigError};

/// Descriptors kept for everything but client connections: the store's files, the listener,
/// the runtime's pollers and wakers, the standard streams.
const RESERVED_DESCRIPTORS: u64 = 128;

/// Besides those, one descriptor in this many stays free, for what comes and goes (a store
/// journal, a socket being cut).
const SPARE_SHARE: u64 = 64;

/// Connections kept for plain HTTP requests beyond the sockets and event streams, when a
/// quarter of what the explicit limits leave allows it.
const HTTP_HEADROOM: usize = 1024;

/// The fewest connections kept for plain HTTP requests.
const MIN_HTTP: usize = 256;

/// When both the socket and the stream limits shrink to fit, the parts sockets take for every
/// part streams take: sockets carry most of the hub's traffic.
const SOCKET_PARTS: usize = 3;

/// The most descriptors the kernel lets one process have (`/proc/sys/fs/nr_open`), or a
/// conservative fallback.
fn kernel_ceiling() -> u64 {
    std::fs::read_to_string("/proc/sys/fs/nr_open")
        .ok()
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(1 << 20)
}

/// Raises the open-file limit as far as this process may: up to the kernel's ceiling when it is
/// privileged, else up to its hard limit. Returns the soft limit now in force.
pub fn raise_open_file_limit() -> std::io::Result<u64> {
    let ceiling = kernel_ceiling();
    if Resource::NOFILE.set(ceiling, ceiling).is_ok() {
        return Ok(ceiling);
    }
    rlimit::increase_nofile_limit(ceiling)
}

/// The soft open-file limit in force (unlimited when it cannot be read).
fn open_file_limit() -> u64 {
    match Resource::NOFILE.get() {
        Ok((soft, _)) => soft,
        Err(error) => {
            log::warn!("cannot read the open-file limit: {error}");
            u64::MAX
        }
    }
}

/// How many connections of each kind the hub takes, all of them under the open-file limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionBudget {
    /// The open-file limit it was computed for.
    pub open_files: u64,
    /// WebSockets at once (`WS_MAX_CONNECTIONS`).
    pub sockets: usize,
    /// SSE streams at once (`SSE_MAX_STREAMS`).
    pub streams: usize,
    /// Plain HTTP connections beyond those.
    pub http: usize,
}

impl ConnectionBudget {
    /// Connections of every kind together.
    pub fn total(&self) -> usize {
        self.sockets
            .saturating_add(self.streams)
            .saturating_add(self.http)
    }

    /// What each of `workers` may accept: the HTTP server's connection limit counts per worker
    /// thread, so together they accept [`ConnectionBudget::total`].
    pub fn per_worker(&self, workers: usize) -> usize {
        self.total().div_ceil(workers.max(1))
    }

    /// Sets the socket and stream limits of `config` to the budget's, logging what it shrank.
    pub fn apply(&self, config: &mut Config) {
        let shrunk = [
            (
                "WS_MAX_CONNECTIONS",
                config.sockets.max_connections,
                self.sockets,
            ),
            (
                "SSE_MAX_STREAMS",
                config.server.sse_max_streams,
                self.streams,
            ),
        ];
        for (name, was, now) in shrunk.into_iter().filter(|(_, was, now)| now < was) {
            log::warn!(
                "the open-file limit ({}) is too low for {name} = {was}; lowered to {now} \
                 (raise the limit, e.g. `ulimit -n`, to keep the default)",
                self.open_files
            );
        }
        config.sockets.max_connections = self.sockets;
        config.server.sse_max_streams = self.streams;
    }
}

/// Connections that fit under an open-file limit of `open_files`.
fn room(open_files: u64) -> usize {
    let kept = RESERVED_DESCRIPTORS.saturating_add(open_files / SPARE_SHARE);
    usize::try_from(open_files.saturating_sub(kept)).unwrap_or(usize::MAX)
}

/// One of the limits that share the room: its variable, its value, whether it was set (a
/// value other than the default) rather than left at the default.
struct Share {
    /// The environment variable.
    name: &'static str,
    /// The configured value.
    wanted: usize,
    /// Set explicitly: kept as it is, or the hub refuses to start.
    set: bool,
}

/// The budget for `config` under the current open-file limit.
pub fn fit_connections(config: &Config) -> Result<ConnectionBudget, ConfigError> {
    connection_budget(config, open_file_limit())
}

/// The budget for `config` under an open-file limit of `open_files`: a socket or stream limit set
/// explicitly is kept and must fit; one left at its default shrinks to what is left (see
/// [`share_the_rest`]). Plain HTTP keeps [`HTTP_HEADROOM`] connections, or a quarter of what the explicit
/// limits leave if less, and never fewer than [`MIN_HTTP`].
pub fn connection_budget(
    config: &Config,
    open_files: u64,
) -> Result<ConnectionBudget, ConfigError> {
    let defaults = Config::default();
    let share = |name, wanted, default| Share {
        name,
        wanted,
        set: wanted != default,
    };
    let shares = [
        share(
            "WS_MAX_CONNECTIONS",
            config.sockets.max_connections,
            defaults.sockets.max_connections,
        ),
        share(
            "SSE_MAX_STREAMS",
            config.server.sse_max_streams,
            defaults.server.sse_max_streams,
        ),
    ];
    let room = room(open_files);
    let explicit = shares.iter().filter(|share| share.set);
    let fixed = explicit.fold(0, |sum: usize, share| sum.saturating_add(share.wanted));
    let flexible = shares.iter().filter(|share| !share.set).count();
    let needed = fixed.saturating_add(MIN_HTTP + flexible);
    if needed > room {
        let any_set = shares.iter().any(|share| share.set);
        let named: Vec<String> = shares
            .iter()
            .filter(|share| share.set || !any_set)
            .map(|share| format!("{} ({})", share.name, share.wanted))
            .collect();
        return Err(ConfigError::TooManyForOpenFiles {
            settings: named.join(" and "),
            wanted: needed,
            http: MIN_HTTP,
            open_files,
            room,
        });
    }
    let left = room - fixed;
    let http = (left / 4).clamp(MIN_HTTP, HTTP_HEADROOM);
    let (sockets, streams) = share_the_rest(&shares, left - http);
    Ok(ConnectionBudget {
        open_files,
        sockets,
        streams,
        http,
    })
}

/// The socket and stream limits when `rest` connections are left for those kept at their
/// defaults (at least one each): a limit set explicitly stays as set; one left at its default
/// takes what it wants of the rest, at most all of it; two left at their defaults share it,
/// sockets taking [`SOCKET_PARTS`] parts for every part of streams, and either takes what the
/// other leaves.
fn share_the_rest([sockets, streams]: &[Share; 2], rest: usize) -> (usize, usize) {
    match (sockets.set, streams.set) {
        (true, true) => (sockets.wanted, streams.wanted),
        (true, false) => (sockets.wanted, streams.wanted.min(rest)),
        (false, true) => (sockets.wanted.min(rest), streams.wanted),
        (false, false) => {
            let socket_part = rest - rest / (SOCKET_PARTS + 1);
            let left_by_streams = rest.saturating_sub(streams.wanted);
            let taken = sockets
                .wanted
                .min(socket_part.max(left_by_streams))
                .min(rest - 1);
            (taken, streams.wanted.min(rest - taken))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_fit_a_large_limit_as_they_are() {
        let budget = connection_budget(&Config::default(), 1 << 20).expect("fits");
        assert_eq!(
            (budget.sockets, budget.streams, budget.http),
            (10_000, 10_000, 1024)
        );
        assert_eq!(budget.total(), 21_024);
        assert_eq!(budget.per_worker(4), 5_256);
        assert_eq!(budget.per_worker(5) * 5, 21_024 + 1, "rounded up");
    }

    #[test]
    fn the_defaults_shrink_under_a_low_limit_and_still_fit() {
        for open_files in [392, 1024, 4096, 20_000, 30_000] {
            let budget = connection_budget(&Config::default(), open_files).expect("fits");
            let kept = RESERVED_DESCRIPTORS + open_files / SPARE_SHARE;
            assert!(budget.total() as u64 <= open_files - kept, "{budget:?}");
            assert!(budget.sockets > 0 && budget.streams > 0 && budget.http > 0);
            assert!(
                budget.sockets >= budget.streams,
                "sockets first: {budget:?}"
            );
        }
        let fit = |open_files| {
            let budget = connection_budget(&Config::default(), open_files).expect("fits");
            (budget.sockets, budget.streams, budget.http)
        };
        assert_eq!(fit(1024), (468, 156, 256), "three parts to one");
        assert_eq!(
            fit(20_000),
            (10_000, 8_536, 1024),
            "streams take what sockets leave"
        );
        assert_eq!(fit(392), (1, 1, 256), "the least that can start");
    }

    #[test]
    fn a_limit_set_above_what_fits_is_refused_and_named() {
        let mut config = Config::default();
        config.sockets.max_connections = 50_000;
        let refused = connection_budget(&config, 20_000).expect_err("does not fit");
        let ConfigError::TooManyForOpenFiles { settings, room, .. } = &refused else {
            panic!("unexpected error {refused:?}");
        };
        assert_eq!(settings, "WS_MAX_CONNECTIONS (50000)");
        assert_eq!(*room, 20_000 - 128 - 312);
        assert!(refused.to_string().contains("open-file limit (20000)"));
    }

    #[test]
    fn a_limit_set_within_the_room_is_kept_and_the_default_takes_the_rest() {
        let mut config = Config::default();
        config.sockets.max_connections = 500;
        let budget = connection_budget(&config, 1024).expect("fits");
        assert_eq!(budget.sockets, 500, "kept as set");
        assert_eq!(budget.http, 256, "the least kept for plain HTTP");
        assert_eq!(budget.streams, 880 - 500 - 256, "the rest of the room");
        config.sockets.max_connections = 19_000;
        let budget = connection_budget(&config, 20_000).expect("fits");
        assert_eq!((budget.sockets, budget.http), (19_000, 256));
        assert_eq!(budget.total(), 19_560, "the whole room");
    }

    #[test]
    fn a_limit_too_low_for_any_connection_is_refused() {
        assert!(connection_budget(&Config::default(), 64).is_err());
    }

    #[test]
    fn apply_sets_the_budget_into_the_config() {
        let mut config = Config::default();
        let budget = connection_budget(&config, 1024).expect("fits");
        budget.apply(&mut config);
        assert_eq!(config.sockets.max_connections, 468);
        assert_eq!(config.server.sse_max_streams, 156);
    }
}
