//! The real `switchboard` binary in a child process: [`spawn_binary`] starts it on an
//! ephemeral loopback port with extra environment variables and learns its address from the
//! first line it prints; the [`Binary`] it returns is a [`HubClient`] for that address, waits
//! for the process to exit and kills it when dropped. [`run_binary_to_exit`] runs one that
//! should refuse to start. [`TempDatabase`] is a database file that cleans up after itself.

use std::io::{BufRead, BufReader, Read};
use std::ops::Deref;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};

use super::{HubClient, PATIENCE, eventually};

/// The binary, running; killed (and reaped) when dropped, so that a failing test leaves no
/// process behind.
pub struct Binary {
    /// The child process.
    pub child: Child,
    /// Talks to it.
    pub client: HubClient,
    /// The lines it wrote on standard error so far.
    pub log: Arc<Mutex<Vec<String>>>,
}

impl Deref for Binary {
    type Target = HubClient;

    /// The binary's client, so that `binary.get(..)` reads like `hub.get(..)`.
    fn deref(&self) -> &HubClient {
        &self.client
    }
}

/// The real binary, to run on an ephemeral loopback port with one worker, an in-memory store
/// and these extra environment variables (which win over those defaults); standard error piped.
fn hub_command(env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_switchboard"));
    command
        .env("HOST", "127.0.0.1")
        .env("PORT", "0")
        .env("WORKERS", "1")
        .env("DATABASE_PATH", ":memory:")
        .env("RUST_LOG", "info")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stderr(Stdio::piped());
    command
}

/// Starts the real binary on an ephemeral loopback port with one worker, an in-memory store
/// and these extra environment variables (which win over those defaults). The binary prints
/// `http://<bound address>` as its first line on standard output; that is where it listens.
pub fn spawn_binary(env: &[(&str, &str)]) -> Binary {
    let mut command = hub_command(env);
    command.stdout(Stdio::piped());
    let mut child = command.spawn().expect("spawn the hub binary");
    let log = Arc::new(Mutex::new(Vec::new()));
    drain(
        child.stderr.take().expect("stderr piped"),
        None,
        Some(log.clone()),
    );
    let (first_line, read) = std::sync::mpsc::channel();
    drain(
        child.stdout.take().expect("stdout piped"),
        Some(first_line),
        None,
    );
    let first = read.recv_timeout(PATIENCE);
    let addr = first
        .as_deref()
        .ok()
        .and_then(|line| line.trim_end().strip_prefix("http://")?.parse().ok());
    let Some(addr) = addr else {
        let _ = child.kill();
        let _ = child.wait();
        panic!("the binary prints http://<address> first, not {first:?}");
    };
    Binary {
        child,
        client: HubClient::new(addr),
        log,
    }
}

/// Runs the binary as [`spawn_binary`] does, with these extra environment variables, until it
/// exits by itself (at most [`PATIENCE`]; it is killed when the wait fails); returns how it
/// exited and what it wrote on standard error.
pub async fn run_binary_to_exit(env: &[(&str, &str)]) -> (ExitStatus, String) {
    let mut command = hub_command(env);
    command.stdout(Stdio::null());
    let mut child = Reaped(command.spawn().expect("spawn the hub binary"));
    let mut stderr = child.0.stderr.take().expect("stderr piped");
    let read = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let status = eventually("the binary to exit by itself", async || {
        child.0.try_wait().expect("poll the child")
    })
    .await;
    (status, read.join().expect("the stderr reader"))
}

/// A child process that is killed (if it still runs) and reaped when dropped.
struct Reaped(Child);

impl Drop for Reaped {
    /// Kills the process if it still runs, and reaps it.
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Reads `output` to its end on a thread of its own, so that the child never blocks on a full
/// pipe: the first line goes to `first_line` when given, every other line to the test's
/// stderr (shown when the test fails), and to `log` when given.
fn drain(
    output: impl Read + Send + 'static,
    first_line: Option<std::sync::mpsc::Sender<String>>,
    log: Option<Arc<Mutex<Vec<String>>>>,
) {
    std::thread::spawn(move || {
        let mut lines = BufReader::new(output).lines().map_while(Result::ok);
        if let Some(first_line) = first_line {
            match lines.next() {
                Some(line) => drop(first_line.send(line)),
                None => return,
            }
        }
        for line in lines {
            eprintln!("[switchboard] {line}");
            if let Some(log) = &log {
                log.lock().expect("the log's lock").push(line);
            }
        }
    });
}

impl Binary {
    /// Waits (at most [`PATIENCE`]) until the process has exited; returns how.
    pub async fn wait_for_exit(&mut self) -> ExitStatus {
        eventually("the hub process to exit", async || {
            self.child.try_wait().expect("poll the child")
        })
        .await
    }

    /// SIGKILL, and wait until the process is gone; returns how it ended.
    pub async fn kill(&mut self) -> ExitStatus {
        self.child.kill().expect("SIGKILL the hub");
        self.wait_for_exit().await
    }
}

impl Drop for Binary {
    /// Kills the process if it still runs, and reaps it.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A temporary database file, removed (with its WAL and shared-memory files) when dropped.
pub struct TempDatabase {
    /// The file's path.
    pub path: std::path::PathBuf,
}

impl TempDatabase {
    /// A fresh, unused path under the system's temp directory.
    pub fn new(label: &str) -> TempDatabase {
        let unique = uuid_like();
        let path = std::env::temp_dir().join(format!(
            "switchboard-{label}-{}-{unique}.db",
            std::process::id()
        ));
        let database = TempDatabase { path };
        database.remove();
        database
    }

    /// The path as the config wants it.
    pub fn path_str(&self) -> String {
        self.path.to_str().expect("a UTF-8 temp path").to_owned()
    }

    /// Removes the file and its WAL, shared-memory and journal files, if any.
    fn remove(&self) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut file = self.path.clone().into_os_string();
            file.push(suffix);
            let _ = std::fs::remove_file(file);
        }
    }
}

impl Drop for TempDatabase {
    /// Removes the files.
    fn drop(&mut self) {
        self.remove();
    }
}

/// A string unique within this machine for a while: the time in nanoseconds and a counter.
fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos());
    format!("{nanos}-{}", COUNTER.fetch_add(1, Ordering::Relaxed))
}
