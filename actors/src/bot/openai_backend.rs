//! The `openai` backend: any OpenAI-compatible `/v1/chat/completions` server, streamed over
//! HTTP or HTTPS with awc. Receives the settings, the earlier turns and the question; sends the
//! model the system prompt (the configured one, or the caller's), the turns, the question and
//! the bot's tools (unless the caller asks for none), and sends back the
//! answer's [`Piece`]s as the server's events arrive. A tool the model calls runs through the
//! tool registry and its result goes back to the model in a next request (at most
//! [`MOST_ROUNDS`] requests per answer). Every failure (no connection, a non-2xx answer, a
//! malformed chunk, a stall longer than `BOT_TIMEOUT`, a body ending without `[DONE]`) ends
//! the answer with one [`Piece::Failed`] and a warning in the log. Dropping the answer drops
//! the request.

use std::sync::Arc;

use futures_util::StreamExt;
use futures_util::stream::LocalBoxStream;
use serde_json::{Value, json};

use crate::bot::bot_config::BotConfig;
use crate::bot::completion_chunks::{
    SseEvent, SseLines, ToolCallRequest, ToolCalls, excerpt, parse_line,
};
use crate::bot::piece::{Answer, Piece, Turn};
use crate::bot::tools;

/// Most requests one answer makes: the first, and one after each round of tool calls.
pub const MOST_ROUNDS: usize = 4;

/// Longest error body read from a non-2xx answer.
const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// The answer to `query` after `history`, streamed from the configured server.
pub fn answer(config: Arc<BotConfig>, history: &[Turn], query: &str) -> Answer {
    let messages = messages(&config.system_prompt, history, query);
    converse(config, messages, true)
}

/// The answer to `query` after `history` under a `system_prompt` of the caller's, with no
/// tools offered (the interviewer writes its questions this way).
pub fn answer_without_tools(
    config: Arc<BotConfig>,
    system_prompt: &str,
    history: &[Turn],
    query: &str,
) -> Answer {
    converse(config, messages(system_prompt, history, query), false)
}

/// Streams the answer to `messages`, offering the bot's tools when `offer_tools` is set.
fn converse(config: Arc<BotConfig>, messages: Vec<Value>, offer_tools: bool) -> Answer {
    let exchange = Exchange {
        url: completions_url(&config.openai_base_url),
        client: awc::Client::default(),
        messages,
        offer_tools,
        config,
        rounds: 0,
        body: None,
        lines: SseLines::default(),
        calls: ToolCalls::default(),
        text: String::new(),
        finished: false,
    };
    futures_util::stream::unfold(exchange, |mut exchange| async move {
        let pieces = exchange.step().await?;
        Some((futures_util::stream::iter(pieces), exchange))
    })
    .flatten()
    .boxed_local()
}

/// `{base}/v1/chat/completions`, whether `base` ends with `/v1` or not.
pub fn completions_url(base: &str) -> String {
    let base = base.trim_end_matches('/');
    let base = base.strip_suffix("/v1").unwrap_or(base);
    format!("{base}/v1/chat/completions")
}

/// The system prompt, the earlier turns, and the question, as chat messages.
fn messages(system_prompt: &str, history: &[Turn], query: &str) -> Vec<Value> {
    let mut messages = vec![json!({"role": "system", "content": system_prompt})];
    for turn in history {
        messages.push(json!({"role": "user", "content": turn.query}));
        messages.push(json!({"role": "assistant", "content": turn.answer}));
    }
    messages.push(json!({"role": "user", "content": query}));
    messages
}

/// One answer's requests to the server, and where it is in reading them.
struct Exchange {
    /// The settings.
    config: Arc<BotConfig>,
    /// The chat-completions URL.
    url: String,
    /// The HTTP client.
    client: awc::Client,
    /// The conversation sent with the next request.
    messages: Vec<Value>,
    /// Whether the requests offer the bot's tools.
    offer_tools: bool,
    /// Requests made so far.
    rounds: usize,
    /// The body being read, if a request is answering.
    body: Option<LocalBoxStream<'static, Result<Vec<u8>, String>>>,
    /// The body's lines, across reads.
    lines: SseLines,
    /// The tool calls of the round being read.
    calls: ToolCalls,
    /// The text of the round being read.
    text: String,
    /// Whether the answer is over.
    finished: bool,
}

impl Exchange {
    /// The next pieces (perhaps none yet), or `None` once the answer is over.
    async fn step(&mut self) -> Option<Vec<Piece>> {
        if self.finished {
            return None;
        }
        let outcome = match self.body {
            None => self.open().await.map(|()| Vec::new()),
            Some(_) => self.read().await,
        };
        Some(outcome.unwrap_or_else(|failure| {
            log::warn!("the openai backend failed: {failure}");
            self.finished = true;
            self.body = None;
            vec![Piece::Failed(failure)]
        }))
    }

    /// Sends the next request; keeps its body when the server answers 2xx.
    async fn open(&mut self) -> Result<(), String> {
        self.rounds += 1;
        if self.rounds > MOST_ROUNDS {
            return Err(format!(
                "the model was still calling tools after {MOST_ROUNDS} requests"
            ));
        }
        let mut request = json!({
            "model": self.config.openai_model,
            "messages": self.messages,
            "stream": true,
        });
        if self.offer_tools {
            request["tools"] = tools::definitions();
        }
        if self.config.max_tokens > 0 {
            request["max_tokens"] = self.config.max_tokens.into();
        }
        let mut post = self.client.post(&self.url).timeout(self.config.timeout);
        if let Some(key) = self
            .config
            .openai_api_key
            .as_deref()
            .filter(|key| !key.is_empty())
        {
            post = post.bearer_auth(key);
        }
        let mut response = post
            .send_json(&request)
            .await
            .map_err(|error| format!("could not reach the model at {}: {error}", self.url))?;
        let status = response.status();
        if !status.is_success() {
            let body = response.body().limit(ERROR_BODY_LIMIT);
            let body = match tokio::time::timeout(self.config.timeout, body).await {
                Ok(Ok(bytes)) => excerpt(&String::from_utf8_lossy(&bytes)),
                _ => String::new(),
            };
            return Err(format!("the model answered {status}: {body}"));
        }
        let body = response.map(|read| {
            read.map(|bytes| bytes.to_vec())
                .map_err(|error| error.to_string())
        });
        self.body = Some(body.boxed_local());
        Ok(())
    }

    /// Reads the body once more: the pieces the completed lines give.
    async fn read(&mut self) -> Result<Vec<Piece>, String> {
        let Some(body) = self.body.as_mut() else {
            return Ok(Vec::new());
        };
        let timeout = self.config.timeout;
        let bytes = match tokio::time::timeout(timeout, body.next()).await {
            Err(_) => return Err(format!("the model sent nothing for {timeout:?}")),
            Ok(None) => return Err("the model's answer ended before [DONE]".to_owned()),
            Ok(Some(Err(error))) => {
                return Err(format!("reading the model's answer failed: {error}"));
            }
            Ok(Some(Ok(bytes))) => bytes,
        };
        let mut pieces = Vec::new();
        for line in self.lines.push(&bytes) {
            match parse_line(&line)? {
                None => {}
                Some(SseEvent::Done) => {
                    self.end_round(&mut pieces);
                    break;
                }
                Some(SseEvent::Delta(delta)) => {
                    if let Some(content) = delta.content.filter(|content| !content.is_empty()) {
                        self.text.push_str(&content);
                        pieces.push(Piece::Text(content));
                    }
                    delta
                        .tool_calls
                        .into_iter()
                        .for_each(|piece| self.calls.add(piece));
                }
            }
        }
        Ok(pieces)
    }

    /// `[DONE]`: the answer is over, or its tool calls run and the next request is due.
    fn end_round(&mut self, pieces: &mut Vec<Piece>) {
        self.body = None;
        self.lines = SseLines::default();
        let calls = self.calls.take();
        let text = std::mem::take(&mut self.text);
        if calls.is_empty() {
            self.finished = true;
            return;
        }
        let requested: Vec<Value> = calls.iter().map(requested_call).collect();
        let content = if text.is_empty() {
            Value::Null
        } else {
            Value::String(text)
        };
        self.messages
            .push(json!({"role": "assistant", "content": content, "tool_calls": requested}));
        for call in calls {
            let (arguments, result) = run(&call);
            let said = match &result {
                Ok(value) => value.to_string(),
                Err(error) => json!({ "error": error }).to_string(),
            };
            self.messages
                .push(json!({"role": "tool", "tool_call_id": call.id, "content": said}));
            pieces.push(Piece::ToolCall {
                name: call.name.clone(),
                arguments,
            });
            pieces.push(Piece::ToolResult {
                name: call.name,
                result,
            });
        }
    }
}

/// A tool call as the assistant message that asked for it repeats it.
fn requested_call(call: &ToolCallRequest) -> Value {
    json!({
        "id": call.id,
        "type": "function",
        "function": {"name": call.name, "arguments": call.arguments},
    })
}

/// Runs a tool call: its arguments as JSON (as text when they are not), and the result.
fn run(call: &ToolCallRequest) -> (Value, Result<Value, String>) {
    let text = call.arguments.trim();
    let parsed = if text.is_empty() {
        Ok(json!({}))
    } else {
        serde_json::from_str(text)
    };
    match parsed {
        Ok(arguments) => {
            let result = tools::call(&call.name, &arguments).map_err(|error| error.to_string());
            (arguments, result)
        }
        Err(error) => {
            let why = format!("the arguments are not JSON: {error}");
            (Value::String(call.arguments.clone()), Err(why))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_is_the_same_with_or_without_v1() {
        for base in [
            "http://h:1",
            "http://h:1/",
            "http://h:1/v1",
            "http://h:1/v1/",
        ] {
            assert_eq!(
                completions_url(base),
                "http://h:1/v1/chat/completions",
                "{base}"
            );
        }
    }

    #[test]
    fn messages_are_the_prompt_the_turns_and_the_question() {
        let history = [Turn {
            query: "hi".into(),
            answer: "hello".into(),
        }];
        let roles: Vec<Value> = messages("be kind", &history, "2+2?")
            .iter()
            .map(|message| json!([message["role"], message["content"]]))
            .collect();
        assert_eq!(
            roles,
            [
                json!(["system", "be kind"]),
                json!(["user", "hi"]),
                json!(["assistant", "hello"]),
                json!(["user", "2+2?"]),
            ]
        );
    }

    #[test]
    fn tool_calls_run_with_their_arguments_or_say_why_not() {
        let call = |arguments: &str| ToolCallRequest {
            id: "c".into(),
            name: "calculator".into(),
            arguments: arguments.into(),
        };
        assert_eq!(
            run(&call(r#"{"expression":"2*3"}"#)),
            (json!({"expression": "2*3"}), Ok(json!(6)))
        );
        let (arguments, result) = run(&call("{\"expr"));
        assert_eq!(arguments, json!("{\"expr"));
        assert!(result.is_err_and(|error| error.starts_with("the arguments are not JSON")));
        let (_, missing) = run(&call(""));
        assert!(missing.is_err_and(|error| error.contains("`expression` is required")));
    }
}
