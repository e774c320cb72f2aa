//! Seed 000's calls across a restart: a call in progress when the hub stops is recorded as
//! ended with `server_shutdown`, and the restarted hub (on the same database file) answers
//! `GET /api/calls/match/{call_id}` for both legs with that ending, in the seed's shape, while an
//! id it never issued is still 404.

mod support;

use switchboard::Config;

use support::binary::TempDatabase;
use support::calls::matched_pair;
use support::{start_hub, test_config_with};

/// The test settings on the file `database`.
fn on_file(database: &TempDatabase) -> Config {
    test_config_with(|config| config.store.database_path = database.path_str())
}

#[actix_rt::test]
async fn calls_cut_by_a_stop_read_as_ended_by_it_after_a_restart() {
    let database = TempDatabase::new("call-restart");
    let first = start_hub(on_file(&database));
    let (customer_ws, customer_id, agent_ws, agent_id) = matched_pair(&first, "restart").await;
    first.stop().await;
    drop((customer_ws, agent_ws));

    let second = start_hub(on_file(&database));
    for (call_id, role) in [(&customer_id, "customer"), (&agent_id, "agent")] {
        let (status, body) = second.get(&format!("/api/calls/match/{call_id}")).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["call_id"], call_id.as_str(), "{body}");
        assert_eq!(body["status"], "ended", "{body}");
        assert_eq!(body["reason"], "server_shutdown", "{body}");
        assert_eq!(body["user_type"], role, "{body}");
    }
    let (status, body) = second.get("/api/calls/match/call_0123456789ab").await;
    assert_eq!((status, &body["error"]), (404, &"unknown_call".into()));
    second.stop().await;
}
