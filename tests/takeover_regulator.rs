//! Seed 001's regulator through `/api/chat`: a keyword (Chinese or English, English only as a
//! whole word) escalates instead of answering, with reason `regulator_triggered`, rule
//! `keyword:<word>`, a system notice and an audit record; three not-understood bot answers in
//! a row escalate with `bot_failures:3`; an understood answer or a release resets the count;
//! the keywords, threshold and notices come from the config.

mod support;

use serde_json::{Value, json};
use switchboard_actors::bot::builtin::FALLBACK;
use switchboard_actors::takeover::takeover_config::DEFAULT_ESCALATION_NOTICE;

use support::{HubClient, start_hub, test_config, test_config_with};

/// Asserts that the turn escalated by `rule` without a bot answer, and what it left behind:
/// after one bot exchange (seq 1, 2), the user's words (3), the notice (4) and the status
/// change (5).
async fn assert_keyword_escalation(hub: &HubClient, name: &str, text: &str, rule: &str) {
    let turn = hub.chat(name, text).await;
    assert_eq!(
        turn,
        json!({
            "success": true,
            "session_name": name,
            "status": "pending_manual",
            "message": null,
            "escalated": true,
            "rule": rule,
            "seq": 5,
        }),
        "{text}"
    );
    let session = hub.session(name).await;
    assert_eq!(session["status"], "pending_manual");
    assert_eq!(session["escalation"]["reason"], "regulator_triggered");
    assert_eq!(session["escalation"]["rule"], rule);
    assert_eq!(session["escalation"]["details"], Value::Null);
    let history = session["history"].as_array().expect("history");
    assert_eq!(
        history.len(),
        4,
        "hello, its answer, the user's words, the notice: {session}"
    );
    assert_eq!(history[2]["role"], "user");
    assert_eq!(history[2]["content"], text);
    assert_eq!(history[2]["seq"], 3);
    assert_eq!(history[3]["role"], "system");
    assert_eq!(history[3]["content"], DEFAULT_ESCALATION_NOTICE);
    assert_eq!(history[3]["seq"], 4);
    let audit = hub.audit(name).await;
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0]["event"], "manual_escalate");
    assert_eq!(audit[0]["reason"], "regulator_triggered");
    assert_eq!(audit[0]["rule"], rule);
    assert_eq!(audit[0]["seq"], 5);
}

/// Asserts that the bot answered `text` and the session stays with the bot.
async fn assert_bot_answers(hub: &HubClient, name: &str, text: &str) -> Value {
    let turn = hub.chat(name, text).await;
    assert_eq!(turn["status"], "bot_active", "{text}: {turn}");
    assert_eq!(turn["escalated"], false, "{text}: {turn}");
    assert_eq!(turn["rule"], Value::Null);
    assert!(
        turn["message"].is_string(),
        "the bot answered {text}: {turn}"
    );
    turn
}

#[actix_rt::test]
async fn default_keywords_escalate_in_chinese_and_english() {
    let hub = start_hub(test_config());
    let cases = [
        ("我要转人工", "keyword:转人工"),
        ("请给我人工服务", "keyword:人工"),
        ("我要投诉你们", "keyword:投诉"),
        ("客服在吗", "keyword:客服"),
        ("Can I talk to a HUMAN please?", "keyword:human"),
        ("agent!", "keyword:agent"),
        ("I want to file a complaint.", "keyword:complaint"),
        ("operator, operator", "keyword:operator"),
    ];
    for (index, (text, rule)) in cases.into_iter().enumerate() {
        let name = format!("keyword-{index}");
        assert_bot_answers(&hub, &name, "hello").await;
        assert_keyword_escalation(&hub, &name, text, rule).await;
    }
    assert_eq!(hub.listed("pending_manual").await.len(), cases.len());
}

#[actix_rt::test]
async fn english_keywords_inside_other_words_do_not_escalate() {
    let hub = start_hub(test_config());
    let name = "boundaries";
    for text in [
        "hello, are your agents busy?",
        "hi, a reagent question",
        "hello humanity",
        "thanks, complaints department later",
    ] {
        assert_bot_answers(&hub, name, text).await;
    }
    assert_eq!(hub.session(name).await["escalation"], Value::Null);
    assert!(hub.audit(name).await.is_empty(), "nothing to audit");
}

#[actix_rt::test]
async fn three_answers_the_bot_did_not_understand_escalate() {
    let hub = start_hub(test_config());
    let name = "failures";
    for text in ["qwerty", "asdf"] {
        let turn = assert_bot_answers(&hub, name, text).await;
        assert_eq!(turn["message"], FALLBACK);
    }
    let turn = hub.chat(name, "zxcv").await;
    assert_eq!(
        turn,
        json!({
            "success": true,
            "session_name": name,
            "status": "pending_manual",
            "message": FALLBACK,
            "escalated": true,
            "rule": "bot_failures:3",
            "seq": 8,
        }),
        "the third answer is given, then the notice (7) and the status change (8)"
    );
    let session = hub.session(name).await;
    assert_eq!(session["escalation"]["reason"], "regulator_triggered");
    assert_eq!(session["escalation"]["rule"], "bot_failures:3");
    let roles: Vec<&str> = session["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|entry| entry["role"].as_str().expect("role"))
        .collect();
    assert_eq!(
        roles,
        [
            "user",
            "assistant",
            "user",
            "assistant",
            "user",
            "assistant",
            "system"
        ]
    );
    let audit = hub.audit(name).await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["rule"], "bot_failures:3");
}

#[actix_rt::test]
async fn an_understood_answer_and_a_release_reset_the_failure_count() {
    let hub = start_hub(test_config());
    let name = "resets";
    for text in ["qwerty", "asdf", "where is my order", "qwerty", "asdf"] {
        assert_bot_answers(&hub, name, text).await;
    }
    let turn = hub.chat(name, "zxcv").await;
    assert_eq!(
        turn["rule"], "bot_failures:3",
        "three in a row since the reset"
    );

    hub.agent_says(name, "a1", "let me help").await;
    hub.release(name).await;
    for text in ["qwerty", "asdf"] {
        assert_bot_answers(&hub, name, text).await;
    }
    let turn = hub.chat(name, "zxcv").await;
    assert_eq!(
        turn["rule"], "bot_failures:3",
        "counted afresh after the release"
    );
}

#[actix_rt::test]
async fn a_manual_escalation_resets_the_failure_count() {
    let hub = start_hub(test_config());
    let name = "manual-reset";
    for text in ["qwerty", "asdf"] {
        assert_bot_answers(&hub, name, text).await;
    }
    hub.escalate(name, "user_request").await;
    hub.agent_says(name, "a1", "here").await;
    hub.release(name).await;
    let turn = assert_bot_answers(&hub, name, "zxcv").await;
    assert_eq!(turn["message"], FALLBACK, "one failure, not three");
}

#[actix_rt::test]
async fn configured_keywords_replace_the_defaults_and_zero_turns_failures_off() {
    let hub = start_hub(test_config_with(|config| {
        config.takeover.escalation_keywords = vec!["Supervisor".into(), "经理".into()];
        config.takeover.bot_failure_threshold = 0;
        config.takeover.escalation_notice = "A supervisor is on the way.".into();
    }));
    assert_bot_answers(&hub, "defaults-off", "hello, I want a human agent operator").await;
    for _ in 0..5 {
        assert_bot_answers(&hub, "defaults-off", "qwerty").await;
    }

    let turn = hub.chat("english", "get me a SUPERVISOR").await;
    assert_eq!(turn["rule"], "keyword:supervisor");
    assert_eq!(turn["seq"], 3);
    let session = hub.session("english").await;
    assert_eq!(
        session["history"][1]["content"],
        "A supervisor is on the way."
    );

    let turn = hub.chat("chinese", "找经理").await;
    assert_eq!(turn["status"], "pending_manual");
    assert_eq!(turn["rule"], "keyword:经理");
}

#[actix_rt::test]
async fn a_configured_failure_threshold_and_release_notice_are_used() {
    let hub = start_hub(test_config_with(|config| {
        config.takeover.bot_failure_threshold = 2;
        config.takeover.release_notice = "Back to the bot.".into();
    }));
    let name = "threshold";
    assert_bot_answers(&hub, name, "qwerty").await;
    let turn = hub.chat(name, "asdf").await;
    assert_eq!(turn["status"], "pending_manual");
    assert_eq!(turn["rule"], "bot_failures:2");

    hub.agent_says(name, "a1", "hi").await;
    let released = hub.release(name).await;
    let last = released["history"]
        .as_array()
        .and_then(|h| h.last())
        .cloned();
    assert_eq!(last.expect("notice")["content"], "Back to the bot.");
}
