//! A `multipart/form-data` body (RFC 7578), built by hand: it is small. Receives text fields
//! and one file (its field name, filename, content type and bytes); sends back the body's
//! bytes and the `Content-Type` header that names its boundary.

/// A form being built.
#[derive(Debug, Clone)]
pub struct MultipartForm {
    /// The boundary between parts (never found in the parts; see [`MultipartForm::new`]).
    boundary: String,
    /// The body so far.
    body: Vec<u8>,
}

impl MultipartForm {
    /// An empty form whose boundary is `boundary` (long and random in use, so that it is not
    /// found in the file; fixed in tests).
    pub fn new(boundary: impl Into<String>) -> Self {
        MultipartForm {
            boundary: boundary.into(),
            body: Vec::new(),
        }
    }

    /// The `Content-Type` header of the body.
    pub fn content_type(&self) -> String {
        format!("multipart/form-data; boundary={}", self.boundary)
    }

    /// Adds the text field `name` = `value`.
    pub fn text(mut self, name: &str, value: &str) -> Self {
        self.open_part(&format!(
            "Content-Disposition: form-data; name=\"{}\"",
            quoted(name)
        ));
        self.body.extend_from_slice(value.as_bytes());
        self.body.extend_from_slice(b"\r\n");
        self
    }

    /// Adds the file field `name`: `bytes` sent as `filename` of `content_type`.
    pub fn file(mut self, name: &str, filename: &str, content_type: &str, bytes: &[u8]) -> Self {
        self.open_part(&format!(
            "Content-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: {content_type}",
            quoted(name),
            quoted(filename)
        ));
        self.body.extend_from_slice(bytes);
        self.body.extend_from_slice(b"\r\n");
        self
    }

    /// The whole body, closed by the last boundary.
    pub fn finish(mut self) -> Vec<u8> {
        self.body
            .extend_from_slice(format!("--{}--\r\n", self.boundary).as_bytes());
        self.body
    }

    /// Starts a part: the boundary line, `headers`, and the blank line.
    fn open_part(&mut self, headers: &str) {
        self.body
            .extend_from_slice(format!("--{}\r\n{headers}\r\n\r\n", self.boundary).as_bytes());
    }
}

/// `text` fit for a quoted header parameter: no quote, backslash or line break.
fn quoted(text: &str) -> String {
    text.chars()
        .filter(|c| !matches!(c, '"' | '\\' | '\r' | '\n'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_is_its_parts_between_boundaries() {
        let form = MultipartForm::new("XYZ").text("model", "whisper-1").file(
            "file",
            "clip.wav",
            "audio/wav",
            b"RIFF\0\x01",
        );
        assert_eq!(form.content_type(), "multipart/form-data; boundary=XYZ");
        let expected =
            b"--XYZ\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nwhisper-1\r\n\
--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"clip.wav\"\r\n\
Content-Type: audio/wav\r\n\r\nRIFF\0\x01\r\n--XYZ--\r\n";
        assert_eq!(form.finish(), expected.to_vec());
    }

    #[test]
    fn an_empty_form_is_the_closing_boundary() {
        assert_eq!(MultipartForm::new("b").finish(), b"--b--\r\n".to_vec());
    }

    #[test]
    fn names_cannot_break_out_of_their_quotes() {
        let body = MultipartForm::new("b")
            .file("f\"ile", "a\r\nb\\\".wav", "audio/wav", b"")
            .finish();
        let body = String::from_utf8(body).expect("text");
        assert!(
            body.contains("name=\"file\"; filename=\"ab.wav\""),
            "{body}"
        );
    }
}
