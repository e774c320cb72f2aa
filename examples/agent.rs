//! The agent side of a call. Run it next to the `customer` example, in either order:
//!
//! ```text
//! cargo run --example agent                       # interactive: type lines, /quit hangs up
//! cargo run --example agent -- --say "..." --expect 1   # scripted
//! ```
//!
//! Sends `POST /api/calls/start` as an agent, then `start_call`, `transcript` and `call_ended`
//! frames on `/ws/call/{call_id}`; receives `queue_position`, `call_matched`, the customer's
//! `transcript` lines, `call_ended` and `error` frames and prints them. All of it lives in
//! [`common`].

mod common;

use std::process::ExitCode;

/// Plays the agent leg and exits 0 when the call went as asked.
#[actix_web::main]
async fn main() -> ExitCode {
    common::run(common::Role {
        user_type: "agent",
        default_name: "Agent",
    })
    .await
}
