//! One interface over the bot's backends. Receives the question, the conversation's earlier
//! turns and whether the answer is streamed; sends back the answer as a stream of [`Piece`]s
//! (text, tool calls and their results, or a failure) that ends when the answer does. The
//! [`Backend`] is chosen by `BOT_BACKEND` and names itself in [`Backend::vendor`]. Streams are
//! not `Send`: they run on the worker of the socket that follows them, and dropping one stops
//! its work (an upstream request included). Every answer is timed into the hub's
//! [`Timings`] (time to its first text, time to its end).

use std::sync::Arc;

use futures_util::StreamExt;

use crate::bot::bot_config::{BackendKind, BotConfig};
use crate::bot::builtin::{self, BuiltinAnswer};
use crate::bot::faq::Faq;
use crate::bot::openai_backend;
use crate::bot::pacing::paced;
use crate::bot::piece::{Answer, Delivery, Piece, Turn};
use crate::bot::reply::BotReply;
use crate::bot::turn_timer::{TurnTimer, timed};
use crate::kernel::timings::Timings;

/// The backend the configuration chose.
#[derive(Debug, Clone)]
pub struct Backend {
    /// The bot's settings, the choice among them.
    config: Arc<BotConfig>,
    /// The FAQ the built-in backend answers from.
    faq: Arc<Faq>,
    /// Where each answer's timing goes.
    timings: Timings,
}

impl Backend {
    /// The backend `config` chooses, its answers timed in `timings`.
    pub fn new(config: Arc<BotConfig>, timings: Timings) -> Backend {
        let faq = config.faq();
        Backend {
            config,
            faq,
            timings,
        }
    }

    /// The backend's name, as `vendor` in answers: `builtin` or `openai`.
    pub fn vendor(&self) -> &'static str {
        match self.config.backend {
            BackendKind::Builtin => "builtin",
            BackendKind::Openai => "openai",
        }
    }

    /// How many earlier turns the backend reads.
    pub fn history_turns(&self) -> usize {
        self.config.history_turns
    }

    /// The answer to `query` after the conversation's `history` (oldest first; only the last
    /// `BOT_HISTORY_TURNS` are read).
    pub fn answer(&self, history: &[Turn], query: &str, delivery: Delivery) -> Answer {
        let answer = match self.config.backend {
            BackendKind::Builtin => self.builtin_answer(query, delivery),
            BackendKind::Openai => {
                let recent = history.len().saturating_sub(self.config.history_turns);
                openai_backend::answer(self.config.clone(), &history[recent..], query)
            }
        };
        timed(answer, self.timings.clone(), self.vendor())
    }

    /// The whole answer at once, when the backend has it without waiting (the built-in bot);
    /// `None` when it must be awaited (a model).
    pub fn answer_at_once(&self, query: &str) -> Option<Vec<Piece>> {
        match self.config.backend {
            BackendKind::Builtin => {
                let mut timer = TurnTimer::start(self.timings.clone(), self.vendor());
                let (mut pieces, reply) = self.builtin_parts(query);
                pieces.push(Piece::Text(reply.text));
                pieces.iter().for_each(|piece| timer.saw(piece));
                timer.ended();
                Some(pieces)
            }
            BackendKind::Openai => None,
        }
    }

    /// The built-in bot's answer: the tool it ran (its call and result) if any, the fallback
    /// mark if it did not understand, then the text, whole or paced.
    fn builtin_answer(&self, query: &str, delivery: Delivery) -> Answer {
        let (lead, reply) = self.builtin_parts(query);
        let text = match delivery {
            Delivery::Whole => futures_util::stream::iter([Piece::Text(reply.text)]).boxed_local(),
            Delivery::Streamed => paced(reply.chunks(), self.config.chunk_interval)
                .map(Piece::Text)
                .boxed_local(),
        };
        futures_util::stream::iter(lead).chain(text).boxed_local()
    }

    /// The built-in bot's reply to `query`, and the pieces that come before its text: the
    /// tool it ran (its call and result) if any, and the fallback mark if it did not
    /// understand.
    fn builtin_parts(&self, query: &str) -> (Vec<Piece>, BotReply) {
        let BuiltinAnswer { tool, reply } = builtin::respond(&self.faq, query);
        let mut lead = Vec::new();
        if let Some(tool) = tool {
            lead.push(Piece::ToolCall {
                name: tool.name.clone(),
                arguments: tool.arguments,
            });
            lead.push(Piece::ToolResult {
                name: tool.name,
                result: tool.result,
            });
        }
        if !reply.understood {
            lead.push(Piece::Fallback);
        }
        (lead, reply)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_rt::test]
    async fn the_builtin_backend_answers_whole_or_in_chunks_and_names_itself() {
        let backend = Backend::new(Arc::new(BotConfig::default()), Timings::default());
        assert_eq!(backend.vendor(), "builtin");
        let whole: Vec<Piece> = backend
            .answer(&[], "hello", Delivery::Whole)
            .collect()
            .await;
        assert_eq!(whole, [Piece::Text(builtin::GREETING.to_owned())]);
        let streamed: Vec<Piece> = backend
            .answer(&[], "hello", Delivery::Streamed)
            .collect()
            .await;
        assert!(streamed.len() > 1);
        let text: String = streamed
            .into_iter()
            .map(|piece| match piece {
                Piece::Text(text) => text,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(text, builtin::GREETING);
    }

    #[actix_rt::test]
    async fn a_question_the_builtin_backend_does_not_understand_is_marked_before_its_fallback() {
        let backend = Backend::new(Arc::new(BotConfig::default()), Timings::default());
        let pieces: Vec<Piece> = backend
            .answer(&[], "qwerty", Delivery::Whole)
            .collect()
            .await;
        assert_eq!(
            pieces,
            [Piece::Fallback, Piece::Text(builtin::FALLBACK.to_owned())]
        );
    }

    #[actix_rt::test]
    async fn a_tool_request_streams_the_call_its_result_then_the_text() {
        let backend = Backend::new(Arc::new(BotConfig::default()), Timings::default());
        let pieces: Vec<Piece> = backend
            .answer(&[], "what is 6*7", Delivery::Streamed)
            .collect()
            .await;
        let name = "calculator".to_owned();
        let expected_tool = [
            Piece::ToolCall {
                name: name.clone(),
                arguments: serde_json::json!({"expression": "6*7"}),
            },
            Piece::ToolResult {
                name,
                result: Ok(serde_json::json!(42)),
            },
        ];
        assert_eq!(pieces[..2], expected_tool);
        let text: String = pieces[2..]
            .iter()
            .map(|piece| match piece {
                Piece::Text(text) => text.as_str(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(text, "6*7 = 42");
    }

    #[actix_rt::test]
    async fn the_builtin_backend_answers_from_the_configured_faq() {
        let path = std::env::temp_dir().join(format!("answer-faq-{}.json", std::process::id()));
        let text =
            r#"{"fallback": "no idea", "entries": [{"keywords": ["hello"], "answer": "ahoy"}]}"#;
        std::fs::write(&path, text).unwrap_or_else(|error| panic!("{error}"));
        let mut config = BotConfig::default();
        config.faq_file = Some(path.clone());
        assert_eq!(config.validate(), Ok(()));
        std::fs::remove_file(&path).unwrap_or_else(|error| panic!("{error}"));
        let backend = Backend::new(Arc::new(config), Timings::default());
        let answer = |query: &'static str| {
            backend
                .answer(&[], query, Delivery::Whole)
                .collect::<Vec<Piece>>()
        };
        assert_eq!(answer("hello").await, [Piece::Text("ahoy".into())]);
        assert_eq!(
            answer("qwerty").await,
            [Piece::Fallback, Piece::Text("no idea".into())]
        );
    }

    #[actix_rt::test]
    async fn the_answer_at_once_is_the_whole_answer_the_stream_gives() {
        let backend = Backend::new(Arc::new(BotConfig::default()), Timings::default());
        for query in ["hello", "what is 6*7", "qwerty", "我想退货"] {
            let streamed: Vec<Piece> = backend.answer(&[], query, Delivery::Whole).collect().await;
            assert_eq!(backend.answer_at_once(query), Some(streamed), "{query}");
        }
        let mut model = BotConfig::default();
        model.backend = BackendKind::Openai;
        assert_eq!(
            Backend::new(Arc::new(model), Timings::default()).answer_at_once("hello"),
            None
        );
    }
}
