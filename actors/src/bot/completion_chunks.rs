//! The pure parsing of an OpenAI-compatible streamed chat completion. Receives the body's
//! bytes as they arrive, in reads that may cut a line anywhere ([`SseLines`]); sends back its
//! server-sent events ([`parse_line`]: a chunk's text and tool-call pieces, or `[DONE]`), and
//! gathers the tool calls whose names and arguments arrive in pieces ([`ToolCalls`]).

use std::collections::BTreeMap;

use serde_json::Value;

/// Splits a body into lines across reads: a line cut between two reads is completed by the next.
#[derive(Debug, Default)]
pub struct SseLines {
    /// Bytes after the last newline seen.
    pending: Vec<u8>,
}

impl SseLines {
    /// Takes a read; returns the lines it completed, without their `\n` or `\r\n`.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<String> {
        self.pending.extend_from_slice(bytes);
        let Some(last) = self.pending.iter().rposition(|byte| *byte == b'\n') else {
            return Vec::new();
        };
        let rest = self.pending.split_off(last + 1);
        let complete = std::mem::replace(&mut self.pending, rest);
        complete[..last]
            .split(|byte| *byte == b'\n')
            .map(|line| {
                String::from_utf8_lossy(line.strip_suffix(b"\r").unwrap_or(line)).into_owned()
            })
            .collect()
    }
}

/// What one line of the stream says.
#[derive(Debug, Clone, PartialEq)]
pub enum SseEvent {
    /// `data: [DONE]`: the answer is complete.
    Done,
    /// `data: {…}`: a piece of the answer.
    Delta(Delta),
}

/// The `choices[0].delta` of one chunk.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Delta {
    /// Text to append to the answer.
    pub content: Option<String>,
    /// Pieces of tool calls.
    pub tool_calls: Vec<ToolCallPiece>,
}

/// A piece of a tool call, as one chunk carries it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ToolCallPiece {
    /// Which call of the answer it belongs to.
    pub index: u64,
    /// The call's id, in its first piece.
    pub id: Option<String>,
    /// A piece of the function's name.
    pub name: Option<String>,
    /// A piece of the arguments' JSON text.
    pub arguments: Option<String>,
}

/// One line's event: `None` for blank lines, comments (`:`) and fields other than `data`;
/// an error for a `data` line that is not JSON, or an error the server sent in the stream.
pub fn parse_line(line: &str) -> Result<Option<SseEvent>, String> {
    let Some(data) = line.strip_prefix("data:") else {
        return Ok(None);
    };
    let data = data.trim();
    if data == "[DONE]" {
        return Ok(Some(SseEvent::Done));
    }
    let chunk: Value = serde_json::from_str(data).map_err(|error| {
        format!(
            "the model sent a chunk that is not JSON ({error}): {}",
            excerpt(data)
        )
    })?;
    if let Some(error) = chunk.get("error") {
        let message = error["message"]
            .as_str()
            .map_or_else(|| error.to_string(), str::to_owned);
        return Err(format!("the model reported an error: {message}"));
    }
    if !chunk.is_object() {
        return Err(format!(
            "the model sent a chunk that is not an object: {}",
            excerpt(data)
        ));
    }
    let delta = &chunk["choices"][0]["delta"];
    let content = delta["content"].as_str().map(str::to_owned);
    let tool_calls = delta["tool_calls"]
        .as_array()
        .map(|calls| calls.iter().enumerate().map(tool_call_piece).collect())
        .unwrap_or_default();
    Ok(Some(SseEvent::Delta(Delta {
        content,
        tool_calls,
    })))
}

/// A tool-call piece; one without an index counts by its place in the chunk.
fn tool_call_piece((place, call): (usize, &Value)) -> ToolCallPiece {
    let text = |value: &Value| value.as_str().map(str::to_owned);
    ToolCallPiece {
        index: call["index"].as_u64().unwrap_or(place as u64),
        id: text(&call["id"]),
        name: text(&call["function"]["name"]),
        arguments: text(&call["function"]["arguments"]),
    }
}

/// At most the first 200 characters of `text`, for an error message.
pub fn excerpt(text: &str) -> String {
    const LONGEST: usize = 200;
    match text.char_indices().nth(LONGEST) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// A tool call the model asked for, put together from its pieces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolCallRequest {
    /// The call's id, echoed in the `tool` message that answers it.
    pub id: String,
    /// The tool's name.
    pub name: String,
    /// The arguments' JSON text.
    pub arguments: String,
}

/// The tool calls of one answer, gathered by index as their pieces arrive.
#[derive(Debug, Default)]
pub struct ToolCalls {
    /// The calls so far, by index.
    calls: BTreeMap<u64, ToolCallRequest>,
}

impl ToolCalls {
    /// Adds a piece to its call.
    pub fn add(&mut self, piece: ToolCallPiece) {
        let call = self
            .calls
            .entry(piece.index)
            .or_insert_with(|| ToolCallRequest {
                id: String::new(),
                name: String::new(),
                arguments: String::new(),
            });
        if let Some(id) = piece.id {
            call.id.push_str(&id);
        }
        if let Some(name) = piece.name {
            call.name.push_str(&name);
        }
        if let Some(arguments) = piece.arguments {
            call.arguments.push_str(&arguments);
        }
    }

    /// The calls in index order (an id invented for one that came without), and none left.
    pub fn take(&mut self) -> Vec<ToolCallRequest> {
        let calls = std::mem::take(&mut self.calls);
        calls
            .into_iter()
            .map(|(index, mut call)| {
                if call.id.is_empty() {
                    call.id = format!("call_{index}");
                }
                call
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_cut_across_reads_are_put_back_together() {
        let mut lines = SseLines::default();
        assert!(lines.push(b"data: {\"a\"").is_empty());
        assert_eq!(lines.push(b":1}\r\n\ndata: [DO"), ["data: {\"a\":1}", ""]);
        assert_eq!(lines.push(b"NE]\n"), ["data: [DONE]"]);
        let chinese = "data: 你好\n".as_bytes();
        assert!(
            lines.push(&chinese[..8]).is_empty(),
            "a character cut in two waits"
        );
        assert_eq!(lines.push(&chinese[8..]), ["data: 你好"]);
    }

    #[test]
    fn blank_lines_comments_and_other_fields_say_nothing() {
        for line in ["", ": keep-alive", "event: message", "id: 7", "retry: 10"] {
            assert_eq!(parse_line(line), Ok(None), "{line}");
        }
        assert_eq!(parse_line("data: [DONE]"), Ok(Some(SseEvent::Done)));
        assert_eq!(parse_line("data:[DONE]"), Ok(Some(SseEvent::Done)));
    }

    #[test]
    fn a_chunk_gives_its_text() {
        let line = r#"data: {"choices":[{"index":0,"delta":{"content":"Hel"}}]}"#;
        let delta = Delta {
            content: Some("Hel".into()),
            tool_calls: Vec::new(),
        };
        assert_eq!(parse_line(line), Ok(Some(SseEvent::Delta(delta))));
        let role_only = r#"data: {"choices":[{"delta":{"role":"assistant"}}]}"#;
        assert_eq!(
            parse_line(role_only),
            Ok(Some(SseEvent::Delta(Delta::default())))
        );
        let finished = r#"data: {"choices":[{"delta":{},"finish_reason":"stop"}]}"#;
        assert_eq!(
            parse_line(finished),
            Ok(Some(SseEvent::Delta(Delta::default())))
        );
    }

    #[test]
    fn malformed_chunks_and_reported_errors_are_errors() {
        let broken = parse_line("data: {\"choices\": [");
        assert!(broken.is_err_and(|error| error.contains("not JSON")));
        assert!(parse_line("data: 42").is_err_and(|error| error.contains("not an object")));
        let reported = parse_line(r#"data: {"error":{"message":"model overloaded"}}"#);
        assert_eq!(
            reported,
            Err("the model reported an error: model overloaded".into())
        );
    }

    #[test]
    fn tool_calls_are_gathered_by_index_from_their_pieces() {
        let lines = [
            r#"data: {"choices":[{"delta":{"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"calcu","arguments":""}}]}}]}"#,
            r#"data: {"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"name":"lator","arguments":"{\"expres"}}]}}]}"#,
            r#"data: {"choices":[{"delta":{"tool_calls":[{"index":1,"function":{"name":"time","arguments":"{}"}}]}}]}"#,
            r#"data: {"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"sion\": \"2+3\"}"}}]}}]}"#,
        ];
        let mut calls = ToolCalls::default();
        for line in lines {
            let Ok(Some(SseEvent::Delta(delta))) = parse_line(line) else {
                panic!("{line}");
            };
            delta
                .tool_calls
                .into_iter()
                .for_each(|piece| calls.add(piece));
        }
        let gathered = calls.take();
        assert_eq!(
            gathered,
            [
                ToolCallRequest {
                    id: "call_a".into(),
                    name: "calculator".into(),
                    arguments: r#"{"expression": "2+3"}"#.into(),
                },
                ToolCallRequest {
                    id: "call_1".into(),
                    name: "time".into(),
                    arguments: "{}".into(),
                },
            ]
        );
        assert!(calls.take().is_empty());
    }

    #[test]
    fn excerpts_are_cut_on_characters() {
        assert_eq!(excerpt("short"), "short");
        let long = "字".repeat(300);
        assert_eq!(excerpt(&long).chars().count(), 201);
    }
}
