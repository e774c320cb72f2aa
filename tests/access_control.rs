//! Access control over the whole hub: tokens accepted in the three places and refused when
//! bad, expired, unsigned, signed with another key or algorithm, or missing; every route of
//! the hub's route table against every identity in strict mode, and the admin surfaces in open
//! mode; 415 for bodies that are not JSON; browser origins; agents pinned to their token.

mod support;

use serde_json::{Value, json};
use support::auth::{SECRET, config_in, signed, token, unsigned_admin};
use support::{TestHub, start_hub};
use switchboard::auth::identity::UserRole;
use switchboard::config::auth::{AuthMode, JwtAlgorithm};

/// Who asks, in the tables' order.
const WHO: [&str; 5] = ["nobody", "customer A", "customer B", "agent", "admin"];

/// The tokens of [`WHO`].
fn identities() -> [Option<String>; 5] {
    [
        None,
        Some(token("cust-a", UserRole::Customer)),
        Some(token("cust-b", UserRole::Customer)),
        Some(token("agent-1", UserRole::Agent)),
        Some(token("admin-1", UserRole::Admin)),
    ]
}

/// Per route, per identity of [`WHO`] in strict mode: `p` passes the access checks, `d` is
/// refused (401 without a token, 403 with one).
fn strict_expectations(method: &str, path: &str) -> &'static str {
    match (method, path) {
        (
            "GET",
            "/static/test_websocket.html"
            | "/widget"
            | "/desk"
            | "/desk/calls.js"
            | "/admin"
            | "/widget.js"
            | "/api/health",
        ) => "dpppp",
        ("GET", "/metrics") => "ddddp",
        ("GET", "/openapi.json" | "/docs" | "/docs/" | "/docs/{file}") => "dpppp",
        ("POST", "/api/chat" | "/api/chat/stream" | "/api/chat/cancel") => "dpddp",
        ("POST", "/api/manual/messages") => "dpddp",
        ("POST", "/api/manual/escalate") => "dpdpp",
        ("GET", "/api/sessions/{session_name}" | "/api/sessions/{session_name}/events") => "dpdpp",
        ("GET", "/api/sessions" | "/api/sessions/{session_name}/audit") => "dddpp",
        ("POST", "/api/sessions/{session_name}/release") => "dddpp",
        ("POST", "/api/sessions/{session_name}/claim") => "dddpd",
        ("GET", "/ws/desk") => "dddpp",
        ("GET", "/ws/admin/monitor") => "ddddp",
        (_, path) if path.starts_with("/api/v1/websocket/") => "ddddp",
        (_, path) if path.starts_with("/api/calls") => "dpppp",
        ("GET", "/ws/statistics" | "/ws/call/{call_id}" | "/ws/agent" | "/ws/chat") => "dpppp",
        ("GET", "/ws/chat/session/{session_id}") => "dpdpp",
        ("GET", "/api/v1/ws" | "/api/v1/ws/{session_id}") => "dpppp",
        _ => panic!("{method} {path} is not classified by this test; add it"),
    }
}

/// The admin surfaces: refused to all but admins in both modes.
fn admin_surface(method: &str, path: &str) -> bool {
    (method == "POST" && path.starts_with("/api/v1/websocket/")) || path == "/ws/admin/monitor"
}

/// A path for `pattern` with customer A's session and placeholders filled in.
fn concrete(pattern: &str, session: &str) -> String {
    let pattern = pattern.replace(
        "/ws/chat/session/{session_id}",
        &format!("/ws/chat/session/{session}"),
    );
    pattern
        .replace("{session_name}", session)
        .replace("{call_id}", "call_000000000000")
        .replace("{session_id}", "interview-1")
        .replace("{user_id}", "user-1")
        .replace("{file}", "swagger-initializer.js")
}

/// The body a route is sent: one that names customer A's session where the route takes one.
fn body_for(path: &str, session: &str) -> Value {
    match path {
        "/api/chat" | "/api/chat/stream" => json!({"session_name": session, "message": "hi"}),
        "/api/chat/cancel" => json!({"session_name": session}),
        "/api/manual/escalate" => json!({"session_name": session, "reason": "help"}),
        "/api/manual/messages" => json!({"session_name": session, "role": "user", "content": "hi"}),
        "/api/sessions/{session_name}/claim" => {
            json!({"agent_info": {"agent_id": "agent-1", "agent_name": "Ann"}})
        }
        _ => json!({"message": "hello", "type": "notice"}),
    }
}

/// The status `token`'s holder gets from one route.
async fn status_of(
    hub: &TestHub,
    method: &str,
    pattern: &str,
    token: Option<&str>,
    session: &str,
) -> (u16, Value) {
    let path = concrete(pattern, session);
    if pattern.starts_with("/ws/") || pattern.starts_with("/api/v1/ws") {
        let bearer = token.map(|token| format!("Authorization: Bearer {token}"));
        let headers: Vec<&str> = bearer.iter().map(String::as_str).collect();
        let (status, _, body) = hub.upgrade_with(&path, &headers).await;
        return (status, body);
    }
    let body = (method == "POST").then(|| body_for(pattern, session));
    hub.call_as(method, &path, token, body.as_ref()).await
}

/// Customer A starts a conversation; its name.
async fn customer_a_session(hub: &TestHub, customer_a: &str) -> String {
    let body = json!({"session_name": "conv-a", "message": "hello"});
    let (status, answer) = hub
        .call_as("POST", "/api/chat", Some(customer_a), Some(&body))
        .await;
    assert_eq!(status, 200, "{answer}");
    "conv-a".into()
}

#[actix_rt::test]
async fn every_route_admits_exactly_the_identities_its_policy_names_in_strict_mode() {
    let hub = start_hub(config_in(AuthMode::Strict));
    let tokens = identities();
    let session = customer_a_session(&hub, tokens[1].as_deref().unwrap_or_default()).await;
    let table = switchboard::route_table();
    assert!(table.len() >= 27, "every route is in the table");
    for rule in table {
        let expected = strict_expectations(rule.method, rule.path);
        for (index, token) in tokens.iter().enumerate() {
            let (status, body) =
                status_of(&hub, rule.method, rule.path, token.as_deref(), &session).await;
            let what = format!(
                "{} {} as {}: {status} {body}",
                rule.method, rule.path, WHO[index]
            );
            match expected.as_bytes()[index] {
                b'p' => assert!(status != 401 && status != 403, "{what} should pass"),
                _ if token.is_none() => {
                    assert_eq!(status, 401, "{what}");
                    assert_eq!(body["error"], "unauthorized", "{what}");
                }
                _ => {
                    assert_eq!(status, 403, "{what}");
                    assert_eq!(body["error"], "forbidden", "{what}");
                }
            }
        }
    }
    hub.stop().await;
}

#[actix_rt::test]
async fn in_open_mode_only_the_admin_surfaces_need_a_token() {
    let hub = start_hub(config_in(AuthMode::Open));
    let tokens = identities();
    for rule in switchboard::route_table() {
        for (index, token) in tokens.iter().enumerate() {
            let (status, body) =
                status_of(&hub, rule.method, rule.path, token.as_deref(), "open-1").await;
            let what = format!(
                "{} {} as {}: {status} {body}",
                rule.method, rule.path, WHO[index]
            );
            let refused = admin_surface(rule.method, rule.path) && index < 4;
            match (refused, token) {
                (false, _) => assert!(status != 401 && status != 403, "{what} should pass"),
                (true, None) => assert_eq!(status, 401, "{what}"),
                (true, Some(_)) => assert_eq!(status, 403, "{what}"),
            }
        }
    }
    hub.stop().await;
}

#[actix_rt::test]
async fn a_token_is_accepted_in_the_header_the_query_and_the_websocket_protocol() {
    let hub = start_hub(config_in(AuthMode::Strict));
    let agent = token("agent-1", UserRole::Agent);
    let bearer = format!("Authorization: Bearer {agent}");
    let (status, protocol, _) = hub.upgrade_with("/ws/desk", &[&bearer]).await;
    assert_eq!((status, protocol), (101, None));
    let (status, _, _) = hub
        .upgrade_with(&format!("/ws/desk?token={agent}"), &[])
        .await;
    assert_eq!(status, 101);
    let offered = format!("Sec-WebSocket-Protocol: bearer, {agent}");
    let (status, protocol, _) = hub.upgrade_with("/ws/desk", &[&offered]).await;
    assert_eq!(status, 101);
    assert_eq!(
        protocol.as_deref(),
        Some("bearer"),
        "the upgrade names the protocol offered"
    );
    let (status, listing) = hub
        .call_as("GET", "/api/sessions", Some(&agent), None)
        .await;
    assert_eq!(status, 200, "{listing}");
    hub.stop().await;
}

#[actix_rt::test]
async fn bad_expired_unsigned_foreign_and_missing_tokens_are_refused_before_the_upgrade() {
    let hub = start_hub(config_in(AuthMode::Strict));
    let other_key = "another-secret-of-at-least-32-bytes";
    let cases = [
        ("missing", None, "token is needed"),
        ("garbage", Some("not.a.jwt".to_owned()), "cannot be read"),
        (
            "expired",
            Some(signed(
                "agent-1",
                UserRole::Agent,
                &[],
                SECRET,
                JwtAlgorithm::Hs256,
                -3600,
            )),
            "expired",
        ),
        ("alg none", Some(unsigned_admin()), "HS256"),
        (
            "another key",
            Some(signed(
                "agent-1",
                UserRole::Agent,
                &[],
                other_key,
                JwtAlgorithm::Hs256,
                3600,
            )),
            "signature",
        ),
        (
            "HS512",
            Some(signed(
                "agent-1",
                UserRole::Agent,
                &[],
                SECRET,
                JwtAlgorithm::Hs512,
                3600,
            )),
            "HS256",
        ),
    ];
    for (case, token, reason) in cases {
        let offered = token.map(|token| format!("Sec-WebSocket-Protocol: bearer, {token}"));
        let headers: Vec<&str> = offered.iter().map(String::as_str).collect();
        let (status, _, body) = hub.upgrade_with("/ws/desk", &headers).await;
        assert_eq!(status, 401, "{case}: {body}");
        assert_eq!(body["error"], "unauthorized", "{case}");
        let detail = body["detail"].as_str().unwrap_or_default();
        assert!(detail.contains(reason), "{case}: {detail}");
    }
    hub.stop().await;
}

#[actix_rt::test]
async fn strict_mode_pins_agents_and_customers_to_their_tokens() {
    let hub = start_hub(config_in(AuthMode::Strict));
    let customer_a = token("cust-a", UserRole::Customer);
    let customer_b = token("cust-b", UserRole::Customer);
    let granted_b = signed(
        "cust-b",
        UserRole::Customer,
        &["conv-a"],
        SECRET,
        JwtAlgorithm::Hs256,
        60,
    );
    let agent = token("agent-1", UserRole::Agent);
    customer_a_session(&hub, &customer_a).await;
    let (status, _) = hub
        .call_as("GET", "/api/sessions/conv-a", Some(&customer_b), None)
        .await;
    assert_eq!(status, 403, "another customer's conversation");
    let (status, _) = hub
        .call_as("GET", "/api/sessions/conv-a", Some(&granted_b), None)
        .await;
    assert_eq!(status, 200, "a conversation the token names");
    let (status, _) = hub
        .call_as(
            "GET",
            "/api/sessions/conv-a/events",
            Some(&customer_b),
            None,
        )
        .await;
    assert_eq!(status, 403, "its events neither");
    let escalate = json!({"session_name": "conv-a", "reason": "help"});
    let (status, _) = hub
        .call_as(
            "POST",
            "/api/manual/escalate",
            Some(&customer_a),
            Some(&escalate),
        )
        .await;
    assert_eq!(status, 200);
    let as_other = json!({"agent_info": {"agent_id": "agent-2", "agent_name": "Bo"}});
    let (status, body) = hub
        .call_as(
            "POST",
            "/api/sessions/conv-a/claim",
            Some(&agent),
            Some(&as_other),
        )
        .await;
    assert_eq!(
        (status, body["error"].clone()),
        (403, json!("forbidden")),
        "claim as another agent"
    );
    let post_as_other = json!({"session_name": "conv-a", "role": "agent", "content": "hi", "agent_info": {"agent_id": "agent-2", "agent_name": "Bo"}});
    let (status, _) = hub
        .call_as(
            "POST",
            "/api/manual/messages",
            Some(&agent),
            Some(&post_as_other),
        )
        .await;
    assert_eq!(status, 403, "post as another agent");
    let as_self = json!({"agent_info": {"agent_id": "agent-1", "agent_name": "Ann"}});
    let (status, body) = hub
        .call_as(
            "POST",
            "/api/sessions/conv-a/claim",
            Some(&agent),
            Some(&as_self),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let other_agent = token("agent-2", UserRole::Agent);
    let (status, _) = hub
        .call_as(
            "POST",
            "/api/sessions/conv-a/release",
            Some(&other_agent),
            None,
        )
        .await;
    assert_eq!(status, 403, "only the holder releases");
    let (status, _) = hub
        .call_as("POST", "/api/sessions/conv-a/release", Some(&agent), None)
        .await;
    assert_eq!(status, 200);
    hub.stop().await;
}

#[actix_rt::test]
async fn bodies_that_are_not_json_get_415_and_foreign_origins_cannot_open_sockets_or_streams() {
    let hub = start_hub(config_in(AuthMode::Open));
    let response = hub
        .http
        .post(hub.url("/api/chat"))
        .insert_header(("content-type", "text/plain"))
        .send_body(r#"{"message": "hi"}"#)
        .await;
    let mut response = response.expect("POST");
    assert_eq!(response.status().as_u16(), 415);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["error"], "unsupported_media_type");
    let (status, _) = hub.post("/api/chat", json!({"message": "hi"})).await;
    assert_eq!(status, 200, "JSON is read");
    let (status, _, body) = hub
        .upgrade_with("/ws/agent", &["Origin: https://evil.example"])
        .await;
    assert_eq!((status, body["error"].clone()), (403, json!("forbidden")));
    let (status, _, _) = hub
        .upgrade_with("/ws/agent", &["Origin: http://localhost:5173"])
        .await;
    assert_eq!(status, 101);
    let (status, _, _) = hub.upgrade_with("/ws/agent", &["Origin: http://hub"]).await;
    assert_eq!(status, 101, "the hub's own host");
    let response = hub
        .http
        .get(hub.url("/api/sessions/any/events"))
        .insert_header(("Origin", "https://evil.example"))
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status().as_u16(), 403);
    hub.stop().await;
}

#[actix_rt::test]
async fn call_ids_are_listed_to_admins_only() {
    let hub = start_hub(config_in(AuthMode::Open));
    let start = json!({"user_type": "customer", "user_name": "Cy"});
    let (status, started) = hub.post("/api/calls/start", start).await;
    assert_eq!(status, 200);
    let (_, listing) = hub.get("/api/calls").await;
    assert!(
        listing["waiting_customers"][0].get("call_id").is_none(),
        "{listing}"
    );
    let admin = token("admin-1", UserRole::Admin);
    let (_, listing) = hub.call_as("GET", "/api/calls", Some(&admin), None).await;
    assert_eq!(
        listing["waiting_customers"][0]["call_id"],
        started["call_id"]
    );
    hub.stop().await;
}
