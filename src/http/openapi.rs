//! The API's own description. Receives the REST route table the router is built from; sends
//! the OpenAPI 3.1 document of `/openapi.json` (every path with its method, who may call it,
//! its path and query parameters, its request body and its answers) and the files of the
//! Swagger UI page at `/docs/`, shipped inside the binary. The paths and methods are the
//! table's, the request bodies, queries and JSON answers are the handlers' own types (their
//! `ToSchema` and `IntoParams` derives; the answers by route in
//! [`answer_schemas`](crate::http::answer_schemas)), and every refusal is the one error body
//! `ErrorBody`, so the description follows the code.

use std::sync::{Arc, LazyLock};

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use utoipa::openapi::path::{
    HttpMethod, Operation, OperationBuilder, Parameter, ParameterBuilder, ParameterIn,
};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{
    Components, ComponentsBuilder, Content, Info, ObjectBuilder, OpenApi, OpenApiBuilder, Paths,
    Ref, RefOr, Required, Response, ResponseBuilder, Schema, Type,
};
use utoipa::{IntoParams, ToSchema};
use utoipa_swagger_ui::Config;

use crate::api_error::{ApiError, ErrorBody};
use crate::auth::policy::{Access, RouteRule};
use crate::http::answer_schemas::{self, Component, NamedSchemas};
use crate::input;
use crate::wire::interview_frames::PushBody;
use crate::wire::matching::StartCallRequest;
use crate::wire::monitor_frames::{DisconnectBody, NotifyBody};
use crate::wire::takeover::rest::{
    CancelRequest, ChatRequest, ClaimRequest, EscalateRequest, EventsQuery, ListQuery,
    ManualMessageRequest, PageQuery,
};

/// The name of the `Authorization: Bearer <jwt>` security scheme.
const BEARER_SCHEME: &str = "bearer";
/// The name of the `?token=<jwt>` security scheme.
const QUERY_TOKEN_SCHEME: &str = "query_token";
/// Where the document is served; the page reads it from there.
pub const DOCUMENT_PATH: &str = "/openapi.json";
/// Where the page is served.
pub const PAGE_PATH: &str = "/docs/";
/// The JSON Schema of an OpenAPI 3.1 document: the schema of the document's own answer.
const OPENAPI_DOCUMENT_SCHEMA: &str = "https://spec.openapis.org/oas/3.1/schema/2022-10-07";

/// The Swagger UI's settings: describe the document at [`DOCUMENT_PATH`].
static PAGE_CONFIG: LazyLock<Arc<Config<'static>>> =
    LazyLock::new(|| Arc::new(Config::from(DOCUMENT_PATH)));

/// The OpenAPI 3.1 document of `table`'s routes.
pub fn document(table: &[RouteRule]) -> OpenApi {
    let mut paths = Paths::new();
    let mut schemas = request_schemas();
    for rule in table {
        let answer = answer_schemas::answer(rule.path);
        let answer_name = answer.as_ref().map(|answer| answer.name.as_str());
        paths.add_path_operation(
            documented_path(rule.path),
            vec![method(rule)],
            operation(rule, answer_name),
        );
        schemas.extend(answer.into_iter().flat_map(|answer| answer.schemas));
    }
    let mut info = Info::new("Switchboard", env!("CARGO_PKG_VERSION"));
    info.description = Some(
        "The hub's REST and SSE endpoints. In open mode (`AUTH_MODE=open`) only the admin \
         routes need a token; in strict mode every route needs one, sent as `Authorization: \
         Bearer <jwt>` or `?token=<jwt>`. Every JSON answer is described by the type its \
         handler sends, and every refusal is a JSON `ErrorBody`. The WebSocket endpoints are \
         described in the README."
            .into(),
    );
    OpenApiBuilder::new()
        .info(info)
        .paths(paths)
        .components(Some(components(schemas)))
        .build()
}

/// The path as OpenAPI spells it: a parameter without its pattern (`{file}`).
fn documented_path(path: &str) -> String {
    path.split('/')
        .map(|segment| match segment.split_once(':') {
            Some((name, _)) if segment.starts_with('{') => format!("{name}}}"),
            _ => segment.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The rule's method.
fn method(rule: &RouteRule) -> HttpMethod {
    match rule.method {
        "POST" => HttpMethod::Post,
        _ => HttpMethod::Get,
    }
}

/// One route's operation; `answer_name` names the schema of its JSON answer.
fn operation(rule: &RouteRule, answer_name: Option<&str>) -> Operation {
    let mut parameters = path_parameters(rule.path);
    parameters.extend(query_parameters(rule.path));
    let mut builder = OperationBuilder::new()
        .operation_id(Some(format!("{} {}", rule.method, rule.path)))
        .tag(tag(rule.path))
        .description(Some(who_may(rule.access)))
        .securities(Some(security(rule.access)))
        .parameters(Some(parameters))
        .response("200", success(rule, answer_name));
    if let Some(name) = request_schema(rule.path) {
        let body = RequestBodyBuilder::new()
            .required(Some(Required::True))
            .content(
                "application/json",
                Content::new(Some(Ref::from_schema_name(name))),
            )
            .build();
        builder = builder.request_body(Some(body));
    }
    for (status, meaning) in refusals(rule) {
        builder = builder.response(status, refusal(meaning));
    }
    builder.build()
}

/// The first segment that names the resource: `calls`, `sessions`, `v1`, ...
fn tag(path: &str) -> String {
    let segments: Vec<&str> = path.split('/').filter(|part| !part.is_empty()).collect();
    match segments.as_slice() {
        ["api", "v1", "websocket", ..] => "management".into(),
        ["api", resource, ..] => (*resource).into(),
        [first, ..] => first.trim_end_matches(".json").into(),
        [] => "hub".into(),
    }
}

/// Who may call a route, in words.
fn who_may(access: Access) -> String {
    match access {
        Access::Member => "Open mode: anyone. Strict mode: any valid token.",
        Access::Agent => "Open mode: anyone. Strict mode: an agent or admin token.",
        Access::AdminWhenStrict => "Open mode: anyone. Strict mode: an admin token.",
        Access::Admin => "An admin token, in both modes.",
    }
    .into()
}

/// The security requirements: a bearer token or `?token=`, and (except on admin routes)
/// none at all, as open mode allows.
fn security(access: Access) -> Vec<SecurityRequirement> {
    let mut needed = vec![
        SecurityRequirement::new(BEARER_SCHEME, Vec::<String>::new()),
        SecurityRequirement::new(QUERY_TOKEN_SCHEME, Vec::<String>::new()),
    ];
    if access != Access::Admin {
        needed.push(SecurityRequirement::default());
    }
    needed
}

/// A required text parameter for every `{name}` of the path.
fn path_parameters(path: &str) -> Vec<Parameter> {
    documented_path(path)
        .split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| {
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                .build()
        })
        .collect()
}

/// The query a route's handler reads, from its own type.
fn query_parameters(path: &str) -> Vec<Parameter> {
    let provider = || Some(ParameterIn::Query);
    match path {
        "/api/sessions" => ListQuery::into_params(provider),
        "/api/sessions/{session_name}" => PageQuery::into_params(provider),
        "/api/sessions/{session_name}/events" => EventsQuery::into_params(provider),
        _ => Vec::new(),
    }
}

/// The component name of the JSON body a POST route's handler reads.
fn request_schema(path: &str) -> Option<String> {
    let name = match path {
        "/api/calls/start" => StartCallRequest::name(),
        "/api/chat" | "/api/chat/stream" => ChatRequest::name(),
        "/api/chat/cancel" => CancelRequest::name(),
        "/api/manual/escalate" => EscalateRequest::name(),
        "/api/manual/messages" => ManualMessageRequest::name(),
        "/api/sessions/{session_name}/claim" => ClaimRequest::name(),
        "/api/v1/websocket/sessions/{session_id}/message" | "/api/v1/websocket/broadcast" => {
            PushBody::name()
        }
        "/api/v1/websocket/users/disconnect" => DisconnectBody::name(),
        "/api/v1/websocket/notify" => NotifyBody::name(),
        _ => return None,
    };
    Some(name.into_owned())
}

/// The answer when the route does what it is asked, with its media type; `answer_name` names
/// the schema of a JSON answer.
fn success(rule: &RouteRule, answer_name: Option<&str>) -> Response {
    let text = || {
        RefOr::T(Schema::Object(
            ObjectBuilder::new().schema_type(Type::String).build(),
        ))
    };
    let (media, schema, what) = match rule.path {
        "/metrics" => ("text/plain", text(), "The Prometheus exposition."),
        "/api/chat/stream" | "/api/sessions/{session_name}/events" => (
            "text/event-stream",
            text(),
            "A stream of server-sent events, each `data:` one JSON frame.",
        ),
        path if path.starts_with("/docs")
            || path.ends_with(".html")
            || matches!(path, "/widget" | "/desk" | "/admin") =>
        {
            ("text/html", text(), "The page, or one of its files.")
        }
        "/desk/calls.js" => ("text/javascript", text(), "The desk's calls panel."),
        "/widget.js" => (
            "text/javascript",
            text(),
            "The script that embeds the widget.",
        ),
        DOCUMENT_PATH => (
            "application/json",
            Schema::Object(
                ObjectBuilder::new()
                    .schema_type(Type::Object)
                    .description(Some(format!(
                        "An OpenAPI 3.1 document; its JSON Schema is {OPENAPI_DOCUMENT_SCHEMA} \
                         (named rather than referred to, so the page needs no network)."
                    )))
                    .build(),
            )
            .into(),
            "This document, an OpenAPI 3.1 description.",
        ),
        _ => match answer_name {
            Some(name) => (
                "application/json",
                Ref::from_schema_name(name).into(),
                "The answer, as the handler's type describes it.",
            ),
            None => (
                "application/json",
                RefOr::T(Schema::Object(
                    ObjectBuilder::new().schema_type(Type::Object).build(),
                )),
                "The answer, a JSON object.",
            ),
        },
    };
    ResponseBuilder::new()
        .description(what)
        .content(media, Content::new(Some(schema)))
        .build()
}

/// The refusals a route may answer, each with the error body.
fn refusals(rule: &RouteRule) -> Vec<(&'static str, &'static str)> {
    let mut refusals = vec![
        ("400", "A field or parameter is not acceptable."),
        ("401", "A token is needed and missing or invalid."),
        ("403", "The token's holder may not do this."),
        ("404", "Nothing has this name."),
        ("405", "The path takes another method."),
        ("429", "Too many requests or connections from this client."),
        ("503", "The hub is busy or shutting down."),
    ];
    if rule.method == "POST" {
        refusals.push(("409", "The conversation's state does not allow it."));
        refusals.push(("413", "The body is over the limit."));
        refusals.push(("415", "The body is not JSON."));
    }
    refusals
}

/// A refusal: the JSON error body.
fn refusal(meaning: &str) -> Response {
    ResponseBuilder::new()
        .description(meaning)
        .content(
            "application/json",
            Content::new(Some(Ref::from_schema_name(ErrorBody::name()))),
        )
        .build()
}

/// The error body and every request body, with the schemas they refer to.
fn request_schemas() -> NamedSchemas {
    [
        Component::of::<ErrorBody>(),
        Component::of::<StartCallRequest>(),
        Component::of::<ChatRequest>(),
        Component::of::<CancelRequest>(),
        Component::of::<EscalateRequest>(),
        Component::of::<ManualMessageRequest>(),
        Component::of::<ClaimRequest>(),
        Component::of::<PushBody>(),
        Component::of::<DisconnectBody>(),
        Component::of::<NotifyBody>(),
    ]
    .into_iter()
    .flat_map(|component| component.schemas)
    .collect()
}

/// The `schemas`, and the two ways to send a token.
fn components(schemas: NamedSchemas) -> Components {
    let mut components = ComponentsBuilder::new().schemas_from_iter(schemas).build();
    let mut bearer = Http::new(HttpAuthScheme::Bearer);
    bearer.bearer_format = Some("JWT".into());
    components.add_security_scheme(BEARER_SCHEME, SecurityScheme::Http(bearer));
    components.add_security_scheme(
        QUERY_TOKEN_SCHEME,
        SecurityScheme::ApiKey(ApiKey::Query(ApiKeyValue::with_description(
            "token",
            "The same JWT as a query parameter, for clients that cannot set headers.",
        ))),
    );
    components
}

/// `GET /docs`: the page lives at `/docs/`, where its files resolve.
pub async fn page_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, PAGE_PATH))
        .finish()
}

/// `GET /docs/`: the page.
pub async fn page() -> Result<HttpResponse, ApiError> {
    page_file_named("index.html")
}

/// `GET /docs/{file}`: one of the page's files.
pub async fn page_file(file: web::Path<String>) -> Result<HttpResponse, ApiError> {
    page_file_named(&file)
}

/// The page's file `name`, as shipped in the binary.
fn page_file_named(name: &str) -> Result<HttpResponse, ApiError> {
    let missing = || ApiError::NotFound(input::shown(&format!("{PAGE_PATH}{name}")));
    let file = utoipa_swagger_ui::serve(name, Arc::clone(&PAGE_CONFIG))
        .map_err(|_| missing())?
        .ok_or_else(missing)?;
    let mut response = HttpResponse::Ok();
    response.content_type(file.content_type);
    if file.gzpipped {
        response.insert_header((header::CONTENT_ENCODING, "gzip"));
    }
    Ok(response.body(file.bytes.into_owned()))
}
