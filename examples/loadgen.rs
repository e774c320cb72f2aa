//! Load generator for Switchboard and any server that speaks seed 000's call protocol.
//!
//! ```text
//! cargo run --release --example loadgen -- --url http://127.0.0.1:8000 calls --pairs 100 --rate 10000
//! cargo run --release --example loadgen -- idle --connections 50000 --server-pid PID --source 127.0.0.1-127.0.0.16
//! cargo run --release --example loadgen -- --json match.json match --concurrency 64 --prefill 10000
//! cargo run --release --example loadgen -- chat --concurrency 64 --duration 10
//! cargo run --release --example loadgen -- chaos --rate 20 --duration 60 --hub-pid PID
//! cargo run --release --example loadgen -- agent --connections 1000 --duration 10 --upstream-port 8200
//! ```
//!
//! Each scenario is one module under `loadgen/`: it takes its own flags, drives the server
//! through the shared clients in `net`, and returns a report that is printed as a table and,
//! with `--json FILE`, written as JSON. Sends HTTP requests and WebSocket frames to the server;
//! receives its answers.

#[path = "loadgen/agent.rs"]
mod agent;
#[path = "loadgen/calls.rs"]
mod calls;
#[path = "loadgen/chaos.rs"]
mod chaos;
#[path = "loadgen/chat.rs"]
mod chat;
#[path = "loadgen/idle.rs"]
mod idle;
#[path = "loadgen/matching.rs"]
mod matching;
#[path = "loadgen/net.rs"]
mod net;
#[path = "loadgen/stats.rs"]
mod stats;
#[path = "loadgen/upstream.rs"]
mod upstream;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use serde::Serialize;

/// Flags shared by every scenario.
#[derive(Debug, Parser)]
#[command(
    name = "loadgen",
    about = "Drives a seed-000 call server and measures it."
)]
struct Cli {
    /// Base URL of the server under test.
    #[arg(long, env = "LOADGEN_URL", default_value = "http://127.0.0.1:8000")]
    url: String,
    /// Source addresses to spread connections over, e.g. 127.0.0.1-127.0.0.16 (each address
    /// brings its own ephemeral ports).
    #[arg(long, default_value = "127.0.0.1", value_parser = net::SourceRange::parse)]
    source: net::SourceRange,
    /// Also write the report as JSON to this file.
    #[arg(long)]
    json: Option<std::path::PathBuf>,
    /// The scenario.
    #[command(subcommand)]
    scenario: Scenario,
}

/// The scenarios.
#[derive(Debug, Subcommand)]
enum Scenario {
    /// Pairs exchanging transcripts at an offered rate: latency, throughput, loss.
    Calls(calls::CallsArgs),
    /// Many idle sockets: how many are held and the server's memory per socket.
    Idle(idle::IdleArgs),
    /// Customers and agents arriving concurrently: pairs matched per second.
    Match(matching::MatchArgs),
    /// Seed-001 bot conversations: stored chat turns per second and their latency.
    Chat(chat::ChatArgs),
    /// Misbehaving clients on raw TCP: what the hub answers, its memory, and whether it lives.
    Chaos(chaos::ChaosArgs),
    /// Seed-004 streamed answers: time to the first chunk, gaps between chunks, streams/s.
    Agent(agent::AgentArgs),
}

/// One run's report, whatever the scenario.
#[derive(Serialize)]
struct Report<'a, T: Serialize> {
    /// Scenario name.
    scenario: &'a str,
    /// Server URL.
    url: &'a str,
    /// When the run ended.
    finished_at: String,
    /// The scenario's own figures.
    result: T,
}

#[actix_web::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match switchboard::raise_open_file_limit() {
        Ok(limit) => eprintln!("loadgen: open-file limit {limit}"),
        Err(error) => eprintln!("loadgen: cannot raise the open-file limit: {error}"),
    }
    let pool = match &cli.scenario {
        Scenario::Calls(args) => args.setup_concurrency,
        Scenario::Idle(args) => args.connect_concurrency,
        Scenario::Match(args) => args.concurrency,
        Scenario::Chat(args) => args.concurrency,
        Scenario::Chaos(_) => 1,
        Scenario::Agent(_) => 1,
    };
    let clients = match net::Clients::new(&cli.url, &cli.source, pool) {
        Ok(clients) => clients,
        Err(error) => return fail(&error),
    };
    let outcome = match &cli.scenario {
        Scenario::Calls(args) => finish(
            &cli,
            "calls",
            calls::run(&clients, args).await,
            calls::CallsReport::print,
        ),
        Scenario::Idle(args) => finish(
            &cli,
            "idle",
            idle::run(&clients, args).await,
            idle::IdleReport::print,
        ),
        Scenario::Match(args) => finish(
            &cli,
            "match",
            matching::run(&clients, args).await,
            matching::MatchReport::print,
        ),
        Scenario::Chat(args) => finish(
            &cli,
            "chat",
            chat::run(&clients, args).await,
            chat::ChatReport::print,
        ),
        Scenario::Agent(args) => finish(
            &cli,
            "agent",
            agent::run(&clients, args).await,
            agent::AgentReport::print,
        ),
        Scenario::Chaos(args) => {
            let report = chaos::run(&clients, args).await;
            let alive = report.as_ref().map_or(true, chaos::ChaosReport::hub_alive);
            finish(&cli, "chaos", report, chaos::ChaosReport::print).and_then(|()| match alive {
                true => Ok(()),
                false => Err("the hub stopped answering /api/health".into()),
            })
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(&error),
    }
}

/// Reports a failure and gives the exit code.
fn fail(error: &str) -> ExitCode {
    eprintln!("loadgen: {error}");
    ExitCode::FAILURE
}

/// Prints the report and writes the JSON file if asked.
fn finish<T: Serialize>(
    cli: &Cli,
    scenario: &str,
    result: Result<T, String>,
    print: fn(&T),
) -> Result<(), String> {
    let result = result?;
    print(&result);
    if let Some(path) = &cli.json {
        let report = Report {
            scenario,
            url: &cli.url,
            finished_at: chrono::Utc::now().to_rfc3339(),
            result,
        };
        let text = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
        std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}
