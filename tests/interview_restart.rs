//! Seed 002's interviews across a restart: the restarted hub (on the same database file)
//! shows the interview with its history, and a socket on the same session id resumes it where
//! it stood (style, areas covered, next strategy).

mod support;

use switchboard::Config;

use support::binary::TempDatabase;
use support::interview::{answer, open_interview};
use support::{start_hub, test_config_with};

/// The test settings on the file `database`.
fn on_file(database: &TempDatabase) -> Config {
    test_config_with(|config| config.store.database_path = database.path_str())
}

/// A full, on-topic answer.
const RICH: &str = "I designed the backend system in Rust and Python, ran the database and the \
    api, and wrote the code for our framework; the architecture used a queue and a cache, and \
    I tuned the performance of every service we shipped that year with my team.";

#[actix_rt::test]
async fn an_interview_survives_a_restart_of_the_hub() {
    let database = TempDatabase::new("interview-restart");
    let first = start_hub(on_file(&database));
    let (mut ws, _) = open_interview(&first, "/api/v1/ws/kept").await;
    ws.send_json(serde_json::json!({"type": "connect", "data": {"interview_style": "technical"}}))
        .await;
    ws.expect("connected").await;
    answer(&mut ws, "kept", "Hello").await;
    let reply = answer(&mut ws, "kept", RICH).await;
    assert_eq!(reply["focus_area"], "problem_solving", "{reply}");
    first.stop().await;
    drop(ws);

    let second = start_hub(on_file(&database));
    let (status, body) = second.get("/api/v1/websocket/sessions/kept").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["active"], false, "{body}");
    assert_eq!(body["data"]["interview_style"], "technical", "{body}");
    assert_eq!(
        body["data"]["focus_areas_covered"],
        serde_json::json!(["technical_skills"])
    );
    assert_eq!(body["data"]["history"][1]["user_input"], RICH, "{body}");

    let (mut ws, connected) = open_interview(&second, "/api/v1/ws/kept").await;
    assert_eq!(connected["data"]["resumed"], true, "{connected}");
    assert_eq!(connected["data"]["exchanges"], 2, "{connected}");
    let reply = answer(&mut ws, "kept", RICH).await;
    assert_eq!(reply["strategy_used"], "broaden", "{reply}");
    assert_eq!(
        reply["focus_area"], "background",
        "the technical order goes on: {reply}"
    );
    ws.close().await;
    second.stop().await;
}
