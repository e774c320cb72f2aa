//! Seed 001 under concurrency: twenty agents claiming one pending session at once (through
//! `/claim` and through a first agent message) leave exactly one winner, one claim record and
//! nineteen 409s; concurrent chat turns on one session get distinct, gapless sequence numbers;
//! a session unloaded while idle comes back with its history and counters.

mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use futures_util::future::join_all;
use serde_json::{Value, json};
use switchboard_actors::bot::builtin::FALLBACK;

use support::takeover::{agent, assert_conflict};
use support::{HubClient, start_hub, test_config, test_config_with};

/// One claimant: agent `id` either claims or writes a first message.
async fn contend(hub: &HubClient, name: &str, index: usize) -> (String, u16, Value) {
    let id = format!("agent-{index:02}");
    let (status, body) = if index.is_multiple_of(2) {
        hub.post(
            &format!("/api/sessions/{name}/claim"),
            json!({"agent_info": agent(&id, &format!("Agent {index}"))}),
        )
        .await
    } else {
        hub.post(
            "/api/manual/messages",
            json!({
                "session_name": name,
                "role": "agent",
                "content": format!("{id} takes it"),
                "agent_info": agent(&id, &format!("Agent {index}")),
            }),
        )
        .await
    };
    (id, status, body)
}

/// Asserts that the audit trail of `name` holds one claim record, by `winner`, beside the
/// escalation (and the winner's message when `winner_wrote`).
async fn assert_one_claim_record(hub: &HubClient, name: &str, winner: &str, winner_wrote: bool) {
    let audit = hub.audit(name).await;
    let claims: Vec<&Value> = audit
        .iter()
        .filter(|record| record["event"] == "manual_claim")
        .collect();
    assert_eq!(claims.len(), 1, "one claim record: {audit:?}");
    assert_eq!(claims[0]["agent_id"], winner);
    assert_eq!(
        audit.len(),
        if winner_wrote { 3 } else { 2 },
        "escalate, claim (and the winner's message): {audit:?}"
    );
}

#[actix_rt::test]
async fn twenty_concurrent_claims_have_exactly_one_winner() {
    let hub = start_hub(test_config());
    for round in 0..5 {
        let name = format!("contested-{round}");
        hub.chat(&name, "hello").await;
        hub.escalate(&name, "user_request").await;

        let answers = join_all((0..20).map(|index| contend(&hub, &name, index))).await;
        let winners: Vec<&(String, u16, Value)> = answers
            .iter()
            .filter(|(_, status, _)| *status == 200)
            .collect();
        assert_eq!(
            winners.len(),
            1,
            "round {round}: exactly one winner: {:?}",
            answers
                .iter()
                .map(|(id, status, _)| (id, status))
                .collect::<Vec<_>>()
        );
        let (winner, _, won) = winners[0];
        assert_eq!(won["status"], "manual_live");
        assert_eq!(won["assigned_agent"]["agent_id"], winner.as_str());
        for (id, status, body) in &answers {
            if id != winner {
                assert_conflict(*status, body, "manual_live");
                assert!(
                    body["detail"]
                        .as_str()
                        .is_some_and(|d| d.contains(winner.as_str())),
                    "the refusal names the holder: {body}"
                );
            }
        }

        let session = hub.session(&name).await;
        assert_eq!(session["status"], "manual_live");
        assert_eq!(session["assigned_agent"], won["assigned_agent"]);
        let agent_messages: Vec<&Value> = session["history"]
            .as_array()
            .expect("history")
            .iter()
            .filter(|entry| entry["role"] == "agent")
            .collect();
        let winner_wrote = winner
            .trim_start_matches("agent-")
            .parse::<usize>()
            .expect("index")
            % 2
            == 1;
        assert_eq!(
            agent_messages.len(),
            usize::from(winner_wrote),
            "only the winner's message is kept: {session}"
        );
        if let Some(message) = agent_messages.first() {
            assert_eq!(message["agent_id"], winner.as_str());
        }
        assert_eq!(
            session["last_seq"],
            if winner_wrote { 5 } else { 4 },
            "one status change (and the winner's message), nothing from the losers"
        );

        assert_one_claim_record(&hub, &name, winner, winner_wrote).await;
        assert_eq!(hub.listed("pending_manual").await, Vec::<String>::new());
    }
}

#[actix_rt::test]
async fn concurrent_chat_turns_get_gapless_sequence_numbers() {
    let hub = start_hub(test_config());
    let name = "busy";
    hub.chat(name, "hello").await;
    let turns = join_all((0..20).map(|index| {
        let hub = &hub;
        async move { hub.chat(name, &format!("where is order {index}")).await }
    }))
    .await;
    let seqs: BTreeSet<u64> = turns
        .iter()
        .map(|turn| turn["seq"].as_u64().expect("seq"))
        .collect();
    assert_eq!(seqs.len(), 20, "every turn has its own seq: {seqs:?}");
    let session = hub.session(name).await;
    assert_eq!(session["last_seq"], 42);
    let history = session["history"].as_array().expect("history");
    let numbers: Vec<u64> = history
        .iter()
        .map(|entry| entry["seq"].as_u64().expect("seq"))
        .collect();
    assert_eq!(numbers, (1..=42).collect::<Vec<_>>());
    for pair in history.chunks(2) {
        assert_eq!(pair[0]["role"], "user");
        assert_eq!(
            pair[1]["role"], "assistant",
            "each answer follows its question"
        );
    }
}

#[actix_rt::test]
async fn an_idle_session_unloads_and_comes_back_whole() {
    let hub = start_hub(test_config_with(|config| {
        config.takeover.session_idle_timeout = Duration::from_millis(20);
    }));
    let name = "sleepy";
    for text in ["qwerty", "asdf"] {
        assert_eq!(hub.chat(name, text).await["message"], FALLBACK);
    }
    let before = hub.session(name).await;

    // Requests spaced around the idle timeout, so that some meet an unloaded session and
    // some a session on its way out.
    for pause in [0, 5, 15, 25, 40, 80] {
        actix_rt::time::sleep(Duration::from_millis(pause)).await;
        assert_eq!(hub.session(name).await, before, "after {pause}ms");
    }
    let turn = hub.chat(name, "zxcv").await;
    assert_eq!(
        turn["rule"], "bot_failures:3",
        "the failure count survived unloading"
    );
    assert_eq!(turn["seq"], 8);

    hub.agent_says(name, "a1", "hi").await;
    hub.release(name).await;
    for round in 0..20u64 {
        actix_rt::time::sleep(Duration::from_millis(round % 4 * 10)).await;
        let turn = hub.chat(name, "hello").await;
        assert_eq!(turn["status"], "bot_active");
        assert_eq!(turn["seq"], 14 + 2 * round, "round {round}");
    }
}

#[actix_rt::test]
async fn concurrent_escalations_and_releases_each_take_effect_once() {
    let hub = start_hub(test_config());
    let name = "doubled";
    hub.chat(name, "hello").await;

    let escalations = join_all((0..10).map(|index| {
        let hub = &hub;
        async move {
            hub.post(
                "/api/manual/escalate",
                json!({"session_name": name, "reason": format!("reason-{index}")}),
            )
            .await
        }
    }))
    .await;
    let won: Vec<&Value> = escalations
        .iter()
        .filter(|(status, _)| *status == 200)
        .map(|(_, body)| body)
        .collect();
    assert_eq!(won.len(), 1, "one escalation wins");
    for (status, body) in &escalations {
        if *status != 200 {
            assert_conflict(*status, body, "pending_manual");
        }
    }
    let reason = won[0]["escalation"]["reason"].clone();
    assert_eq!(hub.session(name).await["escalation"]["reason"], reason);

    hub.agent_says(name, "a1", "hello").await;
    let releases = join_all((0..10).map(|_| {
        let hub = &hub;
        async move {
            hub.post(&format!("/api/sessions/{name}/release"), json!({}))
                .await
        }
    }))
    .await;
    let released = releases.iter().filter(|(status, _)| *status == 200).count();
    assert_eq!(released, 1, "one release wins");
    for (status, body) in &releases {
        if *status != 200 {
            assert_conflict(*status, body, "bot_active");
        }
    }

    let session = hub.session(name).await;
    let notices = session["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter(|entry| entry["role"] == "system")
        .count();
    assert_eq!(notices, 1, "one release notice: {session}");
    assert_eq!(
        session["last_seq"], 7,
        "2 + escalate + claim + message + notice + release"
    );
    let events = hub.audit_events(name).await;
    assert_eq!(
        events,
        [
            "manual_escalate",
            "manual_claim",
            "manual_message",
            "manual_release"
        ]
    );
}
