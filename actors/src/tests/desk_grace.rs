//! A seed-001 session held through an agent desk follows that desk, on paused time: a desk
//! that comes back within the grace gets its session again, an agent's second desk inherits
//! it, a restarted hub waits for the agent's desk again, and a desk that does not come back
//! hands its session back to the bot exactly when the grace ends. Each test also checks what
//! must not happen: no session goes back to the bot while its agent's desk is there.
//!
//! Every actor (the store included) runs on the test's thread, so the paused clock moves only
//! when all of them are idle; [`run_until`] lets it run to an instant through every timer on
//! the way (the sessions' ticks, the grace timers), each one's work finished before the next.

use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;

use super::collector::{Collector, Hangup, collector, drain, events};
use crate::bot::answer::Backend;
use crate::bot::bot_config::BotConfig;
use crate::kernel::clock::{self, Instant};
use crate::kernel::handle::ConnHandle;
use crate::kernel::ids::SessionName;
use crate::store::database::{IN_MEMORY, Store};
use crate::store::session_rows::LoadSession;
use crate::takeover::desk_events::DeskEvent;
use crate::takeover::escalation::Status;
use crate::takeover::handover::{DeskGone, DeskReady};
use crate::takeover::model::{AgentInfo, EventKind, SessionEvent, SessionState, Speaker};
use crate::takeover::persist;
use crate::takeover::session_requests::{Escalate, GetSession, UserTurn, answer_ending};
use crate::takeover::takeover_config::DEFAULT_AGENT_LOST_NOTICE;
use crate::takeover::{HandoverBoard, RestoreHandoffs, SessionDirectory, Sessions, TakeoverConfig};

/// How long a session waits for its agent's closed desk.
const GRACE: Duration = Duration::from_secs(60);

/// "Just before" and "right after" an instant.
const JUST: Duration = Duration::from_millis(10);

/// "Well past" the grace.
const MARGIN: Duration = Duration::from_secs(30);

/// The longest gap between two ticks of a session: a restored session has no grace timer of
/// its own, its tick notices that the grace is over.
const TICK: Duration = Duration::from_secs(1);

/// How long an agent works before its desk closes where that matters: two and a half ticks, so
/// that the loss falls between two ticks of the session and only its grace timer can end the
/// grace on time.
const BETWEEN_TICKS: Duration = Duration::from_millis(2_500);

/// The takeover settings of these tests: a one-minute grace, and no session unloaded for
/// idleness while a test runs.
fn takeover_config() -> TakeoverConfig {
    TakeoverConfig {
        desk_reconnect_grace: GRACE,
        session_idle_timeout: Duration::from_secs(24 * 60 * 60),
        ..TakeoverConfig::default()
    }
}

/// An in-memory store on the test's own thread.
fn memory_store() -> Addr<Store> {
    Store::open(IN_MEMORY)
        .expect("an in-memory store opens")
        .start()
}

/// The session name `text`.
fn session_name(text: &str) -> SessionName {
    SessionName::parse(text).expect("a valid session name")
}

/// Lets the paused clock run to `at`: every timer due before then fires, in order, and what
/// it sets off is done before the clock moves on (nothing here waits on another thread).
async fn run_until(at: Instant) {
    assert!(clock::now() <= at, "the test is already past that instant");
    tokio::time::sleep_until(at).await;
}

/// One hub's seed-001 actors over a store, all on the test's thread.
struct Hub {
    /// Where desks say they are ready or gone.
    board: Addr<HandoverBoard>,
    /// The session directory, told to restore handovers after a restart.
    directory: Addr<SessionDirectory>,
    /// How sessions are reached by name.
    sessions: Sessions,
}

impl Hub {
    /// A fresh board and session directory over `store`.
    fn start(store: &Addr<Store>) -> Hub {
        let board = HandoverBoard::default().start();
        let backend = Backend::new(
            Arc::new(BotConfig::default()),
            crate::kernel::timings::Timings::default(),
        );
        let directory =
            SessionDirectory::new(store.clone(), board.clone(), takeover_config(), backend).start();
        let sessions = Sessions::new(directory.clone(), store.clone());
        Hub {
            board,
            directory,
            sessions,
        }
    }

    /// Session `name` as it is now.
    async fn state(&self, name: &SessionName) -> Arc<SessionState> {
        let answer = self.sessions.ask(name, GetSession).await;
        answer
            .expect("the session answers")
            .expect("the session exists")
    }

    /// The user writes `text` in session `name` (creating it if needed).
    async fn user_says(&self, name: &SessionName, text: &str) {
        let turn = UserTurn {
            text: text.into(),
            stream: false,
            owner: None,
            owner_only: false,
        };
        let answer = self.sessions.ask(name, turn).await;
        let outcome = answer
            .expect("the session answers")
            .expect("the turn is taken");
        if let Some(mut answer) = outcome.answer {
            let ending = answer_ending(&mut answer).await.expect("the answer ends");
            ending.stored.expect("the answer is stored");
        }
    }

    /// Creates session `name` with a user turn and asks for a human.
    async fn escalated(&self, name: &str) -> SessionName {
        let name = session_name(name);
        self.user_says(&name, "hello").await;
        let escalate = Escalate {
            reason: "user_request".into(),
            details: None,
        };
        let state = self.sessions.ask(&name, escalate).await;
        let state = state.expect("the session answers").expect("it escalates");
        assert_eq!(state.header.status, Status::PendingManual);
        name
    }

    /// Opens a desk for agent `agent_id` that takes up to `capacity` sessions.
    async fn desk(&self, agent_id: &str, capacity: usize) -> Desk {
        let (heard, conn) = collector::<DeskEvent>();
        let agent = AgentInfo {
            agent_id: agent_id.into(),
            agent_name: format!("Agent {agent_id}"),
        };
        let ready = DeskReady {
            conn: conn.clone(),
            agent,
            capacity,
        };
        self.board.send(ready).await.expect("the board is running");
        Desk { conn, heard }
    }
}

/// An agent desk: a collector in place of its socket.
struct Desk {
    /// How the board and sessions reach it.
    conn: ConnHandle<DeskEvent>,
    /// What it heard.
    heard: Addr<Collector<DeskEvent>>,
}

impl Desk {
    /// Waits for the next event, which must be the only one, and must be an assignment.
    async fn assigned(&self) -> Arc<SessionState> {
        match events(&self.heard, 1).await.remove(0) {
            DeskEvent::SessionAssigned { session } => session,
            other => panic!("expected session_assigned, got {other:?}"),
        }
    }

    /// Waits for the next event, which must be the only one, and must be an update.
    async fn update(&self) -> (SessionName, SessionEvent) {
        match events(&self.heard, 1).await.remove(0) {
            DeskEvent::SessionUpdate {
                session_name,
                event,
            } => (session_name, event),
            other => panic!("expected session_update, got {other:?}"),
        }
    }

    /// Checks that the desk heard nothing since it was last read.
    async fn hears_nothing(&self, when: &str) {
        let recorded = self.heard.send(drain()).await.expect("the desk is open");
        assert!(
            recorded.events.is_empty(),
            "{when}, the desk heard {:?}",
            recorded.events
        );
    }

    /// Closes the desk as its socket does: the socket stops, then the board hears it is
    /// gone. Returns when the desk was lost.
    async fn close(self, board: &Addr<HandoverBoard>) -> Instant {
        self.hears_nothing("before it closed").await;
        self.heard.send(Hangup).await.expect("the desk is open");
        assert!(!self.conn.is_connected(), "a stopped desk reads as closed");
        let lost_at = clock::now();
        let gone = DeskGone {
            conn_id: self.conn.id(),
        };
        board.send(gone).await.expect("the board is running");
        lost_at
    }
}

/// Checks that the session is live with agent `agent_id`, naming `when` if not.
fn assert_held(state: &SessionState, agent_id: &str, when: &str) {
    let holder = state.header.assigned_agent.as_ref();
    let holder = holder.map(|assignment| assignment.agent.agent_id.as_str());
    assert_eq!(
        (state.header.status, holder),
        (Status::ManualLive, Some(agent_id)),
        "{when}: {}",
        state.name
    );
}

/// The text and speaker of the session's last message.
fn last_message(state: &SessionState) -> Option<(Speaker, &str)> {
    state
        .events
        .iter()
        .rev()
        .find_map(|event| match &event.kind {
            EventKind::Message { role, content, .. } => Some((*role, content.as_str())),
            EventKind::StatusChange { .. } => None,
        })
}

/// The status and reason of the session's last status change.
fn last_status_change(state: &SessionState) -> Option<(Status, &str)> {
    state
        .events
        .iter()
        .rev()
        .find_map(|event| match &event.kind {
            EventKind::StatusChange { status, reason } => Some((*status, reason.as_str())),
            EventKind::Message { .. } => None,
        })
}

/// Checks that the session went back to the bot because its agent's desk did not return,
/// and that the user was told so.
fn assert_back_to_bot(state: &SessionState) {
    assert_eq!(state.header.status, Status::BotActive, "{}", state.name);
    assert_eq!(state.header.assigned_agent, None);
    assert!(!state.header.at_desk, "no desk holds it any more");
    assert_eq!(
        last_status_change(state),
        Some((Status::BotActive, "agent_disconnected"))
    );
    assert_eq!(
        last_message(state),
        Some((Speaker::System, DEFAULT_AGENT_LOST_NOTICE))
    );
}

/// A desk that closes and comes back halfway through the grace is handed its session again;
/// well past the grace the session is still live with the same agent, the desk heard nothing
/// more, and the user's next message reaches it as an update.
#[actix_rt::test]
async fn a_desk_back_within_the_grace_keeps_its_session_after_the_grace() {
    tokio::time::pause();
    let hub = Hub::start(&memory_store());
    let first = hub.desk("agent_back", 2).await;
    let name = hub.escalated("kept").await;
    let offered = first.assigned().await;
    assert_held(&offered, "agent_back", "offered to the desk");
    let lost_at = first.close(&hub.board).await;

    run_until(lost_at + GRACE / 2).await;
    let held = hub.state(&name).await;
    assert_held(&held, "agent_back", "halfway through the grace");
    let again = hub.desk("agent_back", 2).await;
    let assigned = again.assigned().await;
    assert_eq!(assigned.name, name);
    assert_held(&assigned, "agent_back", "handed to the desk that came back");

    run_until(lost_at + GRACE + MARGIN).await;
    let kept = hub.state(&name).await;
    assert_held(
        &kept,
        "agent_back",
        "well past the grace, with the desk back",
    );
    again.hears_nothing("while the grace ran out").await;

    hub.user_says(&name, "still there?").await;
    let (updated, event) = again.update().await;
    assert_eq!(updated, name);
    match event.kind {
        EventKind::Message { role, content, .. } => {
            assert_eq!((role, content.as_str()), (Speaker::User, "still there?"));
        }
        other => panic!("expected the user's message, got {other:?}"),
    }
}

/// A second desk of the agent, opened while the first holds the session, is offered nothing;
/// when the first closes it inherits the session at once, and keeps it past the grace.
#[actix_rt::test]
async fn an_agents_second_desk_inherits_the_session_when_the_first_closes() {
    tokio::time::pause();
    let hub = Hub::start(&memory_store());
    let first = hub.desk("agent_twice", 1).await;
    let name = hub.escalated("moved").await;
    let offered = first.assigned().await;
    assert_held(&offered, "agent_twice", "offered to the first desk");
    let second = hub.desk("agent_twice", 1).await;
    second
        .hears_nothing("while the first desk holds the session")
        .await;

    let lost_at = first.close(&hub.board).await;
    let inherited = second.assigned().await;
    assert_eq!(inherited.name, name);
    assert_held(&inherited, "agent_twice", "inherited by the second desk");
    assert!(
        clock::now() < lost_at + TICK,
        "inherited at once, not on a later tick"
    );

    run_until(lost_at + GRACE + MARGIN).await;
    let kept = hub.state(&name).await;
    assert_held(
        &kept,
        "agent_twice",
        "well past the grace, at the second desk",
    );
    second.hears_nothing("while the grace ran out").await;
}

/// The first hub: two sessions taken at the desks of two agents, then shut down as the hub
/// does (sessions told first, then the desks close). Its actors stay behind, inert: they
/// write nothing more.
async fn held_before_a_restart(store: &Addr<Store>) -> [SessionName; 2] {
    let hub = Hub::start(store);
    let returning = hub.desk("agent_returns", 1).await;
    let comes_back = hub.escalated("comes-back").await;
    assert_eq!(returning.assigned().await.name, comes_back);
    let leaving = hub.desk("agent_gone", 1).await;
    let left_alone = hub.escalated("left-alone").await;
    assert_eq!(leaving.assigned().await.name, left_alone);

    hub.sessions.hub_stopping();
    returning.close(&hub.board).await;
    leaving.close(&hub.board).await;
    for name in [&comes_back, &left_alone] {
        let load = store.send(LoadSession { name: name.clone() }).await;
        let stored = load.expect("the store is running").expect("it reads");
        let stored = stored.expect("the session was stored");
        let state = persist::session_state(name.clone(), stored).expect("it decodes");
        assert_eq!(state.header.status, Status::ManualLive, "{name}");
        assert!(state.header.at_desk, "{name} was stored as held at a desk");
    }
    [comes_back, left_alone]
}

/// After a restart, a session stored as held at a desk waits for a desk of its agent: the
/// agent's new desk is handed it (and not the other agent's session), and it stays live past
/// the grace; the session whose agent never returns is live until just before the grace ends
/// and back with the bot, the user told, once it has (within one tick).
#[actix_rt::test]
async fn after_a_restart_a_session_waits_for_its_agents_desk_and_only_for_the_grace() {
    tokio::time::pause();
    let store = memory_store();
    let [comes_back, left_alone] = held_before_a_restart(&store).await;

    let restored_at = clock::now();
    let hub = Hub::start(&store);
    hub.directory
        .send(RestoreHandoffs)
        .await
        .expect("the directory is running");
    run_until(restored_at + GRACE / 2).await;
    for (name, agent_id) in [(&comes_back, "agent_returns"), (&left_alone, "agent_gone")] {
        let waiting = hub.state(name).await;
        assert_held(&waiting, agent_id, "restored, halfway through the grace");
    }
    let back = hub.desk("agent_returns", 2).await;
    let assigned = back.assigned().await;
    assert_eq!(assigned.name, comes_back, "only its own agent's session");
    assert_held(&assigned, "agent_returns", "handed to the agent's new desk");

    run_until(restored_at + GRACE - JUST).await;
    let waiting = hub.state(&left_alone).await;
    assert_held(&waiting, "agent_gone", "just before the grace ends");

    run_until(restored_at + GRACE + TICK + JUST).await;
    let released = hub.state(&left_alone).await;
    assert_back_to_bot(&released);

    run_until(restored_at + GRACE + MARGIN).await;
    let kept = hub.state(&comes_back).await;
    assert_held(
        &kept,
        "agent_returns",
        "well past the grace, with the desk back",
    );
    back.hears_nothing("while the grace ran out").await;
}

/// A desk that does not come back: its session is live with the agent until just before the
/// grace ends, and back with the bot for `agent_disconnected` right after.
#[actix_rt::test]
async fn a_desk_that_does_not_come_back_hands_its_session_to_the_bot_when_the_grace_ends() {
    tokio::time::pause();
    let hub = Hub::start(&memory_store());
    let desk = hub.desk("agent_lost", 1).await;
    let name = hub.escalated("stranded").await;
    let offered = desk.assigned().await;
    assert_held(&offered, "agent_lost", "offered to the desk");
    run_until(clock::now() + BETWEEN_TICKS).await;
    let lost_at = desk.close(&hub.board).await;

    run_until(lost_at + GRACE - JUST).await;
    let waiting = hub.state(&name).await;
    assert_held(&waiting, "agent_lost", "just before the grace ends");

    run_until(lost_at + GRACE + JUST).await;
    let released = hub.state(&name).await;
    assert_back_to_bot(&released);
}
