//! The JSON answers of the REST routes, for the API's description. Receives a route's path;
//! sends the name of the schema of the type its handler serialises, with every schema that
//! one refers to, all derived from the types themselves (`ToSchema`), so the description
//! follows the handlers.

use serde::Serialize;
use utoipa::ToSchema;
use utoipa::openapi::{RefOr, Schema};

use crate::http::health::Health;
use crate::wire::agent_frames::StatisticsBody;
use crate::wire::interview_frames::{PushedBody, SessionDetail, SessionsBody, Success};
use crate::wire::matching::{CallListBody, EndCallResponse, MatchBody, StartCallResponse};
use crate::wire::monitor_frames::{
    CombinedStats, ConnectionsBody, HealthBody, NotifiedBody, OnlineUsersBody, UserActionBody,
};
use crate::wire::takeover::conversation::SessionBody;
use crate::wire::takeover::rest::{AuditBody, CancelResponse, ChatResponse, SessionListBody};

/// Schemas by component name.
pub type NamedSchemas = Vec<(String, RefOr<Schema>)>;

/// A type's schema as a component: its name, and its schema with every one it refers to.
pub struct Component {
    /// The name the document's `$ref`s use.
    pub name: String,
    /// The component itself first, then the schemas it refers to.
    pub schemas: NamedSchemas,
}

impl Component {
    /// The component of `T`.
    pub fn of<T: ToSchema>() -> Component {
        Component::named::<T>(T::name().into_owned())
    }

    /// The component of the management API's `{"success": true, "data": T}`, named after `T`
    /// (every `Success` would otherwise share one name), with `T`'s own.
    fn success<T: ToSchema + Serialize>() -> Component {
        let mut wrapper = Component::named::<Success<T>>(format!("Success_{}", T::name()));
        wrapper.schemas.extend(Component::of::<T>().schemas);
        wrapper
    }

    /// The component of `T` under `name`.
    fn named<T: ToSchema>(name: String) -> Component {
        let mut schemas = vec![(name.clone(), T::schema())];
        T::schemas(&mut schemas);
        Component { name, schemas }
    }
}

/// The component of the JSON answer of the route at `path` when it does what it is asked;
/// `None` for the routes that answer text, HTML or events.
pub fn answer(path: &str) -> Option<Component> {
    let component = match path {
        "/api/health" => Component::of::<Health>(),
        "/ws/statistics" => Component::of::<StatisticsBody>(),
        _ if path.starts_with("/api/calls") => calls_answer(path)?,
        "/api/chat" => Component::of::<ChatResponse<'static>>(),
        "/api/chat/cancel" => Component::of::<CancelResponse<'static>>(),
        "/api/manual/escalate"
        | "/api/manual/messages"
        | "/api/sessions/{session_name}"
        | "/api/sessions/{session_name}/claim"
        | "/api/sessions/{session_name}/release" => Component::of::<SessionBody<'static>>(),
        "/api/sessions" => Component::of::<SessionListBody<'static>>(),
        "/api/sessions/{session_name}/audit" => Component::of::<AuditBody<'static>>(),
        _ if path.starts_with("/api/v1/websocket/") => management_answer(path)?,
        _ => return None,
    };
    Some(component)
}

/// The answers of seed 000's call routes.
fn calls_answer(path: &str) -> Option<Component> {
    Some(match path {
        "/api/calls" => Component::of::<CallListBody>(),
        "/api/calls/start" => Component::of::<StartCallResponse<'static>>(),
        "/api/calls/match/{call_id}" => Component::of::<MatchBody<'static>>(),
        "/api/calls/{call_id}/end" => Component::of::<EndCallResponse<'static>>(),
        _ => return None,
    })
}

/// The answers of the management API of seeds 002 and 003.
fn management_answer(path: &str) -> Option<Component> {
    let route = path.trim_start_matches("/api/v1/websocket/");
    Some(match route {
        "stats" => Component::of::<CombinedStats<'static>>(),
        "sessions" => Component::success::<SessionsBody>(),
        "sessions/{session_id}" => Component::success::<SessionDetail<'static>>(),
        "sessions/{session_id}/message" | "broadcast" => Component::success::<PushedBody>(),
        "connections" | "users/{user_id}/connections" => Component::success::<ConnectionsBody>(),
        "health" => Component::success::<HealthBody>(),
        "online-users" => Component::success::<OnlineUsersBody>(),
        "users/disconnect" | "ping/{user_id}" => Component::success::<UserActionBody>(),
        "notify" => Component::success::<NotifiedBody<'static>>(),
        _ => return None,
    })
}
