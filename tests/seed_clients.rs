//! The seeds' own example clients against the real hub binary: the Python client printed in
//! seed 004 (`tests/seed_clients/seed004_agent.py`, verbatim but for its URI) streams an answer
//! from `/ws/agent` and ends on `stream_end`; the one printed in seed 002
//! (`tests/seed_clients/seed002_interview.py`, likewise) opens an interview on `/api/v1/ws`,
//! answers and prints the interviewer's question. The clients run in a virtual environment this test
//! creates under `target/` with the `websockets` version pinned here; without Python the test
//! says so and passes.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use support::binary::spawn_binary;

/// The `websockets` release the seed's clients run on.
const WEBSOCKETS: &str = "websockets==15.0.1";

/// A Python with `websockets` installed, made once under `target/`; `None` without Python.
/// The tests of this file run in parallel threads, so the environment is made under a lock:
/// two `python -m venv` on one directory fail.
fn python_with_websockets() -> Option<PathBuf> {
    static VENV: OnceLock<Option<PathBuf>> = OnceLock::new();
    VENV.get_or_init(make_venv).clone()
}

/// Makes the virtual environment and installs [`WEBSOCKETS`] into it.
fn make_venv() -> Option<PathBuf> {
    let python = ["python3", "python"].into_iter().find(|python| {
        Command::new(python)
            .arg("--version")
            .output()
            .is_ok_and(|out| out.status.success())
    })?;
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("seed-clients-venv");
    let venv_python = venv.join("bin").join("python");
    if !venv_python.exists() {
        let made = Command::new(python)
            .args(["-m", "venv"])
            .arg(&venv)
            .status();
        assert!(
            made.is_ok_and(|status| status.success()),
            "python -m venv failed"
        );
    }
    let installed = Command::new(&venv_python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            WEBSOCKETS,
        ])
        .status();
    assert!(
        installed.is_ok_and(|status| status.success()),
        "pip install {WEBSOCKETS} failed"
    );
    Some(venv_python)
}

/// Runs the seed's client `script`, written for `seed_host` (e.g. `localhost:8003`), against
/// the hub at `addr`; returns its standard output.
fn run_seed_client(
    python: &Path,
    script: &str,
    seed_host: &str,
    addr: std::net::SocketAddr,
) -> String {
    let source = std::fs::read_to_string(Path::new("tests/seed_clients").join(script))
        .expect("the seed's client");
    let source = source.replace(seed_host, &addr.to_string());
    let output = Command::new(python)
        .args(["-c", &source])
        .output()
        .expect("run the seed's client");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{script} failed: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[test]
fn seed_004s_python_client_streams_an_answer() {
    let Some(python) = python_with_websockets() else {
        println!("skipped: no Python on this machine to run the seed's client");
        return;
    };
    let hub = spawn_binary(&[("BOT_CHUNK_INTERVAL", "1ms")]);
    let printed = run_seed_client(&python, "seed004_agent.py", "localhost:8003", hub.addr);
    let welcome = printed.lines().next().unwrap_or_default();
    assert!(
        welcome.starts_with("Received:") && welcome.contains("\"type\":\"connected\""),
        "{printed}"
    );
    assert!(printed.contains("✓ Stream completed"), "{printed}");
    let streamed = printed.lines().nth(1).unwrap_or_default();
    assert!(
        streamed.contains("我是 Switchboard 智能客服"),
        "the greeting in the question's language: {printed}"
    );
}

#[test]
fn seed_002s_python_client_gets_the_interviewers_question() {
    let Some(python) = python_with_websockets() else {
        println!("skipped: no Python on this machine to run the seed's client");
        return;
    };
    let hub = spawn_binary(&[]);
    let printed = run_seed_client(&python, "seed002_interview.py", "localhost:8000", hub.addr);
    let reply = printed.lines().next().unwrap_or_default();
    assert!(reply.starts_with("AI回复: "), "{printed}");
    assert!(
        reply.contains("background and your most recent role"),
        "the opening question: {printed}"
    );
}
