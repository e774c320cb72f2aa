//! Seed 002's `audio_input` with a speech-to-text server (a fake one on loopback): `status`
//! (processing), `transcription` and the interviewer's `ai_response` with
//! `transcription_info`, the multipart request the server receives, the exchange stored; and
//! every failure of the server (a 500, a body that is not JSON, one without `text`, a stall,
//! a refused connection) an `error` envelope on a socket that stays open and loses nothing.

mod support;

use std::time::Duration;

use serde_json::{Value, json};

use support::fake_stt::{FakeStt, SttReply};
use support::interview::{answer, assert_interview_alive, expect_interview_error, open_interview};
use support::ws::WsClient;
use support::{HubClient, TestHub, start_hub, test_config_with};

/// What the fake hears in every clip.
const HEARD: &str = "I built the backend system in Rust and ran the database for five years.";

/// A WAV clip of `millis` of 16 kHz 16-bit mono silence.
fn silent_wav(millis: u32) -> Vec<u8> {
    let data = 32 * millis;
    let mut clip = b"RIFF".to_vec();
    clip.extend_from_slice(&(36 + data).to_le_bytes());
    clip.extend_from_slice(b"WAVEfmt ");
    clip.extend_from_slice(&16u32.to_le_bytes());
    clip.extend_from_slice(&[1, 0, 1, 0]);
    clip.extend_from_slice(&16_000u32.to_le_bytes());
    clip.extend_from_slice(&32_000u32.to_le_bytes());
    clip.extend_from_slice(&[2, 0, 16, 0]);
    clip.extend_from_slice(b"data");
    clip.extend_from_slice(&data.to_le_bytes());
    clip.resize(clip.len() + data as usize, 0);
    clip
}

/// Standard, padded base64 of `bytes`.
fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A hub whose speech-to-text server is `base_url`, waiting at most `timeout` for it.
fn hub_with_stt(base_url: String, timeout: Duration) -> TestHub {
    start_hub(test_config_with(|config| {
        config.speech.stt_base_url = Some(base_url);
        config.speech.stt_model = "whisper-test".into();
        config.speech.stt_api_key = Some("stt-key".into());
        config.speech.stt_timeout = timeout;
    }))
}

/// Opens an interview; its socket and session id.
async fn interview(hub: &HubClient) -> (WsClient, String) {
    let (ws, connected) = open_interview(hub, "/api/v1/ws").await;
    let session_id = connected["session_id"].as_str().expect("a session id");
    (ws, session_id.to_owned())
}

/// Sends `clip` as `audio_input` of `format`; the next frame must be the `status`.
async fn send_clip(ws: &mut WsClient, session_id: &str, clip: &[u8], format: &str) {
    ws.send_json(json!({"type": "audio_input", "session_id": session_id,
        "data": {"audio_data": base64(clip), "audio_format": format, "context": ""}}))
        .await;
    let status = ws.expect("status").await;
    assert_eq!(status["data"]["status"], "processing", "{status}");
    assert!(status["data"]["message"].is_string(), "{status}");
}

/// The exchanges the management API shows for `session_id`.
async fn stored_exchanges(hub: &HubClient, session_id: &str) -> Vec<Value> {
    let (status, body) = hub
        .get(&format!("/api/v1/websocket/sessions/{session_id}"))
        .await;
    assert_eq!(status, 200, "{body}");
    body["data"]["history"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[actix_rt::test]
async fn a_clip_is_transcribed_then_answered_and_stored() {
    let fake = FakeStt::start(vec![SttReply::text(HEARD)]).await;
    let hub = hub_with_stt(format!("http://{}", fake.addr), Duration::from_secs(5));
    let (mut ws, session_id) = interview(&hub).await;
    let clip = silent_wav(500);
    send_clip(&mut ws, &session_id, &clip, "wav").await;

    let heard = ws.expect("transcription").await;
    let data = &heard["data"];
    assert_eq!(data["transcription"], HEARD, "{heard}");
    assert_eq!(data["duration"], 0.5, "{heard}");
    assert_eq!(data["audio_format"], "wav", "{heard}");
    assert!(
        data["processing_time"].as_f64().is_some_and(|t| t >= 0.0),
        "{heard}"
    );
    assert!(data["confidence"].is_null(), "{heard}");

    let reply = ws.expect("ai_response").await;
    let data = &reply["data"];
    assert_eq!(data["user_input"], HEARD, "{reply}");
    assert_eq!(data["strategy_used"], "opening", "{reply}");
    assert!(
        data["ai_response"].as_str().is_some_and(|t| !t.is_empty()),
        "{reply}"
    );
    let info = &data["transcription_info"];
    assert_eq!(
        (info["duration"].clone(), info["audio_format"].clone()),
        (json!(0.5), json!("wav")),
        "{reply}"
    );

    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(
        request.request_line,
        "POST /v1/audio/transcriptions HTTP/1.1"
    );
    assert_eq!(request.header("authorization"), Some("Bearer stt-key"));
    let file = request.part("file").expect("a file part");
    assert_eq!(file.body, clip);
    assert_eq!(file.disposition("filename").as_deref(), Some("audio.wav"));
    assert!(
        file.headers
            .contains(&("content-type".into(), "audio/wav".into())),
        "{file:?}"
    );
    let field = |name: &str| request.part(name).map(|part| part.body);
    assert_eq!(field("model"), Some(b"whisper-test".to_vec()));
    assert_eq!(field("response_format"), Some(b"json".to_vec()));
    assert_eq!(field("language"), None);

    let history = stored_exchanges(&hub, &session_id).await;
    assert_eq!(history.len(), 1, "{history:?}");
    assert_eq!(history[0]["user_input"], HEARD);
    let text_reply = answer(&mut ws, &session_id, "yes").await;
    assert!(
        text_reply.get("transcription_info").is_none(),
        "{text_reply}"
    );
}

#[actix_rt::test]
async fn every_failure_of_the_server_is_an_error_on_a_socket_that_stays_open() {
    let fake = FakeStt::start(vec![
        SttReply::Status(500, "{\"error\": \"the model exploded\"}".into()),
        SttReply::Status(200, "not json at all".into()),
        SttReply::Status(200, "{\"txt\": \"close\"}".into()),
        SttReply::Stall,
    ])
    .await;
    let hub = hub_with_stt(fake.base_url(), Duration::from_millis(300));
    let (mut ws, session_id) = interview(&hub).await;
    answer(&mut ws, &session_id, "Hello, I'm ready for the interview.").await;
    let clip = silent_wav(100);
    for expected in ["500", "not the JSON expected", "has no text"] {
        send_clip(&mut ws, &session_id, &clip, "wav").await;
        let error = expect_interview_error(&mut ws, "transcription_failed").await;
        let message = error["message"].as_str().unwrap_or_default();
        assert!(message.contains(expected), "{error}");
        assert_interview_alive(&mut ws).await;
    }
    assert!(
        contains(&fake.requests()[0].body, b"audio.wav"),
        "the clip was sent"
    );

    send_clip(&mut ws, &session_id, &clip, "wav").await;
    assert_interview_alive(&mut ws).await;
    let error = expect_interview_error(&mut ws, "transcription_failed").await;
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|m| m.contains("within")),
        "{error}"
    );
    assert_interview_alive(&mut ws).await;

    assert_eq!(stored_exchanges(&hub, &session_id).await.len(), 1);
    answer(&mut ws, &session_id, "yes").await;
    assert_eq!(stored_exchanges(&hub, &session_id).await.len(), 2);
}

/// Whether `body` contains `needle`.
fn contains(body: &[u8], needle: &[u8]) -> bool {
    body.windows(needle.len()).any(|window| window == needle)
}

#[actix_rt::test]
async fn a_refused_connection_is_an_error_and_a_blank_transcription_is_not_answered() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let refused = format!("http://{}/v1", closed.local_addr().expect("local addr"));
    drop(closed);
    let hub = hub_with_stt(refused, Duration::from_secs(5));
    let (mut ws, session_id) = interview(&hub).await;
    send_clip(&mut ws, &session_id, &silent_wav(100), "wav").await;
    let error = expect_interview_error(&mut ws, "transcription_failed").await;
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|m| m.contains("could not reach")),
        "{error}"
    );
    assert_interview_alive(&mut ws).await;

    let fake = FakeStt::start(vec![SttReply::text("  ")]).await;
    let hub = hub_with_stt(fake.base_url(), Duration::from_secs(5));
    let (mut ws, session_id) = interview(&hub).await;
    send_clip(&mut ws, &session_id, &silent_wav(100), "wav").await;
    let heard = ws.expect("transcription").await;
    assert_eq!(heard["data"]["transcription"], "", "{heard}");
    expect_interview_error(&mut ws, "no_speech_heard").await;
    assert_interview_alive(&mut ws).await;
    assert!(stored_exchanges(&hub, &session_id).await.is_empty());
}
