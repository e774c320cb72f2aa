//! Seed 001's JSON shapes, shared by the REST handlers, the SSE streams and the agent desk
//! socket. Receives session state and log entries from the actors; sends `serde_json` values
//! with unix-second timestamps, as the seed writes them.

use serde_json::{Value, json};
use switchboard_actors::SessionName;
use switchboard_actors::session::{
    Assignment, Escalation, EventKind, SessionEvent, SessionHeader, SessionState, Speaker,
};

/// The full session state: status, history, escalation and assigned agent.
pub fn session(state: &SessionState) -> Value {
    let mut body = summary(&state.name, &state.header, state.last_seq());
    let history: Vec<Value> = state.events.iter().filter_map(history_entry).collect();
    if let Some(fields) = body.as_object_mut() {
        fields.insert("success".into(), json!(true));
        fields.insert("history".into(), json!(history));
    }
    body
}

/// A session without its history, as a row of `GET /api/sessions`.
pub fn summary(name: &SessionName, header: &SessionHeader, last_seq: u64) -> Value {
    json!({
        "session_name": name,
        "status": header.status,
        "created_at": header.created_at.timestamp(),
        "updated_at": header.updated_at.timestamp(),
        "escalation": header.escalation.as_ref().map(escalation),
        "assigned_agent": header.assigned_agent.as_ref().map(assignment),
        "last_seq": last_seq,
    })
}

/// Why a session was escalated, with the regulator rule when the regulator did it.
fn escalation(escalation: &Escalation) -> Value {
    json!({
        "reason": escalation.reason,
        "details": escalation.details,
        "rule": escalation.rule,
        "trigger_at": escalation.trigger_at.timestamp(),
    })
}

/// The agent holding a session.
fn assignment(assignment: &Assignment) -> Value {
    json!({
        "agent_id": assignment.agent.agent_id,
        "agent_name": assignment.agent.agent_name,
        "assigned_at": assignment.assigned_at.timestamp(),
    })
}

/// One message of the history; `None` for entries that are not messages.
pub fn history_entry(event: &SessionEvent) -> Option<Value> {
    let EventKind::Message {
        role,
        content,
        agent,
        ..
    } = &event.kind
    else {
        return None;
    };
    let mut entry = json!({
        "seq": event.seq,
        "role": role,
        "content": content,
        "timestamp": event.timestamp.timestamp(),
    });
    if let (Some(agent), Some(fields)) = (agent, entry.as_object_mut()) {
        fields.insert("agent_id".into(), json!(agent.agent_id));
        fields.insert("agent_name".into(), json!(agent.agent_name));
    }
    Some(entry)
}

/// A log entry as pushed to SSE and desk clients: `status_change`, `manual_message`,
/// `system`, or `message` (a bot-mode line), each with its `seq`.
pub fn pushed(event: &SessionEvent) -> Value {
    let timestamp = event.timestamp.timestamp();
    match &event.kind {
        EventKind::StatusChange { status, reason } => json!({
            "type": "status_change",
            "status": status,
            "reason": reason,
            "timestamp": timestamp,
            "seq": event.seq,
        }),
        EventKind::Message {
            role: Speaker::System,
            content,
            ..
        } => json!({
            "type": "system",
            "role": "system",
            "content": content,
            "timestamp": timestamp,
            "seq": event.seq,
        }),
        EventKind::Message {
            role,
            content,
            agent,
            manual: true,
        } => json!({
            "type": "manual_message",
            "role": role,
            "content": content,
            "timestamp": timestamp,
            "agent_id": agent.as_ref().map(|a| &a.agent_id),
            "agent_name": agent.as_ref().map(|a| &a.agent_name),
            "seq": event.seq,
        }),
        EventKind::Message { role, content, .. } => json!({
            "type": "message",
            "role": role,
            "content": content,
            "timestamp": timestamp,
            "seq": event.seq,
        }),
    }
}
