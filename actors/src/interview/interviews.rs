//! InterviewDirectory: the one actor that holds every interview with an open socket, the only
//! writer of their state. Receives [`Join`], [`Leave`], [`Restyle`], [`Answer`], [`ListOpen`],
//! [`FindInterview`] and [`Push`]; asks the built-in interviewer for each turn (its strategy,
//! focus area and confidence) and, on the `openai` backend, the model for the turn's words
//! ([`model_interviewer`](crate::interview::model_interviewer)); sends every change to the
//! [`Store`] and answers once it has committed, so an interview survives a reconnect and a
//! restart. An interview's answers and style changes are taken one at a time, in the order
//! they came: while the model writes a turn, the interview's later requests wait (other
//! interviews go on), so answers go out in order. A turn the model could not write changes
//! nothing and is answered with [`InterviewError::Upstream`]. An interview whose last socket
//! closed is dropped from memory (it is in the store) once nothing of it is waiting, and loaded
//! again when a socket joins it. Loading holds the directory's mailbox (`AtomicResponse`), so
//! nothing about an interview is handled before it is loaded.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use actix::prelude::*;
use chrono::Utc;
use tokio::sync::oneshot;

use crate::bot::bot_config::{BackendKind, BotConfig};
use crate::interview::interview_requests::{
    Answer, FindInterview, InterviewError, InterviewEvent, Join, Joined, Leave, ListOpen,
    OpenInterview, Push, Restyle,
};
use crate::interview::interviewer::next_turn;
use crate::interview::live_interview::{
    Live, Queued, Writing, record, reply_once_stored, restyle, save,
};
use crate::interview::model_interviewer::{context, system_prompt, write_turn};
use crate::interview::questions::Language;
use crate::interview::transcript::{Exchange, Interview};
use crate::kernel::handle::ConnHandle;
use crate::store::database::Store;
use crate::store::interview_rows::LoadInterview;
use crate::store::store_error::StoreError;

/// The directory of open interviews.
pub struct InterviewDirectory {
    /// Where interviews are kept.
    store: Addr<Store>,
    /// The bot's settings: which backend writes the turns, and how to reach the model.
    bot: Arc<BotConfig>,
    /// Interviews with an open socket (or a request still waiting), by session id.
    live: HashMap<String, Live>,
}

impl Actor for InterviewDirectory {
    type Context = Context<Self>;
}

impl InterviewDirectory {
    /// A directory that keeps interviews in `store` and writes turns on `bot`'s backend.
    pub fn new(store: Addr<Store>, bot: Arc<BotConfig>) -> Self {
        InterviewDirectory {
            store,
            bot,
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
            act.live
                .insert(msg.session_id.clone(), Live::new(interview));
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
            if live.idle() {
                self.live.remove(&msg.session_id);
            }
        }
    }
}

impl Handler<Restyle> for InterviewDirectory {
    type Result = ResponseFuture<Result<Joined, InterviewError>>;

    fn handle(&mut self, msg: Restyle, ctx: &mut Self::Context) -> Self::Result {
        let (reply, answered) = oneshot::channel();
        let queued = Queued::Restyle(msg.style, reply);
        self.enqueue(msg.session_id, queued, answered, ctx)
    }
}

impl Handler<Answer> for InterviewDirectory {
    type Result = ResponseFuture<Result<Exchange, InterviewError>>;

    fn handle(&mut self, msg: Answer, ctx: &mut Self::Context) -> Self::Result {
        let (reply, answered) = oneshot::channel();
        let queued = Queued::Answer(msg.text, reply);
        self.enqueue(msg.session_id, queued, answered, ctx)
    }
}

impl InterviewDirectory {
    /// Queues `queued` on the interview `session_id` and takes what is due; resolves with
    /// what `answered` receives.
    fn enqueue<T: 'static>(
        &mut self,
        session_id: String,
        queued: Queued,
        answered: oneshot::Receiver<Result<T, InterviewError>>,
        ctx: &mut Context<Self>,
    ) -> ResponseFuture<Result<T, InterviewError>> {
        let Some(live) = self.live.get_mut(&session_id) else {
            return Box::pin(fut::ready(Err(InterviewError::NotOpen(session_id))));
        };
        live.waiting.push_back(queued);
        self.take_turns(&session_id, ctx);
        Box::pin(async move {
            answered
                .await
                .unwrap_or(Err(InterviewError::NotOpen(session_id)))
        })
    }

    /// Takes the interview's waiting requests in order, until none is left or the model is
    /// writing a turn.
    fn take_turns(&mut self, session_id: &str, ctx: &mut Context<Self>) {
        loop {
            let Some(live) = self.live.get_mut(session_id) else {
                return;
            };
            if live.writing {
                return;
            }
            let Some(queued) = live.waiting.pop_front() else {
                return;
            };
            let (answer, reply) = match queued {
                Queued::Restyle(style, reply) => {
                    reply_once_stored(restyle(&self.store, live, style), reply);
                    continue;
                }
                Queued::Answer(answer, reply) => (answer, reply),
            };
            let began = Instant::now();
            let mut planned = live.interview.state.clone();
            let asked = planned.current;
            let turn = next_turn(&mut planned, &answer);
            if self.bot.backend == BackendKind::Builtin {
                let words = turn.text.clone();
                let stored = record(&self.store, live, planned, answer, words, &turn, began);
                reply_once_stored(stored, reply);
                continue;
            }
            live.writing = true;
            let prompt = system_prompt(asked, &planned, &turn, Language::of(&answer));
            let history = context(&live.interview.exchanges, self.bot.history_turns);
            let written = write_turn(self.bot.clone(), prompt, history, answer.clone());
            let writing = Writing {
                session_id: session_id.to_owned(),
                answer,
                planned,
                turn,
                began,
                reply,
            };
            ctx.spawn(
                written
                    .into_actor(self)
                    .map(move |written, act, ctx| act.written(writing, written, ctx)),
            );
            return;
        }
    }

    /// The model wrote a turn's words, or failed: the exchange is stored and answered, or
    /// nothing changes and the failure is answered; then the interview's next request.
    fn written(
        &mut self,
        writing: Writing,
        written: Result<String, String>,
        ctx: &mut Context<Self>,
    ) {
        let session_id = writing.session_id;
        let Some(live) = self.live.get_mut(&session_id) else {
            let _ = writing.reply.send(Err(InterviewError::NotOpen(session_id)));
            return;
        };
        live.writing = false;
        match written {
            Ok(words) => {
                let (planned, answer) = (writing.planned, writing.answer);
                let stored = record(
                    &self.store,
                    live,
                    planned,
                    answer,
                    words,
                    &writing.turn,
                    writing.began,
                );
                reply_once_stored(stored, writing.reply);
            }
            Err(failure) => {
                log::warn!("interview {session_id}: the model could not write the turn: {failure}");
                let _ = writing.reply.send(Err(InterviewError::Upstream(failure)));
            }
        }
        self.take_turns(&session_id, ctx);
        if self.live.get(&session_id).is_some_and(Live::idle) {
            self.live.remove(&session_id);
        }
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
    /// Starts the directory over `store`, writing turns on `bot`'s backend, with fresh
    /// counters and the `speech` settings.
    pub fn start(
        store: Addr<Store>,
        speech: crate::interview::speech_config::SpeechConfig,
        bot: Arc<BotConfig>,
    ) -> Self {
        Interviews {
            directory: InterviewDirectory::new(store, bot).start(),
            counters: Default::default(),
            speech: std::sync::Arc::new(speech),
        }
    }
}
