//! What a bot answers. Receives nothing and sends nothing: a [`BotReply`] carries the answer,
//! whether the bot understood, and cuts the answer into the chunks a streaming client receives.

/// What the bot answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BotReply {
    /// The whole answer.
    pub text: String,
    /// False when the bot did not know what to say (a failure for the regulator).
    pub understood: bool,
}

/// Longest streamed chunk, in characters.
const CHUNK_CHARS: usize = 12;

impl BotReply {
    /// The answer in the pieces a streaming reply sends: words, with long runs (such as
    /// Chinese text without spaces) cut every few characters. Joined, they give the whole text.
    pub fn chunks(&self) -> Vec<String> {
        let mut chunks = Vec::new();
        for word in self.text.split_inclusive(' ') {
            let chars: Vec<char> = word.chars().collect();
            chunks.extend(chars.chunks(CHUNK_CHARS).map(|run| run.iter().collect()));
        }
        chunks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_join_back_to_the_text() {
        for text in [
            "Hello there, how can I help?",
            "您好，我是智能客服助手，请问有什么可以帮您？",
            "",
        ] {
            let reply = BotReply {
                text: text.into(),
                understood: true,
            };
            let chunks = reply.chunks();
            assert_eq!(chunks.concat(), text);
            assert!(chunks.iter().all(|c| c.chars().count() <= CHUNK_CHARS));
        }
    }
}
