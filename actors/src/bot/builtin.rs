//! The built-in bot: offline and deterministic. Receives the user's question and the [`Faq`] it
//! answers from; sends back a [`BuiltinAnswer`]: for a question it can hand to a tool
//! ([`tool_requests`](crate::bot::tool_requests)), the tool's call, its result and a sentence
//! built from it; else the answer of the FAQ entry that matches; else the FAQ's fallback, marked
//! not understood (a failure for seed 001's regulator). A tool's error is answered honestly and
//! is not a fallback. Answers are in Chinese for a question with Chinese characters in it.

use serde_json::Value;

use crate::bot::faq::{Faq, Language};
use crate::bot::reply::BotReply;
use crate::bot::tool_requests::{ToolRequest, recognise};
use crate::bot::tools;

/// The default FAQ's answer to a greeting in English.
pub const GREETING: &str = "Hello! I am the Switchboard assistant. Ask me about orders, shipping, returns or opening hours, or say \"human\" to reach a person.";

/// The default FAQ's answer to thanks in English.
pub const THANKS: &str = "You are welcome! Anything else I can help with?";

/// The default FAQ's fallback in English, said when nothing matches.
pub const FALLBACK: &str = "Sorry, I did not understand that. Could you put it another way? Say \"human\" to reach a person.";

/// A tool the built-in bot ran for a question.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolUse {
    /// The tool's name.
    pub name: String,
    /// The params it was given.
    pub arguments: Value,
    /// What it returned, or its error as a sentence.
    pub result: Result<Value, String>,
}

/// The built-in bot's answer to one question.
#[derive(Debug, Clone, PartialEq)]
pub struct BuiltinAnswer {
    /// The tool it ran first, if the question asked for one.
    pub tool: Option<ToolUse>,
    /// What it says.
    pub reply: BotReply,
}

/// The built-in bot's answer to `question`, from `faq` unless a tool answers it.
pub fn respond(faq: &Faq, question: &str) -> BuiltinAnswer {
    if let Some(request) = recognise(question) {
        let result = tools::call(request.name, &request.arguments);
        let result = result.map_err(|error| error.to_string());
        let text = tool_sentence(&request, &result, Language::of(question));
        return BuiltinAnswer {
            tool: Some(ToolUse {
                name: request.name.to_owned(),
                arguments: request.arguments,
                result,
            }),
            reply: BotReply {
                text,
                understood: true,
            },
        };
    }
    let reply = match faq.answer(question) {
        Some(answer) => BotReply {
            text: answer.to_owned(),
            understood: true,
        },
        None => BotReply {
            text: faq.fallback(question).to_owned(),
            understood: false,
        },
    };
    BuiltinAnswer { tool: None, reply }
}

/// The sentence that answers a question from what the tool it asked for gave.
fn tool_sentence(
    request: &ToolRequest,
    result: &Result<Value, String>,
    language: Language,
) -> String {
    let chinese = language == Language::Chinese;
    let expression = request.arguments["expression"].as_str().unwrap_or_default();
    match (request.name, result) {
        ("calculator", Ok(value)) => format!("{expression} = {value}"),
        ("time", Ok(time)) => time_sentence(time, chinese),
        ("calculator", Err(error)) if chinese => format!("无法计算 {expression}：{error}。"),
        ("calculator", Err(error)) => format!("I could not calculate {expression}: {error}."),
        (_, Err(error)) if chinese => format!("无法查询时间：{error}。"),
        (_, Err(error)) => format!("I could not tell the time there: {error}."),
        (name, Ok(value)) => format!("{name}: {value}"),
    }
}

/// The time tool's result as a sentence: `In Asia/Tokyo it is 00:05 on Wednesday, 2026-12-02
/// (UTC+09:00).`
fn time_sentence(time: &Value, chinese: bool) -> String {
    let text = |field: &str| time[field].as_str().unwrap_or_default().to_owned();
    let (timezone, iso, offset, weekday) = (
        text("timezone"),
        text("iso"),
        text("offset"),
        text("weekday"),
    );
    let date = iso.get(..10).unwrap_or_default();
    let clock = iso.get(11..16).unwrap_or_default();
    if chinese {
        let weekday = chinese_weekday(&weekday);
        format!("{timezone} 现在是 {date} {weekday} {clock}（UTC{offset}）。")
    } else {
        format!("In {timezone} it is {clock} on {weekday}, {date} (UTC{offset}).")
    }
}

/// `weekday` (an English day name) in Chinese.
fn chinese_weekday(weekday: &str) -> &str {
    match weekday {
        "Monday" => "星期一",
        "Tuesday" => "星期二",
        "Wednesday" => "星期三",
        "Thursday" => "星期四",
        "Friday" => "星期五",
        "Saturday" => "星期六",
        "Sunday" => "星期日",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// The built-in bot's reply to `question` from the FAQ that ships with the hub.
    fn reply(question: &str) -> BotReply {
        respond(&Faq::embedded(), question).reply
    }

    #[test]
    fn the_default_faq_keeps_the_known_answers() {
        assert_eq!(reply("Hi!").text, GREETING);
        assert_eq!(reply("thanks").text, THANKS);
        assert_eq!(reply("qwerty").text, FALLBACK);
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
        let chinese = reply("啊啊啊");
        assert!(!chinese.understood);
        assert_ne!(chinese.text, FALLBACK, "the fallback in Chinese");
    }

    #[test]
    fn a_calculation_is_the_calculators_with_its_result() {
        let answer = respond(&Faq::embedded(), "what is 2 + 3 * 4");
        let tool = ToolUse {
            name: "calculator".into(),
            arguments: json!({"expression": "2 + 3 * 4"}),
            result: Ok(json!(14)),
        };
        assert_eq!(answer.tool, Some(tool));
        assert_eq!(answer.reply.text, "2 + 3 * 4 = 14");
        assert!(answer.reply.understood);
    }

    #[test]
    fn a_tool_error_is_answered_honestly_and_is_no_fallback() {
        let answer = respond(&Faq::embedded(), "what is 1/0");
        let error = answer.tool.and_then(|tool| tool.result.err());
        assert_eq!(error.as_deref(), Some("division by zero at position 2"));
        assert_eq!(
            answer.reply.text,
            "I could not calculate 1/0: division by zero at position 2."
        );
        assert!(answer.reply.understood);
        let chinese = respond(&Faq::embedded(), "what is the time in Narnia 呢");
        assert!(
            chinese.reply.text.starts_with("无法查询时间："),
            "{}",
            chinese.reply.text
        );
    }

    #[test]
    fn the_time_is_told_in_the_questions_language() {
        let time = json!({"timezone": "Asia/Tokyo", "iso": "2026-12-02T00:05:00+09:00",
                          "offset": "+09:00", "weekday": "Wednesday", "unix": 0});
        assert_eq!(
            time_sentence(&time, false),
            "In Asia/Tokyo it is 00:05 on Wednesday, 2026-12-02 (UTC+09:00)."
        );
        assert_eq!(
            time_sentence(&time, true),
            "Asia/Tokyo 现在是 2026-12-02 星期三 00:05（UTC+09:00）。"
        );
        let answer = respond(&Faq::embedded(), "东京现在几点");
        let zone = answer.tool.and_then(|tool| tool.result.ok());
        assert_eq!(
            zone.map(|time| time["timezone"].clone()),
            Some(json!("Asia/Tokyo"))
        );
        assert!(
            answer.reply.text.starts_with("Asia/Tokyo 现在是 "),
            "{}",
            answer.reply.text
        );
    }
}
