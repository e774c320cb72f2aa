//! Seed 002's interview sockets: the room of the interviewer (built in, or writing through an
//! OpenAI-compatible model) and of the interviews it holds. Receives a socket's arrival and
//! departure, the candidate's answers, style changes, the management API's questions and
//! pushes; sends the interviewer's replies, the interviews as they stand, and pushed messages
//! to the sockets. The socket's protocol lives in the web edge.
//!
//! - [`audio_clip`]: an `audio_input` clip decoded and checked (pure).
//! - [`speech_config`]: where `audio_input` clips are transcribed (`STT_*` settings).
//! - [`speech_to_text`]: the transcription client (an OpenAI-compatible server, over HTTP).
//! - [`multipart_form`]: the `multipart/form-data` body it sends (pure).
//! - [`interviews`]: the [`InterviewDirectory`], the one writer of open interviews.
//! - [`live_interview`]: an open interview, its requests waiting their turn, and the steps
//!   that store its changes.
//! - [`interviewer`]: the built-in interviewer, its strategies and focus areas (pure).
//! - [`model_interviewer`]: the words of its turns written by an OpenAI-compatible model (the
//!   `openai` backend): the interviewer's system prompt and the request.
//! - [`questions`]: what it says, in English and Chinese (pure).
//! - [`vocabulary`]: the focus areas, styles and strategies, and their names (pure).
//! - [`transcript`]: an interview as data and as store rows (pure).
//! - [`interview_requests`]: the directory's messages and the sockets' event family.
//! - [`interview_counters`]: the sockets' counters.

pub mod audio_clip;
pub mod interview_counters;
pub mod interview_requests;
pub mod interviewer;
pub mod interviews;
pub mod live_interview;
pub mod model_interviewer;
pub mod multipart_form;
pub mod questions;
pub mod speech_config;
pub mod speech_to_text;
pub mod transcript;
pub mod vocabulary;

pub use interviews::{InterviewDirectory, Interviews};
