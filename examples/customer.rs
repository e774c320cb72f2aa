//! The customer side of a call. Run it next to the `agent` example, in either order:
//!
//! ```text
//! cargo run --example customer                       # interactive: type lines, /quit hangs up
//! cargo run --example customer -- --say "..." --expect 1   # scripted
//! ```
//!
//! Sends `POST /api/calls/start` as a customer, then `start_call`, `transcript` and `call_ended`
//! frames on `/ws/call/{call_id}`; receives `queue_position`, `call_matched`, the agent's
//! `transcript` lines, `call_ended` and `error` frames and prints them. All of it lives in
//! [`common`].

mod common;

use std::process::ExitCode;

/// Plays the customer leg and exits 0 when the call went as asked.
#[actix_web::main]
async fn main() -> ExitCode {
    common::run(common::Role {
        user_type: "customer",
        default_name: "Customer",
    })
    .await
}
