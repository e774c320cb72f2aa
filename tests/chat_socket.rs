//! Seed 003's chat sockets on a real hub: the connection is established, a join carries the
//! history, a customer's line is answered by the bot with its progress, two members see each
//! other's lines and typing while a third in another conversation sees nothing, read marks are
//! stored and relayed, `since` recovers what a closed socket missed, the per-user limit closes
//! the next socket with 4029, the rate limit answers with an error frame, and a member that
//! stops reading is cut with 4008 while the others keep receiving.

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::raw_ws::{RawSocket, TEXT, frame};
use support::ws::WsClient;
use support::{HubClient, TestHub, eventually, start_hub, test_config, test_config_with};

/// A chat socket for `user`, past its `connection_established`.
async fn chat(hub: &TestHub, user: &str) -> WsClient {
    let client = HubClient::new(hub.addr);
    let mut socket = client.socket(&format!("/ws/chat?user_id={user}")).await;
    let established = socket.expect("connection_established").await;
    assert_eq!(established["user_id"], user);
    socket
}

/// Joins `session`, answering `session_joined`.
async fn join(socket: &mut WsClient, session: &str, since: Option<u64>) -> Value {
    let mut frame = json!({"type": "join_session", "session_id": session});
    if let Some(since) = since {
        frame["since"] = json!(since);
    }
    socket.send_json(frame).await;
    let joined = socket.expect("session_joined").await;
    assert_eq!(joined["session_id"], session);
    joined
}

/// The next frame of `kind`, skipping others.
async fn next_of(socket: &mut WsClient, kind: &str) -> Value {
    loop {
        let frame = socket.recv().await;
        if frame["type"] == kind {
            return frame;
        }
    }
}

/// The next `new_message` whose role is `role`.
async fn message_from(socket: &mut WsClient, role: &str) -> Value {
    loop {
        let frame = next_of(socket, "new_message").await;
        if frame["message"]["role"] == role {
            return frame;
        }
    }
}

#[actix_rt::test]
async fn a_customer_line_is_answered_by_the_bot_with_its_progress() {
    let hub = start_hub(test_config());
    let mut ann = chat(&hub, "ann").await;
    let joined = join(&mut ann, "chat-bot-1", None).await;
    assert_eq!(joined["history"], json!([]));
    ann.send_json(json!({"type": "new_message", "session_id": "chat-bot-1",
        "content": "hello", "client_message_id": "c-1"}))
        .await;
    let mut seen = Vec::new();
    let (mut sent, mut answer) = (None, None);
    while sent.is_none() || answer.is_none() || seen.last() != Some(&"done".to_owned()) {
        let frame = ann.recv().await;
        match frame["type"].as_str() {
            Some("ai_processing_status") => {
                seen.push(frame["status"].as_str().unwrap_or("").to_owned())
            }
            Some("message_status_update") => sent = Some(frame),
            Some("new_message") if frame["message"]["role"] == "assistant" => answer = Some(frame),
            _ => {}
        }
    }
    let sent = sent.unwrap_or_default();
    assert_eq!(sent["status"], "sent");
    assert_eq!(sent["client_message_id"], "c-1");
    assert_eq!(sent["seq"], 1);
    let answer = answer.unwrap_or_default();
    assert_eq!(answer["message"]["seq"], 2);
    assert_eq!(seen.first().map(String::as_str), Some("thinking"));
    hub.stop().await;
}

#[actix_rt::test]
async fn members_see_each_other_and_another_conversation_sees_nothing() {
    let hub = start_hub(test_config());
    let mut ann = chat(&hub, "ann").await;
    let mut bob = chat(&hub, "bob").await;
    let mut cy = chat(&hub, "cy").await;
    join(&mut ann, "shared-1", None).await;
    join(&mut bob, "shared-1", None).await;
    join(&mut cy, "elsewhere-1", None).await;
    let online = next_of(&mut ann, "user_status_update").await;
    assert_eq!(
        (online["user_id"].clone(), online["status"].clone()),
        (json!("bob"), json!("online"))
    );
    bob.send_json(json!({"type": "typing", "session_id": "shared-1"}))
        .await;
    let typing = next_of(&mut ann, "typing").await;
    assert_eq!(typing["user_id"], "bob");
    ann.send_json(json!({"type": "new_message", "session_id": "shared-1", "content": "hi bob"}))
        .await;
    let line = message_from(&mut bob, "user").await;
    assert_eq!(line["message"]["content"], "hi bob");
    let seq = line["message"]["seq"].as_u64().unwrap_or(0);
    bob.send_json(
        json!({"type": "message_status_update", "session_id": "shared-1",
        "status": "read", "seq": seq}),
    )
    .await;
    let read = loop {
        let frame = next_of(&mut ann, "message_status_update").await;
        if frame["status"] == "read" {
            break frame;
        }
    };
    assert_eq!(
        (read["user_id"].clone(), read["seq"].clone()),
        (json!("bob"), json!(seq))
    );
    let mut dan = chat(&hub, "dan").await;
    let joined = support::eventually("the read mark is stored", async || {
        let joined = join(&mut dan, "shared-1", None).await;
        (joined["read_marks"]["bob"] == json!(seq)).then_some(joined)
    })
    .await;
    assert!(
        joined["history"]
            .as_array()
            .is_some_and(|history| !history.is_empty())
    );
    cy.assert_alive().await;
    hub.stop().await;
}

#[actix_rt::test]
async fn since_replays_what_a_closed_socket_missed_once() {
    let hub = start_hub(test_config());
    let mut ann = chat(&hub, "ann").await;
    join(&mut ann, "resume-1", None).await;
    ann.send_json(json!({"type": "new_message", "session_id": "resume-1", "content": "one"}))
        .await;
    let first = message_from(&mut ann, "assistant").await;
    let seen = first["message"]["seq"].as_u64().unwrap_or(0);
    drop(ann);
    let mut bob = chat(&hub, "bob").await;
    join(&mut bob, "resume-1", None).await;
    bob.send_json(json!({"type": "new_message", "session_id": "resume-1", "content": "two"}))
        .await;
    message_from(&mut bob, "assistant").await;
    let mut ann = chat(&hub, "ann").await;
    let joined = join(&mut ann, "resume-1", Some(seen)).await;
    let seqs: Vec<u64> = joined["history"]
        .as_array()
        .map(|frames| {
            frames
                .iter()
                .filter_map(|f| f["message"]["seq"].as_u64())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        seqs,
        vec![seen + 1, seen + 2],
        "nothing missed, nothing twice"
    );
    hub.stop().await;
}

#[actix_rt::test]
async fn the_sixth_socket_of_a_user_is_closed_with_4029() {
    let hub = start_hub(test_config());
    let mut open = Vec::new();
    for _ in 0..5 {
        open.push(chat(&hub, "ann").await);
    }
    let client = HubClient::new(hub.addr);
    let mut sixth = client.socket("/ws/chat?user_id=ann").await;
    sixth.expect_error("too_many_connections").await;
    sixth.expect_close(4029).await;
    open[0].assert_alive().await;
    hub.stop().await;
}

#[actix_rt::test]
async fn too_many_messages_get_a_rate_limited_error_frame() {
    let hub = start_hub(test_config_with(|config| {
        config.chat.message_burst = 2;
        config.chat.message_rate = 0.001;
    }));
    let mut ann = chat(&hub, "ann").await;
    for _ in 0..2 {
        ann.send_json(json!({"type": "ping"})).await;
        ann.expect("pong").await;
    }
    ann.send_json(json!({"type": "ping"})).await;
    ann.expect_error("rate_limited").await;
    hub.stop().await;
}

#[actix_rt::test]
async fn a_member_that_stops_reading_is_cut_with_4008_while_the_others_keep_receiving() {
    let hub = start_hub(test_config_with(|config| {
        config.sockets.write_timeout = Duration::from_millis(200);
        config.sockets.connection_timeout = Duration::from_secs(60);
        config.sockets.send_buffer = 4096;
    }));
    let line = "汉".repeat(2_000);
    let say = async |content: &str| {
        let body = json!({"session_name": "crowd", "message": content});
        let said = hub.http.post(format!("http://{}/api/chat", hub.addr));
        said.send_json(&body).await.is_ok()
    };
    assert!(say("hello").await, "the conversation begins");
    let mut reader = chat(&hub, "reader").await;
    join(&mut reader, "crowd", None).await;
    let mut deaf = RawSocket::connect(hub.addr, "/ws/chat?user_id=deaf", Some(2048)).await;
    let join_frame = json!({"type": "join_session", "session_id": "crowd"});
    deaf.send(&frame(true, TEXT, join_frame.to_string().as_bytes()))
        .await;
    // Lines go in over REST while the reader keeps reading; the last one says the flood ended.
    let flood = async {
        let mut sent = 0;
        eventually("the hub to cut the member that does not read", async || {
            for _ in 0..8 {
                sent += usize::from(say(&line).await);
            }
            let (_, health) = hub.get("/api/health").await;
            (health["slow_consumers"] == 1).then_some(())
        })
        .await;
        assert!(say("the end").await);
        sent
    };
    let read = async {
        let mut heard = 0;
        loop {
            let message = message_from(&mut reader, "user").await;
            if message["message"]["content"] == "the end" {
                return heard;
            }
            assert_eq!(message["message"]["content"], line.as_str());
            heard += 1;
        }
    };
    let (sent, heard) = futures_util::future::join(flood, read).await;
    assert_eq!(heard, sent, "the reader heard every line");
    drop(deaf);
    let cut = eventually("the cut to be counted as a 4008 close", async || {
        let metrics = hub.http.get(format!("http://{}/metrics", hub.addr)).send();
        let body = metrics.await.ok()?.body().await.ok()?;
        let text = String::from_utf8_lossy(&body).into_owned();
        text.lines()
            .find(|line| {
                line.starts_with("switchboard_ws_disconnects_total{")
                    && line.contains("endpoint=\"chat\"")
                    && line.contains("code=\"4008\"")
            })
            .map(str::to_owned)
    })
    .await;
    assert!(cut.ends_with(" 1"), "{cut}");
}
