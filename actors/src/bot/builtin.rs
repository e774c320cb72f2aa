//! The built-in bot: offline, deterministic answers to a few customer-service topics in
//! Chinese and English. Receives the user's text; sends back a [`BotReply`] that is marked not
//! understood when no topic matches.

use crate::bot::reply::BotReply;

/// The answer to a greeting.
pub const GREETING: &str = "Hello! I am the Switchboard assistant. Ask me about orders, shipping, returns or opening hours, or say \"human\" to reach a person.";

/// The answer to thanks.
pub const THANKS: &str = "You are welcome! Anything else I can help with?";

/// Topics the bot knows: words that select it, and its answer.
const TOPICS: [(&[&str], &str); 6] = [
    (&["hello", "hi", "hey", "你好", "您好"], GREETING),
    (
        &["order", "订单"],
        "You can see every order and its status under My Orders; tell me the order number if something looks wrong.",
    ),
    (
        &["shipping", "delivery", "ship", "发货", "物流", "快递"],
        "Orders ship within 2 business days; the tracking number arrives by e-mail as soon as the parcel leaves.",
    ),
    (
        &["return", "refund", "退货", "退款"],
        "Returns are free within 30 days; start one under My Orders and the refund follows within 5 business days of arrival.",
    ),
    (
        &["hours", "open", "营业时间", "几点"],
        "Human agents are available every day from 9:00 to 21:00; I am here around the clock.",
    ),
    (&["thanks", "thank", "谢谢"], THANKS),
];

/// What the bot says when no topic matches.
pub const FALLBACK: &str = "Sorry, I did not understand that. Could you put it another way? Say \"human\" to reach a person.";

/// The built-in bot's answer to `text`.
pub fn reply(text: &str) -> BotReply {
    let text = text.to_lowercase();
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .collect();
    let mentions = |keyword: &&str| {
        if keyword.is_ascii() {
            words.contains(keyword)
        } else {
            text.contains(*keyword)
        }
    };
    match TOPICS
        .iter()
        .find(|(keywords, _)| keywords.iter().any(mentions))
    {
        Some((_, answer)) => BotReply {
            text: (*answer).to_owned(),
            understood: true,
        },
        None => BotReply {
            text: FALLBACK.to_owned(),
            understood: false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_topics_are_understood() {
        for text in ["Hi!", "where is my ORDER?", "我想退货", "When do you open"] {
            assert!(reply(text).understood, "{text}");
        }
    }

    #[test]
    fn anything_else_is_a_failure_with_the_same_answer() {
        let first = reply("qwerty");
        assert!(!first.understood);
        assert_eq!(first, reply("asdf zxcv"));
        assert!(
            !reply("history").understood,
            "hi inside a word is not a greeting"
        );
    }
}
