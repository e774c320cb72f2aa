//! The API's description: `/openapi.json` is an OpenAPI 3.1 document naming every REST and
//! SSE route of the hub's route table with its method, a schema for every answer, the one
//! error body and both ways to send a token; `/docs/` serves its page and files from the
//! binary.

mod support;

use serde_json::Value;

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
