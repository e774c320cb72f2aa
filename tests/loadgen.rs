//! The load generator's own correctness: run briefly against an in-process hub, every scenario
//! must complete with nothing lost, duplicated or misrouted, and its counts must add up; the
//! `chaos` scenario, which reports rather than asserts, must run, send frames, leave the hub
//! answering and print its summary.

mod support;

#[path = "../examples/loadgen/agent.rs"]
mod agent;
#[path = "../examples/loadgen/calls.rs"]
mod calls;
#[path = "../examples/loadgen/chaos.rs"]
mod chaos;
#[path = "../examples/loadgen/chat.rs"]
mod chat;
#[path = "../examples/loadgen/idle.rs"]
mod idle;
#[path = "../examples/loadgen/matching.rs"]
mod matching;
#[path = "../examples/loadgen/net.rs"]
mod net;
#[path = "../examples/loadgen/stats.rs"]
mod stats;
#[path = "../examples/loadgen/upstream.rs"]
mod upstream;

use support::{HubClient, start_hub, test_config, test_config_with};

/// The load generator's clients for `hub`, from two loopback source addresses.
fn clients(hub: &HubClient) -> net::Clients {
    let sources = net::SourceRange::parse("127.0.0.1-127.0.0.2").expect("a range");
    net::Clients::new(&hub.url(""), &sources, 16).expect("clients")
}

#[actix_rt::test]
async fn calls_scenario_counts_every_line_and_loses_none() {
    let hub = start_hub(test_config());
    let args = calls::CallsArgs {
        pairs: 10,
        rate: 400.0,
        duration: 1.0,
        ramp: 0.2,
        drain: 5.0,
        setup_concurrency: 8,
    };
    let report = calls::run(&clients(&hub), &args).await.expect("calls run");
    report.print();
    assert!(report.sent >= 300, "sent {}", report.sent);
    assert_eq!(report.delivered, report.sent);
    assert_eq!(report.lost, 0);
    assert_eq!(report.duplicated, 0);
    assert_eq!(report.misrouted, 0);
    assert_eq!(report.errors, 0);
    assert_eq!(report.latency.count as u64, report.delivered);
    assert!(report.latency.p50_ms <= report.latency.p99_ms);
    assert!(report.latency.p99_ms <= report.latency.max_ms);
    let (_, health) = hub.get("/api/health").await;
    assert_eq!(health["calls_matched"], 10);
}

#[actix_rt::test]
async fn match_scenario_counts_pairs() {
    let hub = start_hub(test_config());
    let args = matching::MatchArgs {
        concurrency: 8,
        duration: 0.5,
        prefill: 0,
    };
    let report = matching::run(&clients(&hub), &args)
        .await
        .expect("match run");
    report.print();
    assert_eq!(report.errors, 0);
    assert!(report.pairs > 0);
    assert!(report.pairs * 2 <= report.requests);
    let (_, health) = hub.get("/api/health").await;
    assert_eq!(health["calls_matched"], report.pairs);
}

#[actix_rt::test]
async fn match_scenario_prefills_the_queue_and_times_every_start() {
    let hub = start_hub(test_config());
    let args = matching::MatchArgs {
        concurrency: 8,
        duration: 0.3,
        prefill: 50,
    };
    let report = matching::run(&clients(&hub), &args)
        .await
        .expect("match run");
    report.print();
    assert_eq!(report.prefill.requested, 50);
    assert_eq!(report.prefill.waiting, 50, "{:?}", report.prefill);
    assert_eq!(report.prefill.refused, 0);
    assert!(report.prefill.duration_s > 0.0);
    assert_eq!(report.errors, 0);
    assert!(report.pairs > 0);
    assert_eq!(report.latency.count as u64, report.requests);
    assert!(report.latency.p50_ms > 0.0);
    assert!(report.latency.p50_ms <= report.latency.p99_ms);
    assert!(report.latency.p99_ms <= report.latency.max_ms);
    let (_, health) = hub.get("/api/health").await;
    assert_eq!(health["calls_matched"], report.pairs);
    assert_eq!(
        health["waiting_customers"], report.customers_waiting_at_end,
        "the queue depth the answers imply is the hub's"
    );
    assert_eq!(health["available_agents"], report.agents_waiting_at_end);
}

#[actix_rt::test]
async fn match_scenario_shows_a_refused_prefill() {
    let hub = start_hub(test_config_with(|config| config.calls.queue_limit = 20));
    let args = matching::MatchArgs {
        concurrency: 4,
        duration: 0.1,
        prefill: 30,
    };
    let report = matching::run(&clients(&hub), &args)
        .await
        .expect("match run");
    report.print();
    assert_eq!(report.prefill.waiting, 20, "{:?}", report.prefill);
    assert_eq!(report.prefill.refused, 10);
    assert_eq!(
        report
            .prefill
            .refusals
            .get("POST /api/calls/start: 503 Service Unavailable queue_full"),
        Some(&10),
        "{:?}",
        report.prefill.refusals
    );
}

#[actix_rt::test]
async fn chat_scenario_counts_every_stored_turn() {
    let hub = start_hub(test_config());
    let args = chat::ChatArgs {
        concurrency: 4,
        duration: 0.5,
    };
    let report = chat::run(&clients(&hub), &args).await.expect("chat run");
    report.print();
    assert_eq!(report.errors, 0);
    assert!(report.turns > 0);
    assert!(report.latency.p50_ms <= report.latency.p99_ms);
    let (_, sessions) = hub.get("/api/sessions?limit=1000").await;
    let stored: u64 = sessions["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .map(|row| row["last_seq"].as_u64().expect("last_seq") / 2)
        .sum();
    assert_eq!(stored, report.turns, "every answered turn is in the store");
}

#[actix_rt::test]
async fn agent_scenario_times_every_chunk_of_every_stream() {
    let hub = start_hub(test_config_with(|config| {
        config.bot.chunk_interval = std::time::Duration::from_millis(2);
    }));
    let args = agent::AgentArgs {
        connections: 4,
        duration: 0.5,
        query: "where is my order?".into(),
        upstream_port: None,
        upstream_chunks: 20,
        upstream_gap_ms: 10,
    };
    let report = agent::run(&clients(&hub), &args).await.expect("agent run");
    report.print();
    assert_eq!(report.errors, 0);
    assert_eq!(report.connections, 4);
    assert!(report.streams > 0);
    assert_eq!(
        report.first_chunk.count as u64, report.streams,
        "one first chunk a stream"
    );
    assert_eq!(
        report.chunks,
        report.first_chunk.count as u64 + report.chunk_gap.count as u64
    );
    let (_, figures) = hub.get("/ws/statistics").await;
    assert_eq!(figures["total_connections"], 4);
}

#[actix_rt::test]
async fn agent_scenario_measures_what_the_hub_adds_to_a_models_chunks() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let hub = start_hub(test_config_with(|config| {
        config.bot.backend = switchboard_actors::bot::bot_config::BackendKind::Openai;
        config.bot.openai_base_url = format!("http://127.0.0.1:{port}");
    }));
    let args = agent::AgentArgs {
        connections: 4,
        duration: 0.5,
        query: "hello".into(),
        upstream_port: Some(port),
        upstream_chunks: 5,
        upstream_gap_ms: 2,
    };
    let report = agent::run(&clients(&hub), &args).await.expect("agent run");
    report.print();
    assert_eq!(report.errors, 0);
    assert!(report.streams > 0);
    assert_eq!(
        report.chunks,
        report.streams * 5,
        "every chunk of the model arrives"
    );
    let first = report
        .added_first_chunk
        .expect("the hub's share of first chunks");
    let later = report
        .added_later_chunks
        .expect("the hub's share of later chunks");
    assert_eq!(first.count as u64, report.streams);
    assert_eq!(later.count as u64, report.streams * 4);
    assert!(first.p50_ms <= report.first_chunk.p50_ms);
}

#[actix_rt::test]
async fn idle_scenario_holds_every_socket() {
    let hub = start_hub(test_config());
    let args = idle::IdleArgs {
        connections: 50,
        connect_concurrency: 10,
        hold: 0.3,
        server_pid: Some(std::process::id()),
    };
    let report = idle::run(&clients(&hub), &args).await.expect("idle run");
    report.print();
    assert_eq!(report.held, 50, "{report:?}");
    assert_eq!(report.failed, 0);
    assert!(report.server_rss_after_kib.is_some());
}

#[actix_rt::test]
async fn chaos_scenario_runs_sends_frames_and_leaves_the_hub_alive() {
    let hub = start_hub(test_config());
    let args = chaos::ChaosArgs {
        rate: 40.0,
        duration: 0.5,
        stall: 0.3,
        frames: 4,
        push_rate: 100.0,
        max_in_flight: 64,
        seed: Some(9),
        hub_pid: Some(std::process::id()),
    };
    let report = chaos::run(&clients(&hub), &args).await.expect("chaos run");
    report.print();
    assert!(report.tally.acts.values().sum::<u64>() > 0, "{report:?}");
    assert!(report.tally.frames_sent > 0, "{report:?}");
    assert!(report.hub_alive(), "{}", report.health);
    assert!(report.memory.is_some());
    let (status, health) = hub.get("/api/health").await;
    assert_eq!((status, &health["status"]), (200, &serde_json::json!("ok")));
}
