//! Seed 000's call helpers: start a call leg over REST ([`HubClient::start_call`]), open its
//! socket ([`HubClient::call_socket`]) or both at once as a waiting leg
//! ([`HubClient::waiting_leg`]), form a matched pair ([`matched_pair`]) and wait for a match
//! behind queue updates ([`wait_until_matched`]).

use serde_json::{Value, json};

use super::HubClient;
use super::ws::WsClient;

impl HubClient {
    /// `POST /api/calls/start` for `role` named `name`; asserts 200 and returns the body.
    pub async fn start_call(&self, role: &str, name: &str) -> Value {
        let (status, body) = self
            .post(
                "/api/calls/start",
                json!({"user_type": role, "user_name": name}),
            )
            .await;
        assert_eq!(status, 200, "start_call failed: {body}");
        body
    }

    /// Starts a `role` leg named `name`, opens its socket and reads its first queue position.
    /// Returns (call id, socket, that `queue_position` frame).
    pub async fn waiting_leg(&self, role: &str, name: &str) -> (String, WsClient, Value) {
        let body = self.start_call(role, name).await;
        assert_eq!(body["status"], "waiting", "{body}");
        let call_id = body["call_id"].as_str().expect("call_id").to_owned();
        let mut ws = self.call_socket(&call_id).await;
        let position = ws.expect("queue_position").await;
        (call_id, ws, position)
    }

    /// Opens the call socket for `call_id`.
    pub async fn call_socket(&self, call_id: &str) -> WsClient {
        self.socket(&format!("/ws/call/{call_id}")).await
    }
}

/// Starts a customer and an agent, opens both sockets and waits until both are matched.
/// Returns (customer socket, customer call id, agent socket, agent call id).
pub async fn matched_pair(hub: &HubClient, name: &str) -> (WsClient, String, WsClient, String) {
    let customer = hub
        .start_call("customer", &format!("{name}-customer"))
        .await;
    let customer_id = customer["call_id"].as_str().expect("call_id").to_owned();
    let mut customer_ws = hub.call_socket(&customer_id).await;
    let agent = hub.start_call("agent", &format!("{name}-agent")).await;
    let agent_id = agent["call_id"].as_str().expect("call_id").to_owned();
    let mut agent_ws = hub.call_socket(&agent_id).await;
    wait_until_matched(&mut customer_ws).await;
    let matched = agent_ws.expect("call_matched").await;
    assert_eq!(matched["partner_call_id"], customer_id.as_str());
    (customer_ws, customer_id, agent_ws, agent_id)
}

/// Skips queue updates until `call_matched` arrives; returns it.
pub async fn wait_until_matched(ws: &mut WsClient) -> Value {
    loop {
        let value = ws.recv().await;
        match value["type"].as_str() {
            Some("queue_position") => continue,
            Some("call_matched") => return value,
            _ => panic!("expected call_matched, got {value}"),
        }
    }
}
