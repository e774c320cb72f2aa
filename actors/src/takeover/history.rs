//! Pages of a session's history, pure: a session's answer carries a bounded window of its
//! messages, never the whole log. Receives a [`PageRequest`] (at most `limit` messages with a
//! sequence number below `before_seq`, newest page first) and a session's state, or the rows
//! the store read for it; sends back a [`SessionPage`]: the session without its log, the
//! messages of the page oldest first, how many messages the session has, and the cursor of the
//! page before. A page also stops once its text passes [`PAGE_TEXT_BUDGET`], so no answer
//! grows with the length of the messages either.

use crate::kernel::ids::SessionName;
use crate::takeover::model::{EventKind, SessionEvent, SessionHeader, SessionState};

/// Messages in a page unless the request says otherwise (and in a desk's `session_assigned`).
pub const DEFAULT_PAGE: usize = 100;

/// Most messages a page may ask for.
pub const MAX_PAGE: usize = 500;

/// Bytes of message text after which a page stops (it always holds at least one message).
pub const PAGE_TEXT_BUDGET: usize = 1 << 20;

/// Which messages to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// Only messages with a smaller sequence number; the newest when `None`.
    pub before_seq: Option<u64>,
    /// At most this many (1 to [`MAX_PAGE`]).
    pub limit: usize,
}

impl PageRequest {
    /// The last [`DEFAULT_PAGE`] messages.
    pub fn latest() -> Self {
        PageRequest {
            before_seq: None,
            limit: DEFAULT_PAGE,
        }
    }
}

/// A session with one page of its history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionPage {
    /// The session.
    pub name: SessionName,
    /// Its status, escalation and agent.
    pub header: SessionHeader,
    /// Its last sequence number (messages and status changes alike).
    pub last_seq: u64,
    /// The page's messages, oldest first.
    pub messages: Vec<SessionEvent>,
    /// How many messages the whole history holds.
    pub total: usize,
    /// `before_seq` of the page before this one; `None` when nothing is older.
    pub next_before_seq: Option<u64>,
}

/// Whether a log entry is a message (status changes are not).
pub fn is_message(event: &SessionEvent) -> bool {
    matches!(event.kind, EventKind::Message { .. })
}

/// The bytes of a message's text.
fn text_bytes(event: &SessionEvent) -> usize {
    match &event.kind {
        EventKind::Message { content, .. } => content.len(),
        EventKind::StatusChange { .. } => 0,
    }
}

/// Fills a page from `newest_first` (the messages below the cursor, newest first): at most
/// `limit`, and no more once [`PAGE_TEXT_BUDGET`] is passed. Answers the page oldest first and
/// the cursor of the page before it, `Some` only when `newest_first` held more.
pub fn window<'a>(
    newest_first: impl IntoIterator<Item = &'a SessionEvent>,
    limit: usize,
) -> (Vec<SessionEvent>, Option<u64>) {
    let mut newest_first = newest_first.into_iter().peekable();
    let (mut page, mut bytes) = (Vec::new(), 0);
    while page.len() < limit.max(1) && (page.is_empty() || bytes < PAGE_TEXT_BUDGET) {
        let Some(message) = newest_first.next() else {
            break;
        };
        bytes += text_bytes(message);
        page.push(message.clone());
    }
    page.reverse();
    let older = newest_first.peek().is_some();
    let cursor = page.first().map(|oldest| oldest.seq).filter(|_| older);
    (page, cursor)
}

impl SessionState {
    /// How many messages the history holds.
    pub fn message_count(&self) -> usize {
        self.events.iter().filter(|event| is_message(event)).count()
    }

    /// The page `request` asks for, read from the log in memory.
    pub fn page(&self, request: PageRequest) -> SessionPage {
        let below = match request.before_seq {
            Some(before) => self.events.partition_point(|event| event.seq < before),
            None => self.events.len(),
        };
        let newest_first = self.events[..below].iter().rev().filter(|e| is_message(e));
        let (messages, next_before_seq) = window(newest_first, request.limit);
        SessionPage {
            name: self.name.clone(),
            header: self.header.clone(),
            last_seq: self.last_seq(),
            messages,
            total: self.message_count(),
            next_before_seq,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::takeover::escalation::Status;
    use crate::takeover::model::Speaker;

    /// A session of `messages` messages of `size` bytes, with a status change after every
    /// third, numbered without gaps.
    fn session(messages: usize, size: usize) -> SessionState {
        let name = SessionName::parse("paged").expect("valid");
        let mut state = SessionState::new(name, Utc::now());
        for index in 0..messages {
            let kind = EventKind::Message {
                role: Speaker::User,
                content: "m".repeat(size),
                agent: None,
                manual: false,
                interrupted: None,
            };
            for kind in
                std::iter::once(kind).chain((index % 3 == 2).then(|| EventKind::StatusChange {
                    status: Status::BotActive,
                    reason: "test".into(),
                }))
            {
                let seq = state.last_seq() + 1;
                state.events.push(SessionEvent {
                    seq,
                    timestamp: Utc::now(),
                    kind,
                });
            }
        }
        state
    }

    fn seqs(page: &SessionPage) -> Vec<u64> {
        page.messages.iter().map(|message| message.seq).collect()
    }

    #[test]
    fn walking_back_from_the_newest_page_sees_every_message_once_in_order() {
        let state = session(250, 10);
        let first = state.page(PageRequest::latest());
        assert_eq!((first.total, first.messages.len()), (250, DEFAULT_PAGE));
        assert_eq!(first.last_seq, state.last_seq());
        let mut seen = Vec::new();
        let mut page = first;
        loop {
            assert!(page.messages.iter().all(is_message));
            let mut older = seqs(&page);
            assert!(older.windows(2).all(|pair| pair[0] < pair[1]), "{older:?}");
            older.extend(seen);
            seen = older;
            let Some(before) = page.next_before_seq else {
                break;
            };
            assert_eq!(before, page.messages[0].seq, "the cursor is the oldest seq");
            page = state.page(PageRequest {
                before_seq: Some(before),
                limit: DEFAULT_PAGE,
            });
        }
        let every: Vec<u64> = state
            .events
            .iter()
            .filter(|e| is_message(e))
            .map(|e| e.seq)
            .collect();
        assert_eq!(seen, every, "no gaps, no duplicates");
    }

    #[test]
    fn before_seq_is_strict_and_the_oldest_page_has_no_cursor() {
        let state = session(10, 1);
        let page = state.page(PageRequest {
            before_seq: Some(state.events[3].seq),
            limit: 500,
        });
        assert!(seqs(&page).iter().all(|seq| *seq < state.events[3].seq));
        assert_eq!(page.next_before_seq, None);
        let empty = state.page(PageRequest {
            before_seq: Some(1),
            limit: 5,
        });
        assert_eq!((empty.messages.len(), empty.next_before_seq), (0, None));
        assert_eq!(empty.total, 10);
        let exact = state.page(PageRequest {
            before_seq: None,
            limit: 10,
        });
        assert_eq!((exact.messages.len(), exact.next_before_seq), (10, None));
    }

    #[test]
    fn a_page_stops_at_its_text_budget_but_holds_at_least_one_message() {
        let size = PAGE_TEXT_BUDGET / 4;
        let state = session(10, size);
        let page = state.page(PageRequest::latest());
        assert_eq!(page.messages.len(), 4, "stops once the budget is reached");
        assert_eq!(page.next_before_seq, Some(page.messages[0].seq));
        let huge = session(2, PAGE_TEXT_BUDGET * 2);
        assert_eq!(huge.page(PageRequest::latest()).messages.len(), 1);
    }
}
