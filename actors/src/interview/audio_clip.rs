//! An `audio_input` clip checked before anything would transcribe it (pure). Receives the
//! format the client names and the base64 text; sends back the decoded [`AudioClip`] (its
//! format, size and, for WAV, the duration read from its header) or the [`AudioRefusal`] that
//! says exactly what is wrong: an unsupported format, a clip over [`MAX_AUDIO_BYTES`], text
//! that is not base64, bytes that are not the named format, or a malformed WAV header.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// Largest clip accepted, decoded, in bytes (the socket's message limit,
/// `WS_MAX_FRAME_BYTES`, applies first to the base64 text).
pub const MAX_AUDIO_BYTES: usize = 4 << 20;

/// The formats accepted, as `audio_format` names them.
pub const FORMATS: &[&str] = &["wav", "mp3", "m4a", "webm"];

/// A clip that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct AudioClip {
    /// Its format (one of [`FORMATS`]).
    pub format: &'static str,
    /// Its size, decoded.
    pub bytes: usize,
    /// Its duration in seconds, when the header tells (WAV).
    pub duration: Option<f64>,
    /// The decoded clip.
    pub data: Vec<u8>,
}

/// Why a clip was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AudioRefusal {
    /// `audio_data` is missing or empty.
    #[error("data.audio_data is required (base64 of the clip)")]
    Missing,
    /// `audio_format` is not one of [`FORMATS`].
    #[error("audio_format must be one of wav, mp3, m4a, webm")]
    UnsupportedFormat,
    /// The clip is over [`MAX_AUDIO_BYTES`].
    #[error("the clip is over {MAX_AUDIO_BYTES} bytes")]
    TooLarge,
    /// `audio_data` is not standard base64.
    #[error("audio_data is not valid base64: {0}")]
    NotBase64(String),
    /// The bytes are not the format named.
    #[error("the clip is not {0} audio")]
    WrongFormat(&'static str),
    /// The WAV header is malformed.
    #[error("malformed WAV header: {0}")]
    BadWav(&'static str),
}

impl AudioRefusal {
    /// The machine-readable code of the error envelope.
    pub fn code(&self) -> &'static str {
        match self {
            AudioRefusal::Missing => "audio_required",
            AudioRefusal::UnsupportedFormat => "unsupported_audio_format",
            AudioRefusal::TooLarge => "audio_too_large",
            AudioRefusal::NotBase64(_) => "invalid_audio_data",
            AudioRefusal::WrongFormat(_) => "audio_format_mismatch",
            AudioRefusal::BadWav(_) => "invalid_wav",
        }
    }
}

/// Decodes and checks a clip of `format` sent as `base64`.
pub fn inspect(format: &str, base64: &str) -> Result<AudioClip, AudioRefusal> {
    let format = FORMATS
        .iter()
        .copied()
        .find(|known| known.eq_ignore_ascii_case(format.trim()))
        .ok_or(AudioRefusal::UnsupportedFormat)?;
    let base64 = base64.trim();
    if base64.is_empty() {
        return Err(AudioRefusal::Missing);
    }
    if base64.len() / 4 * 3 > MAX_AUDIO_BYTES + 3 {
        return Err(AudioRefusal::TooLarge);
    }
    let bytes = decode_base64(base64)?;
    if bytes.len() > MAX_AUDIO_BYTES {
        return Err(AudioRefusal::TooLarge);
    }
    let duration = match format {
        "wav" => Some(wav_duration(&bytes)?),
        other => {
            check_magic(other, &bytes)?;
            None
        }
    };
    Ok(AudioClip {
        format,
        bytes: bytes.len(),
        duration,
        data: bytes,
    })
}

/// Standard base64 (RFC 4648, `+/`, padded to whole quanta).
fn decode_base64(text: &str) -> Result<Vec<u8>, AudioRefusal> {
    STANDARD
        .decode(text)
        .map_err(|error| AudioRefusal::NotBase64(error.to_string()))
}

/// The duration of a WAV clip, from its `fmt ` and `data` chunks.
fn wav_duration(bytes: &[u8]) -> Result<f64, AudioRefusal> {
    if bytes.len() < 12 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return Err(AudioRefusal::BadWav("no RIFF/WAVE signature"));
    }
    let (mut at, mut byte_rate, mut data_bytes) = (12usize, None, None);
    while at + 8 <= bytes.len() && (byte_rate.is_none() || data_bytes.is_none()) {
        let id = &bytes[at..at + 4];
        let size = u32::from_le_bytes([bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]])
            as usize;
        let body = at + 8;
        match id {
            b"fmt " => {
                let fmt = bytes
                    .get(body..body + 16)
                    .filter(|_| size >= 16)
                    .ok_or(AudioRefusal::BadWav("the fmt chunk is truncated"))?;
                let rate = u32::from_le_bytes([fmt[8], fmt[9], fmt[10], fmt[11]]);
                if u16::from_le_bytes([fmt[2], fmt[3]]) == 0 || rate == 0 {
                    return Err(AudioRefusal::BadWav("no channels or no byte rate"));
                }
                byte_rate = Some(rate);
            }
            b"data" => data_bytes = Some(size.min(bytes.len() - body)),
            _ => {}
        }
        at = body.saturating_add(size).saturating_add(size % 2);
    }
    let byte_rate = byte_rate.ok_or(AudioRefusal::BadWav("no fmt chunk"))?;
    let data_bytes = data_bytes.ok_or(AudioRefusal::BadWav("no data chunk"))?;
    Ok(data_bytes as f64 / f64::from(byte_rate))
}

/// Whether `bytes` begin as `format` does.
fn check_magic(format: &'static str, bytes: &[u8]) -> Result<(), AudioRefusal> {
    let fits = match format {
        "mp3" => {
            bytes.starts_with(b"ID3")
                || (bytes.len() >= 2 && bytes[0] == 0xFF && bytes[1] & 0xE0 == 0xE0)
        }
        "m4a" => bytes.get(4..8) == Some(b"ftyp".as_slice()),
        _ => bytes.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]),
    };
    if fits {
        Ok(())
    } else {
        Err(AudioRefusal::WrongFormat(format))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Standard base64 of `bytes`, for the tests.
    fn encode(bytes: &[u8]) -> String {
        STANDARD.encode(bytes)
    }

    /// A WAV clip of `seconds` of 16 kHz 16-bit mono silence.
    fn wav(seconds: u32) -> Vec<u8> {
        let data = 32_000 * seconds;
        let mut clip = b"RIFF".to_vec();
        clip.extend_from_slice(&(36 + data).to_le_bytes());
        clip.extend_from_slice(b"WAVEfmt ");
        clip.extend_from_slice(&16u32.to_le_bytes());
        clip.extend_from_slice(&[1, 0, 1, 0]);
        clip.extend_from_slice(&16_000u32.to_le_bytes());
        clip.extend_from_slice(&32_000u32.to_le_bytes());
        clip.extend_from_slice(&[2, 0, 16, 0]);
        clip.extend_from_slice(b"data");
        clip.extend_from_slice(&data.to_le_bytes());
        clip.resize(clip.len() + data as usize, 0);
        clip
    }

    #[test]
    fn base64_round_trips_and_bad_text_is_refused() {
        for bytes in [&b""[..], b"f", b"fo", b"foo", b"foob", &[0xFF, 0x00, 0x7F]] {
            if !bytes.is_empty() {
                assert_eq!(decode_base64(&encode(bytes)), Ok(bytes.to_vec()));
            }
        }
        for bad in ["abc", "ab!d", "a===", "=abc", "ab=c"] {
            assert!(decode_base64(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_wav_clip_tells_its_duration() {
        let clip = inspect("WAV", &encode(&wav(2))).expect("a good clip");
        assert_eq!((clip.format, clip.duration), ("wav", Some(2.0)));
    }

    #[test]
    fn every_bad_clip_has_its_code() {
        let code = |format: &str, text: &str| inspect(format, text).map_err(|e| e.code());
        assert_eq!(code("ogg", "AAAA"), Err("unsupported_audio_format"));
        assert_eq!(code("wav", " "), Err("audio_required"));
        assert_eq!(code("wav", "not base64!"), Err("invalid_audio_data"));
        assert_eq!(code("wav", &encode(&wav(1)[..30])), Err("invalid_wav"));
        assert_eq!(
            code("wav", &encode(b"RIFF\0\0\0\0WAVE")),
            Err("invalid_wav")
        );
        assert_eq!(
            code("mp3", &encode(b"RIFF....")),
            Err("audio_format_mismatch")
        );
        assert_eq!(code("mp3", &encode(b"ID3\x04\0\0")).map(|c| c.bytes), Ok(6));
        assert_eq!(
            code("m4a", &encode(b"\0\0\0\x20ftypM4A ")).map(|c| c.duration),
            Ok(None)
        );
        assert_eq!(
            code("webm", &encode(&[0x1A, 0x45, 0xDF, 0xA3])).map(|c| c.bytes),
            Ok(4)
        );
        let huge = "A".repeat((MAX_AUDIO_BYTES + 8) / 3 * 4);
        assert_eq!(code("wav", &huge), Err("audio_too_large"));
    }

    proptest! {
        #[test]
        fn no_clip_panics(bytes in prop::collection::vec(any::<u8>(), 0..256), cut in 0usize..64) {
            let mut clip = wav(0);
            clip.truncate(cut.min(clip.len()));
            clip.extend_from_slice(&bytes);
            for format in FORMATS {
                let _ = inspect(format, &encode(&clip));
            }
        }

        #[test]
        fn no_text_panics(text in "\\PC{0,100}") {
            let _ = inspect("wav", &text);
        }
    }
}
