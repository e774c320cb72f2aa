//! The transport against hostile clients, over raw TCP: a frame declared far over the cap is
//! refused with 1009 at its header, invalid UTF-8 closes with 1007 in one frame or in pieces,
//! and a desk that stops reading is cut — after the write timeout, or once too many frames wait
//! for it — and its session returns to the bot after the grace; a call leg that stops reading
//! is cut and its partner told.

mod support;

use std::time::Duration;

use serde_json::json;

use support::raw_ws::{CONTINUATION, RawSocket, TEXT, frame, frame_header};
use support::ws::Received;
use support::{TestHub, eventually, start_hub, test_config, test_config_with};

#[actix_rt::test]
async fn a_frame_declared_at_a_tebibyte_is_refused_with_1009_at_its_header() {
    let hub = start_hub(test_config());
    let mut socket = RawSocket::connect(hub.addr, "/ws/desk", None).await;
    socket.send(&frame_header(true, TEXT, 1 << 40)).await;
    socket.send(&[b'x'; 4096]).await;
    let (code, reason) = socket.close_frame().await.expect("a close frame");
    assert_eq!(code, 1009, "{reason}");
    assert!(reason.contains("cap"), "{reason}");
}

#[actix_rt::test]
async fn a_fragmented_message_passing_the_cap_is_refused_with_1009() {
    let config = test_config_with(|config| config.sockets.max_frame_bytes = 1024);
    let cap = config.sockets.hard_frame_cap() as u64;
    let hub = start_hub(config);
    let mut socket = RawSocket::connect(hub.addr, "/ws/desk", None).await;
    socket.send(&frame(false, TEXT, b"{\"type\":")).await;
    socket.send(&frame_header(false, CONTINUATION, cap)).await;
    socket.send(&[b'x'; 4096]).await;
    let (code, _) = socket.close_frame().await.expect("a close frame");
    assert_eq!(code, 1009);
}

#[actix_rt::test]
async fn invalid_utf8_closes_with_1007_in_one_frame_or_in_pieces() {
    let hub = start_hub(test_config());
    let mut single = RawSocket::connect(hub.addr, "/ws/desk", None).await;
    single
        .send(&frame(true, TEXT, b"{\"type\":\"\xff\xfe\"}"))
        .await;
    let (code, reason) = single.close_frame().await.expect("a close frame");
    assert_eq!(code, 1007, "{reason}");
    assert!(reason.contains("UTF-8"), "{reason}");

    let mut pieces = RawSocket::connect(hub.addr, "/ws/desk", None).await;
    pieces.send(&frame(false, TEXT, b"{\"type\":\"\xc3")).await;
    pieces.send(&frame(true, CONTINUATION, b"\"}")).await;
    let (code, _) = pieces.close_frame().await.expect("a close frame");
    assert_eq!(code, 1007);
}

/// A session escalated and held by a desk that never reads, fed lines of `line_chars` until
/// the hub cuts the desk; then the session must go back to the bot after the grace.
async fn an_unread_desk_is_cut(hub: &TestHub, line_chars: usize) {
    let name = "unread";
    hub.chat(name, "hello").await;
    hub.escalate(name, "user_request").await;
    let mut desk = RawSocket::connect(hub.addr, "/ws/desk", Some(2048)).await;
    let available = json!({
        "type": "available", "agent_id": "agent_deaf", "agent_name": "Deaf", "capacity": 1,
    });
    desk.send(&frame(true, TEXT, available.to_string().as_bytes()))
        .await;
    eventually("the desk to hold the session", async || {
        (hub.session(name).await["status"] == "manual_live").then_some(())
    })
    .await;
    let said = json!({"session_name": name, "role": "user", "content": "汉".repeat(line_chars)});
    eventually("the hub to cut the desk that does not read", async || {
        // Once the desk is cut and the grace has passed, the session refuses user lines here;
        // lines go sixteen at a time to fill the kernel's buffers quickly.
        let lines = (0..16).map(|_| {
            hub.http
                .post(format!("http://{}/api/manual/messages", hub.addr))
                .send_json(&said)
        });
        futures_util::future::join_all(lines).await;
        let (_, health) = hub.get("/api/health").await;
        (health["slow_consumers"] == 1).then_some(())
    })
    .await;
    hub.wait_for_health(|health| health["connections_open"] == 0)
        .await;
    eventually("the session to return to the bot", async || {
        (hub.session(name).await["status"] == "bot_active").then_some(())
    })
    .await;
}

#[actix_rt::test]
async fn a_desk_that_takes_nothing_within_the_write_timeout_is_cut() {
    let hub = start_hub(test_config_with(|config| {
        config.sockets.write_timeout = Duration::from_millis(200);
        config.sockets.connection_timeout = Duration::from_secs(60);
        config.sockets.send_buffer = 4096;
        config.takeover.desk_reconnect_grace = Duration::from_millis(200);
    }));
    an_unread_desk_is_cut(&hub, 2_000).await;
}

#[actix_rt::test]
async fn a_desk_that_leaves_too_many_frames_untaken_is_cut() {
    let hub = start_hub(test_config_with(|config| {
        config.sockets.outbound_queue = 8;
        config.calls.transcript_backlog = 4;
        config.sockets.write_timeout = Duration::from_secs(60);
        config.sockets.connection_timeout = Duration::from_secs(60);
        config.sockets.send_buffer = 4096;
        config.takeover.desk_reconnect_grace = Duration::from_millis(200);
    }));
    an_unread_desk_is_cut(&hub, 2_000).await;
}

#[actix_rt::test]
async fn a_call_leg_that_stops_reading_is_cut_and_its_partner_is_told() {
    let hub = start_hub(test_config_with(|config| {
        config.sockets.write_timeout = Duration::from_millis(200);
        config.sockets.connection_timeout = Duration::from_secs(60);
        config.sockets.send_buffer = 4096;
    }));
    let customer = hub.start_call("customer", "Deaf").await;
    let call_id = customer["call_id"].as_str().expect("a call id");
    let mut deaf = RawSocket::connect(hub.addr, &format!("/ws/call/{call_id}"), Some(2048)).await;
    let talker = hub.start_call("agent", "Talker").await;
    let mut agent = hub
        .call_socket(talker["call_id"].as_str().expect("a call id"))
        .await;
    agent.expect("call_matched").await;
    // More lines than the kernel's buffers, the dispatcher's and the outbound queue hold.
    let line = json!({"type": "transcript", "text": "t".repeat(8_000)});
    for _ in 0..400 {
        agent.send_json(line.clone()).await;
    }
    let ended = loop {
        match agent.next().await {
            Received::Json(frame) if frame["type"] == "call_ended" => break frame,
            Received::Json(_) => continue,
            other => panic!("the call ended without call_ended: {other:?}"),
        }
    };
    assert_eq!(ended["reason"], "customer_disconnected", "{ended}");
    let (_, health) = hub.get("/api/health").await;
    assert_eq!(health["slow_consumers"], 1, "{health}");
    assert!(deaf.close_frame().await.is_none(), "cut, not closed");
}
