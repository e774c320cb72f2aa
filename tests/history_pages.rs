//! Bounded answers: `GET /api/sessions/{session_name}` carries one page of the history (the
//! newest 100 messages unless `limit` says otherwise, at most 500), with the message `total`
//! and the `next_before_seq` cursor that walks back to the first message; a bad `limit` or
//! `before_seq` is a 400 naming the rule; the answers to changes and a desk's
//! `session_assigned` carry the newest page only.

mod support;

use std::collections::BTreeSet;

use serde_json::{Value, json};

use support::takeover::assert_error;
use support::{start_hub, test_config};

/// Messages in the long conversation of these tests.
const MESSAGES: u64 = 250;

/// The sequence numbers of a page's history, checked oldest to newest.
fn seqs(page: &Value) -> Vec<u64> {
    let seqs: Vec<u64> = page["history"]
        .as_array()
        .expect("history list")
        .iter()
        .map(|entry| entry["seq"].as_u64().expect("seq"))
        .collect();
    assert!(
        seqs.windows(2).all(|pair| pair[0] < pair[1]),
        "a page is oldest to newest: {seqs:?}"
    );
    seqs
}

/// Walks from the newest page back to the first with pages of `limit` (the default when
/// `None`), checking each; answers every sequence number seen, oldest first.
async fn walk_back(hub: &support::HubClient, session: &str, limit: Option<u64>) -> Vec<u64> {
    let limit_query = limit.map(|limit| format!("limit={limit}"));
    let (mut query, mut seen, mut pages) = (limit_query.clone().unwrap_or_default(), vec![], 0);
    loop {
        let (status, page) = hub.page(session, &query).await;
        assert_eq!(status, 200, "{query}: {page}");
        assert_eq!(page["total"], MESSAGES, "{query}");
        let mut older = seqs(&page);
        assert!(older.len() as u64 <= limit.unwrap_or(100), "{query}");
        older.extend(seen);
        seen = older;
        pages += 1;
        match page["next_before_seq"].as_u64() {
            Some(before) => {
                assert_eq!(
                    before, page["history"][0]["seq"],
                    "the cursor is the oldest"
                );
                query = match &limit_query {
                    Some(limit) => format!("{limit}&before_seq={before}"),
                    None => format!("before_seq={before}"),
                };
            }
            None => {
                assert!(page["next_before_seq"].is_null(), "{page}");
                break;
            }
        }
    }
    let expected_pages = MESSAGES.div_ceil(limit.unwrap_or(100));
    assert_eq!(pages, expected_pages, "pages of {limit:?}");
    seen
}

#[actix_rt::test]
async fn the_history_is_paged_from_the_newest_back_to_the_first_message() {
    let hub = start_hub(test_config());
    hub.converse("long", MESSAGES as usize / 2).await;

    let newest = hub.session("long").await;
    assert_eq!(newest["total"], MESSAGES);
    assert_eq!(newest["last_seq"], MESSAGES);
    assert_eq!(seqs(&newest), (151..=MESSAGES).collect::<Vec<_>>());
    assert_eq!(newest["next_before_seq"], 151);
    assert_eq!(newest["status"], "bot_active");

    for limit in [None, Some(77), Some(500)] {
        let seen = walk_back(&hub, "long", limit).await;
        let distinct: BTreeSet<u64> = seen.iter().copied().collect();
        assert_eq!(distinct.len(), seen.len(), "no duplicates with {limit:?}");
        assert_eq!(
            seen,
            (1..=MESSAGES).collect::<Vec<_>>(),
            "no gaps with {limit:?}"
        );
    }

    let (status, middle) = hub.page("long", "limit=5&before_seq=100").await;
    assert_eq!(status, 200, "{middle}");
    assert_eq!(
        seqs(&middle),
        [95, 96, 97, 98, 99],
        "strictly below before_seq"
    );
    let (status, first) = hub.page("long", "before_seq=1").await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(
        (seqs(&first).len(), &first["next_before_seq"]),
        (0, &Value::Null)
    );
}

#[actix_rt::test]
async fn a_bad_page_query_is_refused_naming_the_rule() {
    let hub = start_hub(test_config());
    hub.converse("short", 2).await;
    for query in ["limit=0", "limit=501", "limit=abc", "limit=-1", "limit="] {
        let (status, body) = hub.page("short", query).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_error(&body, "invalid_field");
        let detail = body["detail"].as_str().unwrap_or_default();
        assert!(
            detail.contains("limit must be a whole number between 1 and 500"),
            "{query}: {body}"
        );
    }
    for query in ["before_seq=x", "before_seq=-3"] {
        let (status, body) = hub.page("short", query).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_error(&body, "invalid_field");
        assert!(
            body["detail"]
                .as_str()
                .is_some_and(|d| d.starts_with("before_seq must be a sequence number")),
            "{query}: {body}"
        );
    }
    let (status, body) = hub
        .page("short", "limit=500&before_seq=99999999999999999999")
        .await;
    assert_eq!(status, 400, "a cursor past u64: {body}");
    let (status, body) = hub.page("nobody", "limit=5").await;
    assert_eq!(status, 404, "{body}");
    assert_error(&body, "session_not_found");
}

#[actix_rt::test]
async fn answers_to_changes_and_desk_assignments_carry_the_newest_page_only() {
    let hub = start_hub(test_config());
    hub.converse("handed", MESSAGES as usize / 2).await;
    let escalated = hub.escalate("handed", "user_request").await;
    assert_eq!(escalated["history"].as_array().map(Vec::len), Some(100));
    assert_eq!(escalated["total"], MESSAGES);

    let mut desk = hub.socket("/ws/desk").await;
    desk.send_json(json!({
        "type": "available", "agent_id": "agent_p", "agent_name": "Pager", "capacity": 1,
    }))
    .await;
    desk.expect("desk_status").await;
    let assigned = desk.expect("session_assigned").await;
    let session = &assigned["session"];
    assert_eq!(assigned["session_name"], "handed");
    assert_eq!(session["status"], "manual_live");
    let window = seqs(session);
    assert_eq!(window.len(), 100, "the window, not the whole history");
    assert_eq!(window.last(), Some(&MESSAGES));
    assert_eq!(session["total"], MESSAGES);
    assert_eq!(session["next_before_seq"], window[0]);

    let (status, older) = hub
        .page("handed", &format!("before_seq={}", window[0]))
        .await;
    assert_eq!(status, 200, "{older}");
    assert_eq!(
        seqs(&older).last(),
        Some(&(window[0] - 1)),
        "the desk pages on"
    );

    let written = hub
        .agent_says("handed", "agent_p", "hello from the desk")
        .await;
    assert_eq!(written["history"].as_array().map(Vec::len), Some(100));
    assert_eq!(written["total"], MESSAGES + 1);
    let released = hub.release("handed").await;
    assert!(
        released["history"]
            .as_array()
            .is_some_and(|h| h.len() == 100)
    );
}
