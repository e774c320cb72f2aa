//! Property tests of the REST bodies: one real hub binary, and every POST endpoint sent
//! [`CASES`] generated requests (valid bodies, mutated ones, arbitrary JSON, almost-JSON and
//! random bytes, on real, random and garbled path segments) over raw HTTP. Every answer must be
//! 2xx or 4xx (a 503 only as the documented `queue_full`), every refusal a JSON
//! `{"error", "detail"}` body, and the hub must still be running and answering `/api/health`
//! afterwards.

mod fuzz;
mod support;

use std::net::SocketAddr;

use fuzz::json::{json_like_text, json_value, label, mutation, object_text};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::TestRunner;
use serde_json::{Value, json};
use support::binary::spawn_binary;
use support::blocking_http::{self, path_segment};

/// Requests per endpoint: enough to reach every refusal, few enough to run in seconds.
const CASES: u32 = 64;

/// A body as written: its fields in order.
type Fields = Vec<(String, Value)>;

/// What the valid bodies and paths point at: legs and sessions that exist.
struct Targets {
    /// Call ids the hub issued.
    calls: Vec<String>,
    /// Session names the hub knows.
    sessions: Vec<String>,
}

/// One POST endpoint: its path (with a generated segment where it has one) and its valid
/// bodies.
struct Endpoint {
    /// The route, for messages.
    route: &'static str,
    /// Paths to send to.
    paths: BoxedStrategy<String>,
    /// Valid bodies.
    bodies: BoxedStrategy<Fields>,
}

/// `(key, value)` fields from a JSON object.
fn fields(value: Value) -> Fields {
    match value {
        Value::Object(members) => members.into_iter().collect(),
        _ => Vec::new(),
    }
}

/// A path segment: one of `known`, a well-formed-looking one, or any text, percent-encoded.
fn segment(known: Vec<String>, looks_valid: &'static str) -> BoxedStrategy<String> {
    prop_oneof![
        2 => select(known),
        1 => looks_valid,
        1 => any::<String>(),
    ]
    .prop_map(|text| path_segment(&text))
    .boxed()
}

/// Valid agent fields: `{"agent_id", "agent_name"}`.
fn agent() -> impl Strategy<Value = Value> {
    (label(), label()).prop_map(|(id, name)| json!({"agent_id": id, "agent_name": name}))
}

/// Every POST endpoint of `src/http/mod.rs`.
fn endpoints(targets: &Targets) -> Vec<Endpoint> {
    let fixed = |path: &'static str| Just(path.to_owned()).boxed();
    let session = || select(targets.sessions.clone());
    let calls = segment(targets.calls.clone(), "call_[0-9a-f]{12}");
    let sessions = segment(targets.sessions.clone(), "[a-z0-9-]{1,20}");
    let chat = (label(), proptest::option::of(session()))
        .prop_map(|(message, name)| fields(json!({"message": message, "session_name": name})))
        .boxed();
    vec![
        Endpoint {
            route: "/api/calls/start",
            paths: fixed("/api/calls/start"),
            bodies: (select(&["customer", "agent"][..]), label())
                .prop_map(|(role, name)| fields(json!({"user_type": role, "user_name": name})))
                .boxed(),
        },
        Endpoint {
            route: "/api/calls/{call_id}/end",
            paths: calls.prop_map(|id| format!("/api/calls/{id}/end")).boxed(),
            bodies: Just(Fields::new()).boxed(),
        },
        Endpoint {
            route: "/api/chat",
            paths: fixed("/api/chat"),
            bodies: chat.clone(),
        },
        Endpoint {
            route: "/api/chat/stream",
            paths: fixed("/api/chat/stream"),
            bodies: chat,
        },
        Endpoint {
            route: "/api/chat/cancel",
            paths: fixed("/api/chat/cancel"),
            bodies: session()
                .prop_map(|name| fields(json!({"session_name": name})))
                .boxed(),
        },
        Endpoint {
            route: "/api/manual/escalate",
            paths: fixed("/api/manual/escalate"),
            bodies: (session(), label(), proptest::option::of(json_value()))
                .prop_map(|(name, reason, details)| {
                    fields(json!({"session_name": name, "reason": reason, "details": details}))
                })
                .boxed(),
        },
        Endpoint {
            route: "/api/manual/messages",
            paths: fixed("/api/manual/messages"),
            bodies: (session(), select(&["agent", "user"][..]), label(), agent())
                .prop_map(|(name, role, content, agent)| {
                    fields(
                        json!({"session_name": name, "role": role, "content": content,
                                  "agent_info": agent}),
                    )
                })
                .boxed(),
        },
        Endpoint {
            route: "/api/sessions/{session_name}/claim",
            paths: sessions
                .clone()
                .prop_map(|name| format!("/api/sessions/{name}/claim"))
                .boxed(),
            bodies: prop_oneof![
                agent(),
                agent().prop_map(|agent| json!({"agent_info": agent}))
            ]
            .prop_map(fields)
            .boxed(),
        },
        Endpoint {
            route: "/api/sessions/{session_name}/release",
            paths: sessions
                .prop_map(|name| format!("/api/sessions/{name}/release"))
                .boxed(),
            bodies: Just(Fields::new()).boxed(),
        },
    ]
}

/// Any body for an endpoint: valid, mutated, arbitrary JSON, almost-JSON, or random bytes.
fn any_body(valid: BoxedStrategy<Fields>) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        valid
            .clone()
            .prop_map(|fields| object_text(&fields).into_bytes()),
        (valid, mutation()).prop_map(|(fields, mutation)| {
            let fields = match fields.is_empty() {
                true => vec![("x".to_owned(), Value::Null)],
                false => fields,
            };
            mutation.apply(&fields).into_bytes()
        }),
        json_value().prop_map(|value| value.to_string().into_bytes()),
        json_like_text().prop_map(String::into_bytes),
        proptest::collection::vec(any::<u8>(), 0..2048),
    ]
}

/// Sends one request and checks the answer: 2xx, or 4xx (or 503 `queue_full`) with a JSON
/// `{"error", "detail"}` body.
fn check(addr: SocketAddr, path: &str, body: &[u8]) -> Result<(), TestCaseError> {
    let answer = blocking_http::send(addr, "POST", path, body)
        .map_err(|error| TestCaseError::fail(format!("POST {path}: no answer: {error}")))?;
    let status = answer.status;
    prop_assert!(
        matches!(status, 200..=299 | 400..=499 | 503),
        "POST {path}: status {status}"
    );
    if status >= 400 {
        let refusal = answer.try_json().unwrap_or_default();
        let clear = refusal["error"].is_string() && refusal["detail"].is_string();
        let shown = String::from_utf8_lossy(&answer.body);
        prop_assert!(clear, "POST {path}: {status} with body {shown}");
        if status == 503 {
            prop_assert_eq!(&refusal["error"], "queue_full", "POST {}", path);
        }
    }
    Ok(())
}

/// A leg of each side and two sessions, so that valid requests reach real state.
fn targets(addr: SocketAddr) -> Targets {
    let post = |path: &str, body: Value| {
        let answer = blocking_http::send(addr, "POST", path, body.to_string().as_bytes());
        let answer = answer.unwrap_or_else(|error| panic!("POST {path}: {error}"));
        assert_eq!(answer.status, 200, "POST {path}");
        answer.try_json().expect("JSON answer")
    };
    let calls = ["customer", "agent", "customer"].map(|role| {
        post(
            "/api/calls/start",
            json!({"user_type": role, "user_name": "fuzz"}),
        )
    });
    let sessions = ["fuzz-one", "fuzz-two"].map(|name| {
        post(
            "/api/chat",
            json!({"session_name": name, "message": "hello"}),
        );
        name.to_owned()
    });
    Targets {
        calls: calls
            .iter()
            .map(|call| call["call_id"].as_str().expect("a call id").to_owned())
            .collect(),
        sessions: sessions.to_vec(),
    }
}

#[test]
fn every_post_endpoint_answers_any_body_clearly_and_the_hub_survives() {
    let mut hub = spawn_binary(&[]);
    let addr = hub.addr;
    let targets = targets(addr);
    for endpoint in endpoints(&targets) {
        let config = ProptestConfig {
            cases: CASES,
            ..ProptestConfig::default()
        };
        let requests = (endpoint.paths, any_body(endpoint.bodies));
        let outcome =
            TestRunner::new(config).run(&requests, |(path, body)| check(addr, &path, &body));
        if let Err(failure) = outcome {
            panic!("POST {}: {failure}", endpoint.route);
        }
    }
    assert!(
        hub.child.try_wait().expect("poll the hub").is_none(),
        "the hub process exited"
    );
    let health = blocking_http::send(addr, "GET", "/api/health", b"").expect("GET /api/health");
    assert_eq!(health.status, 200);
    assert_eq!(health.try_json().expect("JSON health")["status"], "ok");
}
