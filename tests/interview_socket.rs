//! Seed 002's interview socket (`/api/v1/ws`, `/api/v1/ws/{session_id}`) frame by frame, as
//! the seed's clients see it: `connected` on open and in answer to `connect`, `text_input`
//! answered by the very next frame with every `ai_response` field, the interviewer's
//! strategies, `ping`/`pong`, `disconnect`, refusals on a socket that stays open, and a
//! reconnect to the same session that resumes it.

mod support;

use actix_http::ws::Message;
use serde_json::json;

use support::interview::{answer, assert_interview_alive, expect_interview_error, open_interview};
use support::{start_hub, test_config};

/// A full, on-topic answer about technical skills.
const RICH: &str = "I designed the backend system in Rust and Python, ran the database and the \
    api, and wrote the code for our framework; the architecture used a queue and a cache, and \
    I tuned the performance of every service we shipped that year with my team.";

#[actix_rt::test]
async fn an_interview_opens_answers_with_every_field_and_follows_connect() {
    let hub = start_hub(test_config());
    let (mut ws, connected) = open_interview(&hub, "/api/v1/ws").await;
    let session_id = connected["session_id"]
        .as_str()
        .expect("a session id")
        .to_owned();
    assert!(uuid::Uuid::parse_str(&session_id).is_ok(), "{connected}");
    let data = &connected["data"];
    assert_eq!(data["status"], "connected", "{connected}");
    assert_eq!(data["server_info"]["version"], "2.0.0", "{connected}");
    assert_eq!(
        (data["resumed"].clone(), data["exchanges"].clone()),
        (json!(false), json!(0))
    );
    let timestamp = connected["timestamp"].as_str().expect("a timestamp");
    assert!(
        timestamp.ends_with('Z') && timestamp.len() == 24,
        "{timestamp}"
    );

    let reply = answer(&mut ws, &session_id, "Hello, I'm ready for the interview.").await;
    assert_eq!(reply["strategy_used"], "opening", "{reply}");
    assert_eq!(reply["focus_area"], "background", "{reply}");
    assert_eq!(reply["response_type"], "question", "{reply}");
    assert!(
        reply["ai_response"]
            .as_str()
            .is_some_and(|text| text.ends_with('?'))
    );
    let confidence = reply["confidence"].as_f64().expect("confidence");
    assert!((0.0..=1.0).contains(&confidence), "{reply}");
    assert!(
        reply["processing_time"].as_f64().is_some_and(|t| t >= 0.0),
        "{reply}"
    );

    ws.send_json(json!({"type": "connect", "session_id": session_id,
        "data": {"interview_style": "technical", "client_info": {}}}))
        .await;
    let connected = ws.expect("connected").await;
    assert_eq!(connected["session_id"], session_id.as_str());
    assert_eq!(
        connected["data"]["interview_style"], "technical",
        "{connected}"
    );
    assert_eq!(connected["data"]["exchanges"], 1, "{connected}");
    assert_interview_alive(&mut ws).await;

    let reply = answer(&mut ws, &session_id, "yes").await;
    assert_eq!(reply["strategy_used"], "clarify", "{reply}");
    let reply = answer(
        &mut ws,
        &session_id,
        "我在一家公司做后端开发，负责数据库和系统架构，有五年经验。",
    )
    .await;
    assert!(
        reply["ai_response"]
            .as_str()
            .is_some_and(|text| text.contains('？')),
        "answered in Chinese: {reply}"
    );
    let reply = answer(&mut ws, &session_id, RICH).await;
    assert_eq!(reply["strategy_used"], "broaden", "{reply}");
    ws.close().await;
    hub.stop().await;
}

#[actix_rt::test]
async fn an_interview_covers_every_area_then_wraps_up() {
    let hub = start_hub(test_config());
    let (mut ws, connected) = open_interview(&hub, "/api/v1/ws/wrap-up").await;
    assert_eq!(connected["session_id"], "wrap-up");
    answer(&mut ws, "wrap-up", "Hello").await;
    let mut areas = Vec::new();
    loop {
        let reply = answer(&mut ws, "wrap-up", RICH).await;
        if reply["strategy_used"] == "wrap_up" {
            assert_eq!(reply["response_type"], "closing", "{reply}");
            break;
        }
        assert_eq!(reply["strategy_used"], "broaden", "{reply}");
        areas.push(reply["focus_area"].as_str().expect("an area").to_owned());
        assert!(areas.len() < 10, "the interview ends");
    }
    assert_eq!(
        areas,
        [
            "technical_skills",
            "problem_solving",
            "teamwork",
            "motivation"
        ],
        "the formal order after background"
    );
    hub.stop().await;
}

/// An `audio_input` frame.
fn audio(format: &str, base64: &str) -> String {
    json!({"type": "audio_input", "session_id": "x",
        "data": {"audio_data": base64, "audio_format": format, "context": ""}})
    .to_string()
}

/// Base64 of a WAV header over a quarter second of 8 kHz 8-bit mono silence.
fn silent_wav() -> String {
    let mut clip = b"RIFF\xF4\x07\0\0WAVEfmt \x10\0\0\0\x01\0\x01\0".to_vec();
    clip.extend_from_slice(&8_000u32.to_le_bytes());
    clip.extend_from_slice(&8_000u32.to_le_bytes());
    clip.extend_from_slice(b"\x01\0\x08\0data");
    clip.extend_from_slice(&2_000u32.to_le_bytes());
    clip.resize(clip.len() + 2_000, 0x80);
    base64_of(&clip)
}

/// Standard base64 of `bytes`.
fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[actix_rt::test]
async fn bad_frames_get_error_envelopes_and_the_socket_stays_open() {
    let hub = start_hub(test_config());
    let (mut ws, connected) = open_interview(&hub, "/api/v1/ws").await;
    let session_id = connected["session_id"].clone();
    let cases = [
        ("{not json".to_owned(), "invalid_json"),
        (json!({"type": "dance"}).to_string(), "unknown_type"),
        (json!({"data": {}}).to_string(), "missing_type"),
        (
            json!({"type": "text_input", "data": {}}).to_string(),
            "text_required",
        ),
        (
            json!({"type": "text_input", "data": {"text": "  "}}).to_string(),
            "text_required",
        ),
        (
            json!({"type": "text_input", "data": {"text": 5}}).to_string(),
            "invalid_fields",
        ),
        (
            json!({"type": "text_input", "data": {"text": "a".repeat(10_001)}}).to_string(),
            "text_too_long",
        ),
        (
            json!({"type": "connect", "data": {"interview_style": "casual"}}).to_string(),
            "invalid_style",
        ),
        (audio("wav", "UklGRg=="), "invalid_wav"),
        (audio("ogg", "AAAA"), "unsupported_audio_format"),
        (audio("wav", "not base64!"), "invalid_audio_data"),
        (audio("wav", ""), "audio_required"),
        (audio("webm", "AAAA"), "audio_format_mismatch"),
        (audio("wav", &silent_wav()), "speech_to_text_not_configured"),
    ];
    let cases_len = cases.len();
    for (text, code) in cases {
        ws.send_text(text).await;
        let error = ws.expect("error").await;
        assert_eq!(error["session_id"], session_id, "{error}");
        assert_eq!(error["data"]["error"], code, "{error}");
        assert!(error["data"]["message"].is_string(), "{error}");
        assert_interview_alive(&mut ws).await;
    }
    ws.send_text(audio("wav", &silent_wav())).await;
    let refused = expect_interview_error(&mut ws, "speech_to_text_not_configured").await;
    assert_eq!(
        refused["details"], "received wav audio, 2044 bytes, 0.25 s",
        "{refused}"
    );
    ws.send_message(Message::Binary(vec![1, 2, 3].into())).await;
    expect_interview_error(&mut ws, "binary_not_supported").await;
    assert_interview_alive(&mut ws).await;

    let (status, stats) = hub.get("/api/v1/websocket/stats").await;
    assert_eq!(status, 200, "{stats}");
    let errors = stats["data"]["websocket_stats"]["errors_count"].as_u64();
    assert_eq!(errors, Some(cases_len as u64 + 2), "{stats}");
    let (_, health) = hub.get("/api/health").await;
    assert_eq!(
        health["frames_rejected"].as_u64(),
        errors,
        "every refusal counts hub-wide too: {health}"
    );

    ws.send_json(json!({"type": "disconnect", "session_id": session_id, "data": {}}))
        .await;
    ws.expect_close(1000).await;
    hub.stop().await;
}

#[actix_rt::test]
async fn a_reconnect_to_the_same_session_resumes_the_interview() {
    let hub = start_hub(test_config());
    let path = "/api/v1/ws/candidate-7";
    let (mut first, _) = open_interview(&hub, path).await;
    first
        .send_json(json!({"type": "connect", "data": {"interview_style": "friendly"}}))
        .await;
    first.expect("connected").await;
    answer(&mut first, "candidate-7", "Hello").await;
    let reply = answer(&mut first, "candidate-7", RICH).await;
    assert_eq!(reply["strategy_used"], "broaden");

    let (mut second, connected) = open_interview(&hub, path).await;
    assert_eq!(connected["data"]["resumed"], true, "{connected}");
    assert_eq!(connected["data"]["exchanges"], 2, "{connected}");
    assert_eq!(
        connected["data"]["interview_style"], "friendly",
        "{connected}"
    );
    first.close().await;

    let reply = answer(&mut second, "candidate-7", "ok").await;
    assert_eq!(
        reply["strategy_used"], "clarify",
        "not a new opening: {reply}"
    );
    assert_eq!(reply["focus_area"], "technical_skills", "{reply}");
    second.close().await;

    let too_long = format!("/api/v1/ws/{}", "x".repeat(129));
    let (status, body) = hub.get(&too_long).await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("invalid_field")),
        "{body}"
    );
    hub.stop().await;
}
