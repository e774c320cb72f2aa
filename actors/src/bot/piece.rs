//! What an answer is made of, whichever backend gives it. Receives nothing and sends nothing:
//! an answer is a stream of [`Piece`]s (text, tool calls and their results, a fallback mark, or
//! a failure) that
//! ends when the answer does; a [`Turn`] is one earlier exchange given as context.

use futures_util::stream::LocalBoxStream;
use serde_json::Value;

/// A piece of an answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    /// A chunk of the answer's text.
    Text(String),
    /// The model called a tool.
    ToolCall {
        /// The tool's name.
        name: String,
        /// Its arguments (the raw text as a string when it was not JSON).
        arguments: Value,
    },
    /// A tool the model called answered.
    ToolResult {
        /// The tool's name.
        name: String,
        /// What it returned, or why it could not.
        result: Result<Value, String>,
    },
    /// The backend did not understand the question: the text that follows is its fallback
    /// answer, which seed 001's regulator counts as a failure. Comes before the text.
    Fallback,
    /// The backend failed; the sentence says how. Nothing follows it.
    Failed(String),
}

/// An answer as it comes.
pub type Answer = LocalBoxStream<'static, Piece>;

/// One earlier exchange of a conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    /// What the user asked.
    pub query: String,
    /// What the bot answered (what was sent of it, if it was cut short).
    pub answer: String,
}

/// How the answer is wanted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Whole: the built-in bot gives its reply at once.
    Whole,
    /// Streamed: the built-in bot gives its chunks at the configured pace.
    Streamed,
}
