//! The transcription client: any OpenAI-compatible `/v1/audio/transcriptions` server (Whisper
//! and the like), over HTTP or HTTPS with awc. Receives the settings and a checked
//! [`AudioClip`]; sends the server the clip as `multipart/form-data` (`file`, `model`,
//! `response_format=json`, and `language` when set) and sends back the [`Transcription`].
//! Every failure (no connection, a non-2xx answer, a body that is not JSON or has no `text`,
//! a wait longer than `STT_TIMEOUT`) is a [`TranscriptionFailed`] and a warning in the log.

use std::time::Instant;

use serde::Deserialize;

use crate::interview::audio_clip::AudioClip;
use crate::interview::multipart_form::MultipartForm;
use crate::interview::speech_config::SpeechConfig;

/// Longest answer body read.
const BODY_LIMIT: usize = 256 * 1024;

/// Longest excerpt of a failed answer quoted in the error.
const EXCERPT_CHARS: usize = 200;

/// What the server heard.
#[derive(Debug, Clone, PartialEq)]
pub struct Transcription {
    /// The text.
    pub text: String,
    /// The language, when the server tells (or the one asked for).
    pub language: Option<String>,
    /// The clip's duration in seconds, when the server or the WAV header tells.
    pub duration: Option<f64>,
    /// The clip's format.
    pub format: &'static str,
    /// Seconds the transcription took.
    pub processing_time: f64,
}

/// Why a clip could not be transcribed, for a person.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct TranscriptionFailed(pub String);

/// The fields read from the server's JSON answer.
#[derive(Debug, Deserialize)]
struct Answer {
    /// The text (required).
    text: Option<String>,
    /// The language (verbose answers).
    #[serde(default)]
    language: Option<String>,
    /// The duration (verbose answers).
    #[serde(default)]
    duration: Option<f64>,
}

/// `{base}/v1/audio/transcriptions`, whether `base` ends with `/v1` or not.
pub fn transcriptions_url(base: &str) -> String {
    let base = base.trim().trim_end_matches('/');
    let base = base.strip_suffix("/v1").unwrap_or(base);
    format!("{base}/v1/audio/transcriptions")
}

/// The content type of a clip of `format`.
pub fn content_type(format: &str) -> &'static str {
    match format {
        "mp3" => "audio/mpeg",
        "m4a" => "audio/mp4",
        "webm" => "audio/webm",
        _ => "audio/wav",
    }
}

/// The form sent for `clip`, with `boundary`.
pub fn form(config: &SpeechConfig, clip: &AudioClip, boundary: &str) -> MultipartForm {
    let filename = format!("audio.{}", clip.format);
    let mut form = MultipartForm::new(boundary)
        .file("file", &filename, content_type(clip.format), &clip.data)
        .text("model", &config.stt_model)
        .text("response_format", "json");
    if let Some(language) = config
        .stt_language
        .as_deref()
        .filter(|l| !l.trim().is_empty())
    {
        form = form.text("language", language.trim());
    }
    form
}

/// Transcribes `clip` on the server `config` names; logs a warning when it fails.
pub async fn transcribe(
    config: &SpeechConfig,
    clip: &AudioClip,
) -> Result<Transcription, TranscriptionFailed> {
    let began = Instant::now();
    let Some(base) = config.server() else {
        return Err(TranscriptionFailed(
            "no speech-to-text server is configured".to_owned(),
        ));
    };
    let url = transcriptions_url(base);
    let outcome = request(config, clip, &url).await;
    match outcome {
        Ok(answer) => Ok(Transcription {
            text: answer.text.unwrap_or_default().trim().to_owned(),
            language: answer.language.or_else(|| config.stt_language.clone()),
            duration: answer.duration.or(clip.duration),
            format: clip.format,
            processing_time: began.elapsed().as_secs_f64(),
        }),
        Err(failure) => {
            log::warn!(
                "transcribing a {} clip at {url} failed: {failure}",
                clip.format
            );
            Err(TranscriptionFailed(failure))
        }
    }
}

/// Posts the clip to `url` and reads the answer (its `text` present).
async fn request(config: &SpeechConfig, clip: &AudioClip, url: &str) -> Result<Answer, String> {
    let boundary = format!("switchboard-{}", uuid::Uuid::new_v4().simple());
    let form = form(config, clip, &boundary);
    let mut post = awc::Client::default()
        .post(url)
        .timeout(config.stt_timeout)
        .insert_header(("Content-Type", form.content_type()));
    if let Some(key) = config.stt_api_key.as_deref().filter(|key| !key.is_empty()) {
        post = post.bearer_auth(key);
    }
    let mut response = post
        .send_body(form.finish())
        .await
        .map_err(|error| match error {
            awc::error::SendRequestError::Timeout => format!(
                "the speech-to-text server did not answer within {:?}",
                config.stt_timeout
            ),
            error => format!("could not reach the speech-to-text server: {error}"),
        })?;
    let status = response.status();
    let timeout = config.stt_timeout;
    let body = match tokio::time::timeout(timeout, response.body().limit(BODY_LIMIT)).await {
        Err(_) => {
            return Err(format!(
                "the speech-to-text server sent no whole answer within {timeout:?}"
            ));
        }
        Ok(Err(error)) => return Err(format!("reading the speech-to-text answer failed: {error}")),
        Ok(Ok(bytes)) => bytes.to_vec(),
    };
    if !status.is_success() {
        return Err(format!(
            "the speech-to-text server answered {status}: {}",
            excerpt(&body)
        ));
    }
    let answer: Answer = serde_json::from_slice(&body).map_err(|error| {
        format!(
            "the speech-to-text server's answer is not the JSON expected ({error}): {}",
            excerpt(&body)
        )
    })?;
    if answer.text.is_none() {
        return Err(format!(
            "the speech-to-text server's answer has no text: {}",
            excerpt(&body)
        ));
    }
    Ok(answer)
}

/// The start of `body`, on one line.
fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut short: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if short.chars().count() > EXCERPT_CHARS {
        short = short.chars().take(EXCERPT_CHARS).collect::<String>() + "…";
    }
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_takes_a_base_with_or_without_v1() {
        for base in [
            "http://127.0.0.1:8300",
            "http://127.0.0.1:8300/",
            "http://127.0.0.1:8300/v1",
            "http://127.0.0.1:8300/v1/",
        ] {
            assert_eq!(
                transcriptions_url(base),
                "http://127.0.0.1:8300/v1/audio/transcriptions"
            );
        }
    }

    #[test]
    fn the_form_carries_the_clip_the_model_and_the_language() {
        let mut config = SpeechConfig {
            stt_language: Some("en".to_owned()),
            ..SpeechConfig::default()
        };
        config.stt_model = "tiny".to_owned();
        let clip = AudioClip {
            format: "mp3",
            bytes: 3,
            duration: None,
            data: b"ID3".to_vec(),
        };
        let body = String::from_utf8(form(&config, &clip, "B").finish()).expect("text");
        assert!(body.contains("filename=\"audio.mp3\"\r\nContent-Type: audio/mpeg\r\n\r\nID3\r\n"));
        assert!(body.contains("name=\"model\"\r\n\r\ntiny\r\n"));
        assert!(body.contains("name=\"response_format\"\r\n\r\njson\r\n"));
        assert!(body.contains("name=\"language\"\r\n\r\nen\r\n"));
        assert!(body.ends_with("--B--\r\n"));
    }

    #[test]
    fn a_long_body_is_cut_short_on_one_line() {
        let long = format!("a\n b{}", "x".repeat(500));
        let cut = excerpt(long.as_bytes());
        assert!(cut.starts_with("a bxx") && cut.ends_with('…'));
        assert_eq!(cut.chars().count(), EXCERPT_CHARS + 1);
    }
}
