//! InterviewDirectory: the one actor that holds every interview with an open socket, the only
//! writer of their state. Receives [`Join`], [`Leave`], [`Restyle`], [`Answer`], [`ListOpen`],
//! [`FindInterview`] and [`Push`]; asks the built-in interviewer for each reply; sends every
//! change to the [`Store`] and answers once it has committed, so an interview survives a
//! reconnect and a restart. An interview whose last socket closed is dropped from memory (it is
//! in the store) and loaded again when a socket joins it. Loading holds the directory's mailbox
//! (`AtomicResponse`), so nothing about an interview is handled before it is loaded.

use std::collections::HashMap;
use std::time::Instant;

use actix::prelude::*;
use chrono::Utc;

use crate::interview::interview_requests::{
    Answer, FindInterview, InterviewError, InterviewEvent, Join, Joined, Leave, ListOpen,
    OpenInterview, Push, Restyle,
};
use crate::interview::interviewer::next_turn;
use crate::interview::transcript::{Exchange, Interview};
use crate::kernel::handle::ConnHandle;
use crate::kernel::ids::ConnId;
use crate::store::database::Store;
use crate::store::interview_rows::{LoadInterview, SaveInterview};
use crate::store::store_error::StoreError;

/// An interview with its open sockets.
struct Live {
    /// The interview.
    interview: Interview,
    /// Its open sockets.
    sockets: HashMap<ConnId, ConnHandle<InterviewEvent>>,
}

/// The directory of open interviews.
pub struct InterviewDirectory {
    /// Where interviews are kept.
    store: Addr<Store>,
    /// Interviews with an open socket, by session id.
    live: HashMap<String, Live>,
}

impl Actor for InterviewDirectory {
    type Context = Context<Self>;
}

impl InterviewDirectory {
    /// A directory that keeps interviews in `store`.
    pub fn new(store: Addr<Store>) -> Self {
        InterviewDirectory {
            store,
            live: HashMap::new(),
        }
    }

    /// Adds `conn` to the open interview `session_id`.
    fn attach(&mut self, session_id: &str, conn: ConnHandle<InterviewEvent>) -> Option<Joined> {
        let live = self.live.get_mut(session_id)?;
        live.sockets.insert(conn.id(), conn);
        Some(Joined {
            style: live.interview.state.style,
            exchanges: live.interview.exchanges.len(),
            resumed: true,
        })
    }
}

/// Stores `interview`'s row and newest exchange (if `with_exchange`); resolves once
/// committed.
fn save(
    store: &Addr<Store>,
    interview: &Interview,
    with_exchange: bool,
) -> impl Future<Output = Result<(), InterviewError>> + 'static {
    let save = SaveInterview {
        interview: interview.row(),
        exchange: with_exchange
            .then(|| interview.newest_exchange_row())
            .flatten(),
    };
    let sent = store.send(save);
    async move {
        let committed = sent.await.map_err(|_| StoreError::Stopped)?;
        committed.await.map_err(|_| StoreError::Stopped)??;
        Ok(())
    }
}

impl Handler<Join> for InterviewDirectory {
    type Result = AtomicResponse<Self, Result<Joined, InterviewError>>;

    fn handle(&mut self, msg: Join, _: &mut Self::Context) -> Self::Result {
        if let Some(joined) = self.attach(&msg.session_id, msg.conn.clone()) {
            return AtomicResponse::new(Box::pin(fut::ready(Ok(joined))));
        }
        let load = self.store.send(LoadInterview {
            session_id: msg.session_id.clone(),
        });
        let loaded = async move { load.await.map_err(|_| StoreError::Stopped)? };
        let work = loaded.into_actor(self).map(move |loaded, act, _| {
            let (interview, resumed) = match loaded? {
                Some((row, exchanges)) => (
                    Interview::from_rows(row, exchanges)
                        .ok_or_else(|| InterviewError::Unreadable(msg.session_id.clone()))?,
                    true,
                ),
                None => {
                    let interview = Interview::new(msg.session_id.clone(), Utc::now());
                    let saved = save(&act.store, &interview, false);
                    let session_id = msg.session_id.clone();
                    actix::spawn(async move {
                        if let Err(error) = saved.await {
                            log::error!("could not store the new interview {session_id}: {error}");
                        }
                    });
                    (interview, false)
                }
            };
            let sockets = HashMap::new();
            act.live
                .insert(msg.session_id.clone(), Live { interview, sockets });
            let joined = act.attach(&msg.session_id, msg.conn);
            joined
                .map(|joined| Joined { resumed, ..joined })
                .ok_or(InterviewError::NotOpen(msg.session_id))
        });
        AtomicResponse::new(Box::pin(work))
    }
}

impl Handler<Leave> for InterviewDirectory {
    type Result = ();

    fn handle(&mut self, msg: Leave, _: &mut Self::Context) {
        if let Some(live) = self.live.get_mut(&msg.session_id) {
            live.sockets.remove(&msg.conn_id);
            if live.sockets.is_empty() {
                self.live.remove(&msg.session_id);
            }
        }
    }
}

impl Handler<Restyle> for InterviewDirectory {
    type Result = ResponseFuture<Result<Joined, InterviewError>>;

    fn handle(&mut self, msg: Restyle, _: &mut Self::Context) -> Self::Result {
        let Some(live) = self.live.get_mut(&msg.session_id) else {
            return Box::pin(fut::ready(Err(InterviewError::NotOpen(msg.session_id))));
        };
        if let Some(style) = msg.style {
            live.interview.state.restyle(style);
            live.interview.updated_at = Utc::now();
        }
        let joined = Joined {
            style: live.interview.state.style,
            exchanges: live.interview.exchanges.len(),
            resumed: live.interview.state.answers > 0,
        };
        let saved = save(&self.store, &live.interview, false);
        Box::pin(async move { saved.await.map(|()| joined) })
    }
}

impl Handler<Answer> for InterviewDirectory {
    type Result = ResponseFuture<Result<Exchange, InterviewError>>;

    fn handle(&mut self, msg: Answer, _: &mut Self::Context) -> Self::Result {
        let began = Instant::now();
        let Some(live) = self.live.get_mut(&msg.session_id) else {
            return Box::pin(fut::ready(Err(InterviewError::NotOpen(msg.session_id))));
        };
        let interview = &mut live.interview;
        let turn = next_turn(&mut interview.state, &msg.text);
        let at = Utc::now();
        let exchange = Exchange {
            user_input: msg.text,
            ai_response: turn.text,
            response_type: turn.response_type,
            strategy: turn.strategy,
            focus_area: turn.focus_area,
            confidence: turn.confidence,
            processing_time: began.elapsed().as_secs_f64(),
            at,
        };
        interview.exchanges.push(exchange.clone());
        interview.updated_at = at;
        let saved = save(&self.store, interview, true);
        Box::pin(async move { saved.await.map(|()| exchange) })
    }
}

impl Handler<ListOpen> for InterviewDirectory {
    type Result = MessageResult<ListOpen>;

    fn handle(&mut self, _: ListOpen, _: &mut Self::Context) -> Self::Result {
        let mut open: Vec<OpenInterview> = self
            .live
            .values()
            .map(|live| OpenInterview {
                interview: live.interview.clone(),
                connections: live.sockets.len(),
            })
            .collect();
        open.sort_by_key(|open| open.interview.created_at);
        MessageResult(open)
    }
}

impl Handler<FindInterview> for InterviewDirectory {
    type Result = ResponseFuture<Result<Option<OpenInterview>, InterviewError>>;

    fn handle(&mut self, msg: FindInterview, _: &mut Self::Context) -> Self::Result {
        if let Some(live) = self.live.get(&msg.session_id) {
            let open = OpenInterview {
                interview: live.interview.clone(),
                connections: live.sockets.len(),
            };
            return Box::pin(fut::ready(Ok(Some(open))));
        }
        let load = self.store.send(LoadInterview {
            session_id: msg.session_id.clone(),
        });
        Box::pin(async move {
            let loaded = load.await.map_err(|_| StoreError::Stopped)??;
            let Some((row, exchanges)) = loaded else {
                return Ok(None);
            };
            let interview = Interview::from_rows(row, exchanges)
                .ok_or(InterviewError::Unreadable(msg.session_id))?;
            Ok(Some(OpenInterview {
                interview,
                connections: 0,
            }))
        })
    }
}

impl Handler<Push> for InterviewDirectory {
    type Result = Option<usize>;

    fn handle(&mut self, msg: Push, _: &mut Self::Context) -> Option<usize> {
        let sockets: Vec<&ConnHandle<InterviewEvent>> = match &msg.session_id {
            Some(session_id) => self.live.get(session_id)?.sockets.values().collect(),
            None => self
                .live
                .values()
                .flat_map(|live| live.sockets.values())
                .collect(),
        };
        Some(
            sockets
                .into_iter()
                .filter(|conn| conn.push(msg.event.clone()))
                .count(),
        )
    }
}

/// What the edge uses of the interview room: the directory, the sockets' counters and the
/// speech-to-text settings.
#[derive(Clone)]
pub struct Interviews {
    /// The directory of open interviews.
    pub directory: Addr<InterviewDirectory>,
    /// The sockets' counters.
    pub counters: std::sync::Arc<crate::interview::interview_counters::InterviewCounters>,
    /// Where `audio_input` clips are transcribed.
    pub speech: std::sync::Arc<crate::interview::speech_config::SpeechConfig>,
}

impl Interviews {
    /// Starts the directory over `store`, with fresh counters and the `speech` settings.
    pub fn start(
        store: Addr<Store>,
        speech: crate::interview::speech_config::SpeechConfig,
    ) -> Self {
        Interviews {
            directory: InterviewDirectory::new(store).start(),
            counters: Default::default(),
            speech: std::sync::Arc::new(speech),
        }
    }
}
