//! The API's description: `/openapi.json` is an OpenAPI 3.1 document naming every REST and
//! SSE route of the hub's route table with its method, a schema for every answer, the one
//! error body and both ways to send a token; `/docs/` serves its page and files from the
//! binary. Every JSON answer is a component derived from the handler's type, and real answers
//! carry exactly the keys their component documents.

mod support;

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use support::{start_hub, test_config};

/// The documented path of a route pattern: a parameter without its pattern.
fn documented(path: &str) -> String {
    path.split('/')
        .map(|segment| match segment.split_once(':') {
            Some((name, _)) if segment.starts_with('{') => format!("{name}}}"),
            _ => segment.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Every media type of `response` carries a schema.
fn each_content_has_a_schema(response: &Value) -> bool {
    response["content"].as_object().is_some_and(|content| {
        !content.is_empty() && content.values().all(|c| c["schema"].is_object())
    })
}

#[actix_rt::test]
async fn every_rest_route_is_described_with_its_method_and_answer_schemas() {
    let hub = start_hub(test_config());
    let (status, document) = hub.get("/openapi.json").await;
    assert_eq!(status, 200, "{document}");
    assert!(
        document["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "{}",
        document["openapi"]
    );
    let sockets = switchboard::ws::route_table();
    let rest: Vec<_> = switchboard::route_table()
        .into_iter()
        .filter(|rule| !sockets.contains(rule))
        .collect();
    assert!(rest.len() >= 30, "{} REST routes", rest.len());
    for rule in rest {
        let path = documented(rule.path);
        let operation = &document["paths"][&path][rule.method.to_lowercase()];
        assert!(
            operation.is_object(),
            "{} {path} is not described",
            rule.method
        );
        let responses = operation["responses"].as_object().expect("responses");
        assert!(responses.contains_key("200"), "{} {path}", rule.method);
        for (code, response) in responses {
            assert!(
                each_content_has_a_schema(response),
                "{} {path} {code}: {response}",
                rule.method
            );
        }
        assert!(operation["security"].is_array(), "{} {path}", rule.method);
    }
    hub.stop().await;
}

#[actix_rt::test]
async fn refusals_share_the_error_body_and_tokens_are_declared() {
    let hub = start_hub(test_config());
    let (_, document) = hub.get("/openapi.json").await;
    let error_body = &document["components"]["schemas"]["ErrorBody"];
    let required = error_body["required"].as_array().expect("required fields");
    assert!(
        required.contains(&"error".into()) && required.contains(&"detail".into()),
        "{error_body}"
    );
    let refusal = &document["paths"]["/api/calls/start"]["post"]["responses"]["400"];
    let schema = &refusal["content"]["application/json"]["schema"]["$ref"];
    assert_eq!(schema, "#/components/schemas/ErrorBody");
    let schemes = &document["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["type"], "http");
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["query_token"]["type"], "apiKey");
    assert_eq!(schemes["query_token"]["in"], "query");
    assert_eq!(schemes["query_token"]["name"], "token");
    let admin_only = &document["paths"]["/api/v1/websocket/notify"]["post"]["security"];
    assert!(
        !admin_only
            .as_array()
            .expect("security")
            .contains(&serde_json::json!({})),
        "{admin_only}"
    );
    hub.stop().await;
}

#[actix_rt::test]
async fn request_bodies_and_queries_come_from_the_handlers_types() {
    let hub = start_hub(test_config());
    let (_, document) = hub.get("/openapi.json").await;
    let body = &document["paths"]["/api/calls/start"]["post"]["requestBody"];
    let reference = body["content"]["application/json"]["schema"]["$ref"]
        .as_str()
        .expect("a $ref");
    let name = reference.trim_start_matches("#/components/schemas/");
    let schema = &document["components"]["schemas"][name];
    assert!(schema["properties"]["user_type"].is_object(), "{schema}");
    assert!(schema["properties"]["user_name"].is_object(), "{schema}");
    let parameters = document["paths"]["/api/sessions/{session_name}"]["get"]["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .map(|p| {
            format!(
                "{}:{}",
                p["in"].as_str().unwrap_or_default(),
                p["name"].as_str().unwrap_or_default()
            )
        })
        .collect::<Vec<_>>();
    for expected in ["path:session_name", "query:limit", "query:before_seq"] {
        assert!(
            parameters.iter().any(|p| p == expected),
            "{expected} in {parameters:?}"
        );
    }
    hub.stop().await;
}

#[actix_rt::test]
async fn the_docs_page_and_its_files_are_served_from_the_binary() {
    let hub = start_hub(test_config());
    let mut page = hub
        .http
        .get(hub.url("/docs/"))
        .send()
        .await
        .expect("GET /docs/");
    assert_eq!(page.status(), 200);
    let html = page.body().await.expect("the page");
    assert!(
        String::from_utf8_lossy(&html).contains("swagger-ui"),
        "the Swagger UI page"
    );
    let mut setup = hub
        .http
        .get(hub.url("/docs/swagger-initializer.js"))
        .send()
        .await
        .expect("GET");
    assert_eq!(setup.status(), 200);
    let script = setup.body().await.expect("the script");
    assert!(
        String::from_utf8_lossy(&script).contains("/openapi.json"),
        "it reads the document"
    );
    let (status, body) = hub.get("/docs/no-such-file.js").await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["error"], "not_found");
    let bare = awc::Client::builder()
        .disable_redirects()
        .finish()
        .get(hub.url("/docs"))
        .send()
        .await
        .expect("GET /docs");
    assert_eq!(bare.status(), 308);
    assert_eq!(
        bare.headers().get("location").map(|v| v.as_bytes()),
        Some(&b"/docs/"[..])
    );
    hub.stop().await;
}

/// One object shape a schema allows: its properties and the names it requires.
#[derive(Clone, Debug, Default)]
struct Shape {
    properties: Map<String, Value>,
    required: BTreeSet<String>,
}

impl Shape {
    /// Both shapes at once, as `allOf` combines them.
    fn and(&self, other: &Shape) -> Shape {
        let mut both = self.clone();
        both.properties.extend(other.properties.clone());
        both.required.extend(other.required.iter().cloned());
        both
    }

    /// Whether an object with `keys` has this shape: every key documented, every required
    /// one present.
    fn fits(&self, keys: &BTreeSet<String>) -> bool {
        keys.iter().all(|key| self.properties.contains_key(key)) && self.required.is_subset(keys)
    }
}

/// The component a `$ref` names; fails when it names none.
fn component<'a>(document: &'a Value, reference: &str) -> &'a Value {
    let name = reference
        .strip_prefix("#/components/schemas/")
        .unwrap_or_else(|| panic!("{reference} is not a component of the document"));
    let schema = &document["components"]["schemas"][name];
    assert!(schema.is_object(), "{reference} names no component");
    schema
}

/// Every object shape `schema` allows, following its `$ref`s, `oneOf`s and `allOf`s.
fn shapes(document: &Value, schema: &Value) -> Vec<Shape> {
    if let Some(reference) = schema["$ref"].as_str() {
        return shapes(document, component(document, reference));
    }
    if let Some(choices) = schema["oneOf"].as_array() {
        return choices.iter().flat_map(|c| shapes(document, c)).collect();
    }
    if let Some(parts) = schema["allOf"].as_array() {
        return parts.iter().fold(vec![Shape::default()], |so_far, part| {
            let part = shapes(document, part);
            so_far
                .iter()
                .flat_map(|a| part.iter().map(move |b| a.and(b)))
                .collect()
        });
    }
    let Some(properties) = schema["properties"].as_object() else {
        return Vec::new();
    };
    let required = schema["required"].as_array().into_iter().flatten();
    vec![Shape {
        properties: properties.clone(),
        required: required
            .filter_map(|n| n.as_str().map(str::to_owned))
            .collect(),
    }]
}

/// Checks that `answer` has exactly the keys of a shape `schema` allows, and so on down every
/// object (or array of objects) whose property is documented with properties of its own.
fn assert_documented(document: &Value, schema: &Value, answer: &Value, what: &str) {
    if let Some(items) = answer.as_array() {
        for (n, item) in items.iter().enumerate() {
            assert_documented(document, &schema["items"], item, &format!("{what}[{n}]"));
        }
        return;
    }
    let Some(object) = answer.as_object() else {
        return;
    };
    let allowed = shapes(document, schema);
    if allowed.is_empty() {
        return;
    }
    let keys: BTreeSet<String> = object.keys().cloned().collect();
    let shape = allowed.iter().find(|shape| shape.fits(&keys));
    let listed: Vec<_> = allowed
        .iter()
        .map(|s| (s.properties.keys().collect::<Vec<_>>(), &s.required))
        .collect();
    let shape = shape.unwrap_or_else(|| panic!("{what}: keys {keys:?} fit none of {listed:?}"));
    for (key, value) in object {
        let property = &shape.properties[key];
        let inner = match property["oneOf"].as_array() {
            Some(choices) => choices
                .iter()
                .find(|c| c["type"] != "null")
                .unwrap_or(property),
            None => property,
        };
        assert_documented(document, inner, value, &format!("{what}.{key}"));
    }
}

/// The schema of the 200 JSON answer of `method` `path`.
fn answer_schema<'a>(document: &'a Value, method: &str, path: &str) -> &'a Value {
    &document["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]
}

/// Every `$ref` in `value`, anywhere.
fn references(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(object) => {
            if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
                found.push(reference.to_owned());
            }
            object.values().for_each(|v| references(v, found));
        }
        Value::Array(items) => items.iter().for_each(|v| references(v, found)),
        _ => {}
    }
}

#[actix_rt::test]
async fn every_json_answer_is_a_component_of_the_handlers_type() {
    let hub = start_hub(test_config());
    let (_, document) = hub.get("/openapi.json").await;
    let sockets = switchboard::ws::route_table();
    let mut json_routes = 0;
    for rule in switchboard::route_table() {
        let path = documented(rule.path);
        let method = rule.method.to_lowercase();
        let schema = answer_schema(&document, &method, &path);
        if sockets.contains(&rule) || schema.is_null() {
            continue;
        }
        if path == "/openapi.json" {
            let named = schema["description"].as_str().unwrap_or_default();
            assert!(
                schema.get("$ref").is_none()
                    && named.contains("https://spec.openapis.org/oas/3.1/"),
                "the document's own schema is named, not fetched: {schema}"
            );
            continue;
        }
        json_routes += 1;
        let allowed = shapes(&document, schema);
        assert!(
            !allowed.is_empty() && allowed.iter().all(|s| !s.properties.is_empty()),
            "{method} {path}: {schema} is not a component with properties"
        );
    }
    assert!(json_routes >= 25, "{json_routes} JSON routes");
    let mut found = Vec::new();
    references(&document, &mut found);
    for reference in found.iter().filter(|r| r.starts_with('#')) {
        component(&document, reference);
    }
    hub.stop().await;
}

#[actix_rt::test]
async fn real_answers_carry_exactly_the_documented_keys() {
    let hub = start_hub(test_config());
    let (_, document) = hub.get("/openapi.json").await;
    let check = |method: &str, path: &str, answer: &Value| {
        let schema = answer_schema(&document, method, path);
        assert!(schema["$ref"].is_string(), "{method} {path}: {schema}");
        assert_documented(&document, schema, answer, &format!("{method} {path}"));
    };
    let customer = json!({"user_type": "customer", "user_name": "Ann"});
    let (status, waiting) = hub.post("/api/calls/start", customer).await;
    assert_eq!(
        (status, &waiting["status"]),
        (200, &json!("waiting")),
        "{waiting}"
    );
    check("post", "/api/calls/start", &waiting);
    let agent = json!({"user_type": "agent", "user_name": "Bob"});
    let (status, matched) = hub.post("/api/calls/start", agent).await;
    assert_eq!(
        (status, &matched["status"]),
        (200, &json!("matched")),
        "{matched}"
    );
    check("post", "/api/calls/start", &matched);
    let call_id = waiting["call_id"].as_str().expect("a call id");
    let (status, chat) = hub.post("/api/chat", json!({"message": "hello"})).await;
    assert_eq!(status, 200, "{chat}");
    check("post", "/api/chat", &chat);
    let session = chat["session_name"].as_str().expect("a session name");
    let reads = [
        (
            format!("/api/calls/match/{call_id}"),
            "/api/calls/match/{call_id}",
        ),
        ("/api/calls".into(), "/api/calls"),
        (
            format!("/api/sessions/{session}"),
            "/api/sessions/{session_name}",
        ),
        ("/api/sessions".into(), "/api/sessions"),
        (
            format!("/api/sessions/{session}/audit"),
            "/api/sessions/{session_name}/audit",
        ),
        ("/api/health".into(), "/api/health"),
        ("/ws/statistics".into(), "/ws/statistics"),
        ("/api/v1/websocket/stats".into(), "/api/v1/websocket/stats"),
        (
            "/api/v1/websocket/health".into(),
            "/api/v1/websocket/health",
        ),
        (
            "/api/v1/websocket/connections".into(),
            "/api/v1/websocket/connections",
        ),
        (
            "/api/v1/websocket/online-users".into(),
            "/api/v1/websocket/online-users",
        ),
        (
            "/api/v1/websocket/sessions".into(),
            "/api/v1/websocket/sessions",
        ),
    ];
    for (path, documented_path) in reads {
        let (status, answer) = hub.get(&path).await;
        assert_eq!(status, 200, "GET {path}: {answer}");
        check("get", documented_path, &answer);
    }
    let (status, ended) = hub
        .post(&format!("/api/calls/{call_id}/end"), json!({}))
        .await;
    assert_eq!(status, 200, "{ended}");
    check("post", "/api/calls/{call_id}/end", &ended);
    let (_, gone) = hub.get(&format!("/api/calls/match/{call_id}")).await;
    assert_eq!(gone["status"], "ended", "{gone}");
    check("get", "/api/calls/match/{call_id}", &gone);
    hub.stop().await;
}
