//! The speech-to-text settings of the interview socket, declared once: each field with its
//! flag, environment variable, default and meaning. Receives flags and environment variables
//! (through the hub's config) and is handed as it is to the transcription client.

use std::time::Duration;

use crate::kernel::settings::{MustBePositive, all_positive, parse_duration};

/// Where `audio_input` clips are transcribed.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Speech to text")]
pub struct SpeechConfig {
    /// Base URL of an OpenAI-compatible `/v1/audio/transcriptions` server, with or without its
    /// trailing `/v1`, `http://` or `https://`; when unset, `audio_input` is answered with the error
    /// `speech_to_text_not_configured`.
    #[arg(long = "stt-base-url", env = "STT_BASE_URL")]
    pub stt_base_url: Option<String>,
    /// API key sent as `Authorization: Bearer`; none is sent when unset or empty.
    #[arg(long = "stt-api-key", env = "STT_API_KEY", hide_env_values = true)]
    pub stt_api_key: Option<String>,
    /// The transcription model asked for.
    #[arg(long = "stt-model", env = "STT_MODEL", default_value = "whisper-1")]
    pub stt_model: String,
    /// The language of the clips (ISO 639-1, e.g. `en`), sent as a hint; the server guesses
    /// when unset.
    #[arg(long = "stt-language", env = "STT_LANGUAGE")]
    pub stt_language: Option<String>,
    /// Longest wait for a transcription: for the answer to begin, and for its body.
    #[arg(
        long = "stt-timeout",
        env = "STT_TIMEOUT",
        default_value = "30s",
        value_parser = parse_duration
    )]
    pub stt_timeout: Duration,
}

impl SpeechConfig {
    /// Checks the settings that must be positive.
    pub fn validate(&self) -> Result<(), MustBePositive> {
        all_positive(&[("the speech-to-text timeout", self.stt_timeout.is_zero())])
    }

    /// The server's base URL, when one is configured (an empty one counts as none).
    pub fn server(&self) -> Option<&str> {
        self.stt_base_url
            .as_deref()
            .map(str::trim)
            .filter(|url| !url.is_empty())
    }
}

impl Default for SpeechConfig {
    /// The declared defaults.
    fn default() -> Self {
        crate::kernel::settings::defaults()
    }
}
