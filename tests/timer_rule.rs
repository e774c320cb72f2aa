//! House rule 7: no timer per item in an actor that many items share. An actix `Context` polls
//! every future spawned on it each time the actor wakes, so a `run_later` per waiting leg made
//! every message to the Matchmaker cost as much as the legs waiting. Such an actor keeps its
//! items' instants in one `kernel::deadlines::Deadlines`; a timer per actor, or a fixed number
//! of them, is fine.
//!
//! This test finds every `run_later`, `run_interval` and `notify_later` outside tests and
//! checks it against the table below, which says why each is not a timer per item. A new one
//! fails the test until it is added there (or replaced by a deadline).

use std::collections::BTreeMap;
use std::path::Path;

/// Where timers are spawned, how many calls each file has, and why none is per item.
const TIMERS: &[(&str, usize, &str)] = &[
    (
        "actors/src/kernel/deadlines.rs",
        1,
        "the one timer of a Deadlines",
    ),
    (
        "actors/src/calls/call.rs",
        3,
        "a Call is one pair: its own linger and deadlines",
    ),
    (
        "actors/src/calls/matchmaker.rs",
        1,
        "one coalesced round of queue positions per side",
    ),
    (
        "actors/src/takeover/directory.rs",
        1,
        "one sweep for the whole directory",
    ),
    (
        "actors/src/takeover/session/actor.rs",
        1,
        "a Session is one conversation: its tick",
    ),
    (
        "actors/src/takeover/session/desk_follow.rs",
        1,
        "one conversation's desk grace",
    ),
    (
        "actors/src/admin/feed.rs",
        1,
        "one statistics interval for all monitors",
    ),
    (
        "src/ws/connection.rs",
        1,
        "a connection is one socket: its heartbeat",
    ),
];

/// The words that spawn a timer on a `Context`.
const TIMER_CALLS: [&str; 3] = [".run_later(", ".run_interval(", ".notify_later("];

/// The part of a source file before its unit tests.
fn non_test_part(text: &str) -> &str {
    text.split("#[cfg(test)]").next().unwrap_or(text)
}

/// Every `.rs` file under `folder`, with its path from the workspace root.
fn sources(folder: &Path, root: &Path, found: &mut Vec<(String, String)>) {
    let entries = std::fs::read_dir(folder).expect("a readable source folder");
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, root, found);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            let text = std::fs::read_to_string(&path).expect("a readable source file");
            let name = path.strip_prefix(root).expect("under the root");
            found.push((name.display().to_string(), text));
        }
    }
}

#[test]
fn no_actor_spawns_a_timer_per_item() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for folder in ["src", "actors/src"] {
        sources(&root.join(folder), root, &mut files);
    }
    let mut counted = BTreeMap::new();
    for (name, text) in &files {
        if name.starts_with("actors/src/tests/") {
            continue;
        }
        let code = non_test_part(text);
        let calls: usize = TIMER_CALLS
            .iter()
            .map(|call| code.matches(call).count())
            .sum();
        if calls > 0 {
            counted.insert(name.clone(), calls);
        }
    }
    let declared: BTreeMap<String, usize> = TIMERS
        .iter()
        .map(|(name, calls, _)| ((*name).to_owned(), *calls))
        .collect();
    assert_eq!(
        counted, declared,
        "rule 7: a timer per item in a shared actor makes every message cost as much as the \
         items; keep them in kernel::deadlines, or add the call to TIMERS saying why it is not \
         per item"
    );
}
