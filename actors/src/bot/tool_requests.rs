//! Questions the built-in bot hands to a tool. Receives a question and sends back the tool call
//! it asks for, if any ([`recognise`]): a [`ToolRequest`] naming a tool of the registry and its
//! arguments. Recognition is by form, never by guess, so the same question always gives the
//! same call:
//!
//! - `calculator`: an arithmetic expression (digits, `+ - * / % ^`, parentheses, `sqrt`, `abs`;
//!   `×` `÷` and full-width signs are read as ASCII) after `what is`, `what's`, `how much is`,
//!   `calculate`, `compute`, `evaluate`, `计算`, `请计算`, `算一下`, or before a closing `=`,
//!   `equals`, `等于多少`, `等于几` or `是多少` (`what is 2 + 3 * 4`, `计算 (1+2)*3`,
//!   `12/4 = ?`). An expression without an operator or function is no calculation, and words
//!   other than `sqrt` and `abs` make it no expression (`I have 2 orders` is not one).
//! - `time`: `what time is it`, `what's the time`, `what is the time`, `current time`,
//!   `local time`, `time now`, a question starting `time in`, or `现在几点`, `几点了`,
//!   `现在时间`, `当前时间`, `北京时间`. The zone is what follows the last ` in ` (a city this
//!   module knows, or as written for the tool to read: `Europe/Paris`, `UTC+8`), else a known
//!   city named anywhere (`东京现在几点`), else a word with a `/`, else UTC.

use serde_json::{Value, json};

/// A tool call the built-in bot makes for a question.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolRequest {
    /// The tool's name in the registry.
    pub name: &'static str,
    /// Its params.
    pub arguments: Value,
}

/// Words that open a calculation.
const CALCULATION_OPENINGS: [&str; 11] = [
    "what is",
    "what's",
    "what’s",
    "how much is",
    "calculate",
    "compute",
    "evaluate",
    "请计算",
    "计算",
    "算一下",
    "算算",
];

/// Words that close a calculation.
const CALCULATION_CLOSINGS: [&str; 5] = ["=", "equals", "等于多少", "等于几", "是多少"];

/// Phrases (as words in a row) that ask for the time.
const TIME_PHRASES: [&[&str]; 6] = [
    &["what", "time", "is", "it"],
    &["what", "s", "the", "time"],
    &["what", "is", "the", "time"],
    &["current", "time"],
    &["local", "time"],
    &["time", "now"],
];

/// Chinese phrases that ask for the time.
const CHINESE_TIME_PHRASES: [&str; 6] = [
    "现在几点",
    "几点了",
    "现在时间",
    "当前时间",
    "现在的时间",
    "北京时间",
];

/// Cities and countries, in English (lower case) and Chinese, and their IANA zone.
const PLACES: [(&[&str], &str); 26] = [
    (
        &["beijing", "shanghai", "china", "北京", "上海", "中国"],
        "Asia/Shanghai",
    ),
    (&["hong kong", "香港"], "Asia/Hong_Kong"),
    (&["taipei", "台北"], "Asia/Taipei"),
    (&["tokyo", "japan", "东京", "日本"], "Asia/Tokyo"),
    (&["seoul", "korea", "首尔"], "Asia/Seoul"),
    (&["singapore", "新加坡"], "Asia/Singapore"),
    (&["bangkok", "曼谷"], "Asia/Bangkok"),
    (&["dubai", "迪拜"], "Asia/Dubai"),
    (
        &[
            "mumbai",
            "delhi",
            "new delhi",
            "india",
            "孟买",
            "新德里",
            "印度",
        ],
        "Asia/Kolkata",
    ),
    (&["moscow", "莫斯科"], "Europe/Moscow"),
    (&["london", "伦敦", "英国"], "Europe/London"),
    (&["paris", "巴黎", "法国"], "Europe/Paris"),
    (&["berlin", "germany", "柏林", "德国"], "Europe/Berlin"),
    (&["madrid", "马德里"], "Europe/Madrid"),
    (&["rome", "罗马"], "Europe/Rome"),
    (&["amsterdam", "阿姆斯特丹"], "Europe/Amsterdam"),
    (&["new york", "纽约"], "America/New_York"),
    (&["chicago", "芝加哥"], "America/Chicago"),
    (&["denver", "丹佛"], "America/Denver"),
    (
        &[
            "los angeles",
            "san francisco",
            "seattle",
            "洛杉矶",
            "旧金山",
            "西雅图",
        ],
        "America/Los_Angeles",
    ),
    (&["toronto", "多伦多"], "America/Toronto"),
    (&["mexico city", "墨西哥城"], "America/Mexico_City"),
    (&["sao paulo", "são paulo", "圣保罗"], "America/Sao_Paulo"),
    (
        &["sydney", "melbourne", "悉尼", "墨尔本"],
        "Australia/Sydney",
    ),
    (&["auckland", "奥克兰"], "Pacific/Auckland"),
    (&["utc", "gmt"], "UTC"),
];

/// The tool call `question` asks for, if it asks for one.
pub fn recognise(question: &str) -> Option<ToolRequest> {
    calculation(question).or_else(|| time_request(question))
}

/// Punctuation that may end a question.
fn is_closing_punctuation(c: char) -> bool {
    c.is_whitespace() || matches!(c, '?' | '？' | '!' | '！' | '。' | '.')
}

/// `text` without the `opening` it starts with (case aside, and followed by no letter).
fn after_opening<'a>(text: &'a str, opening: &str) -> Option<&'a str> {
    let head = text.get(..opening.len())?;
    let rest = &text[opening.len()..];
    let glued = opening.is_ascii() && rest.starts_with(|c: char| c.is_alphanumeric());
    (head.eq_ignore_ascii_case(opening) && !glued).then_some(rest)
}

/// `text` without the `closing` it ends with (case aside).
fn before_closing<'a>(text: &'a str, closing: &str) -> Option<&'a str> {
    let cut = text.len().checked_sub(closing.len())?;
    let tail = text.get(cut..)?;
    tail.eq_ignore_ascii_case(closing).then(|| &text[..cut])
}

/// A calculator call for a calculation in `question`.
fn calculation(question: &str) -> Option<ToolRequest> {
    let text = question.trim().trim_end_matches(is_closing_punctuation);
    let opened = CALCULATION_OPENINGS
        .iter()
        .find_map(|opening| after_opening(text, opening));
    let body = opened
        .unwrap_or(text)
        .trim_end_matches(is_closing_punctuation);
    let closed = CALCULATION_CLOSINGS
        .iter()
        .find_map(|closing| before_closing(body, closing));
    if opened.is_none() && closed.is_none() {
        return None;
    }
    let expression = as_ascii_arithmetic(closed.unwrap_or(body).trim());
    is_calculation(&expression).then(|| ToolRequest {
        name: "calculator",
        arguments: json!({ "expression": expression }),
    })
}

/// `text` with `×`, `÷` and full-width signs and parentheses written in ASCII.
fn as_ascii_arithmetic(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '×' | '＊' => '*',
            '÷' | '／' => '/',
            '＋' => '+',
            '－' | '−' => '-',
            '（' => '(',
            '）' => ')',
            '＾' => '^',
            '％' => '%',
            other => other,
        })
        .collect()
}

/// Whether `expression` is arithmetic with at least one digit and one operator or function:
/// besides digits, signs, parentheses, points and spaces, only `sqrt`, `abs` and a number's
/// exponent `e`.
fn is_calculation(expression: &str) -> bool {
    let mut has_digit = false;
    let mut has_operation = false;
    let mut previous = ' ';
    let mut letters = String::new();
    for c in expression.chars().chain([' ']) {
        if c.is_ascii_alphabetic() {
            letters.push(c.to_ascii_lowercase());
            continue;
        }
        match letters.as_str() {
            "" => {}
            "sqrt" | "abs" => has_operation = true,
            "e" if previous.is_ascii_digit() || previous == '.' => {}
            _ => return false,
        }
        letters.clear();
        match c {
            '0'..='9' => has_digit = true,
            '+' | '-' | '*' | '/' | '%' | '^' => has_operation = true,
            '(' | ')' | '.' => {}
            c if c.is_whitespace() => {}
            _ => return false,
        }
        previous = c;
    }
    has_digit && has_operation
}

/// A time call for a question that asks for the time.
fn time_request(question: &str) -> Option<ToolRequest> {
    let lower = question.to_ascii_lowercase();
    let words: Vec<&str> = words(&lower).collect();
    let asks = TIME_PHRASES.iter().any(|phrase| has_run(&words, phrase))
        || words.starts_with(&["time", "in"])
        || CHINESE_TIME_PHRASES
            .iter()
            .any(|phrase| question.contains(phrase));
    if !asks {
        return None;
    }
    let arguments = match zone_in(question, &lower, &words) {
        Some(zone) => json!({ "timezone": zone }),
        None => json!({}),
    };
    Some(ToolRequest {
        name: "time",
        arguments,
    })
}

/// The words of `text`: its runs of letters and digits.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
}

/// Whether `words` hold `phrase` as words in a row.
fn has_run(words: &[&str], phrase: &[&str]) -> bool {
    words.windows(phrase.len()).any(|run| run == phrase)
}

/// The zone a question about the time names (`lower` is it in ASCII lower case, `words` its
/// words), if any.
fn zone_in(question: &str, lower: &str, words: &[&str]) -> Option<String> {
    if let Some(at) = lower.rfind(" in ") {
        let named = question[at + 4..].trim_end_matches(is_closing_punctuation);
        let named = named
            .trim_end_matches(" right now")
            .trim_end_matches(" now");
        let named = named.trim();
        if !named.is_empty() {
            return Some(named_zone(named));
        }
    }
    if let Some(zone) = place_zone(&question.to_lowercase(), words) {
        return Some(zone.to_owned());
    }
    question
        .split(|c: char| c.is_whitespace() || is_closing_punctuation(c))
        .find(|word| word.contains('/'))
        .map(str::to_owned)
}

/// The zone for what follows ` in `: a place by its whole name; a zone or offset as written
/// (`Europe/Paris`, `UTC+8`); a place named in it (`Tokyo, Japan`); else as written, for the
/// tool to refuse.
fn named_zone(named: &str) -> String {
    let lower = named.to_lowercase();
    let whole = PLACES
        .iter()
        .find(|(names, _)| names.contains(&lower.as_str()));
    if let Some((_, zone)) = whole {
        return (*zone).to_owned();
    }
    let written = named.contains('/') || named.contains(|c: char| c.is_ascii_digit());
    let inside = (!written)
        .then(|| place_zone(&lower, &words_of(named)))
        .flatten();
    inside.map_or_else(|| named.to_owned(), str::to_owned)
}

/// The words of `text` in lower case.
fn words_of(text: &str) -> Vec<String> {
    words(&text.to_lowercase()).map(str::to_owned).collect()
}

/// The zone of the first place in [`PLACES`] that `lower` (text in lower case, cut into
/// `words`) names: an ASCII name as whole words, another anywhere.
fn place_zone<W: AsRef<str>>(lower: &str, words: &[W]) -> Option<&'static str> {
    let words: Vec<&str> = words.iter().map(AsRef::as_ref).collect();
    let names = |name: &&str| {
        if name.is_ascii() {
            let wanted: Vec<&str> = self::words(name).collect();
            has_run(&words, &wanted)
        } else {
            lower.contains(name)
        }
    };
    PLACES
        .iter()
        .find(|(names_of_place, _)| names_of_place.iter().any(names))
        .map(|(_, zone)| *zone)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The expression `question` hands to the calculator, if it is a calculation.
    fn expression(question: &str) -> Option<String> {
        let request = recognise(question)?;
        assert_eq!(request.name, "calculator", "{question}");
        request.arguments["expression"].as_str().map(str::to_owned)
    }

    /// The params `question` hands to the time tool, if it asks for the time.
    fn time(question: &str) -> Option<Value> {
        let request = recognise(question)?;
        assert_eq!(request.name, "time", "{question}");
        Some(request.arguments)
    }

    #[test]
    fn calculations_are_recognised_in_both_languages() {
        let cases = [
            ("what is 2 + 3 * 4", "2 + 3 * 4"),
            ("What's 6*7?", "6*7"),
            ("calculate sqrt(16)/2", "sqrt(16)/2"),
            ("计算 (1+2)*3", "(1+2)*3"),
            ("请计算（1＋2）×3。", "(1+2)*3"),
            ("12 / 4 = ?", "12 / 4"),
            ("2^10 等于多少？", "2^10"),
            ("how much is 1.5e3 - 1", "1.5e3 - 1"),
            ("what is 1/0", "1/0"),
            ("compute abs(-3)", "abs(-3)"),
        ];
        for (question, wanted) in cases {
            assert_eq!(expression(question).as_deref(), Some(wanted), "{question}");
        }
    }

    #[test]
    fn numbers_in_other_sentences_are_no_calculation() {
        for question in [
            "I have 2 orders",
            "where is order 12345?",
            "what is 42",
            "what is your return policy?",
            "what is 2 plus 2",
            "calculated 2+2",
            "my phone is 555-1234",
            "2024-05-01",
            "what is the time in UTC+8",
            "hello",
            "",
        ] {
            let request = recognise(question);
            assert!(
                request
                    .as_ref()
                    .is_none_or(|request| request.name != "calculator"),
                "{question}: {request:?}"
            );
        }
    }

    #[test]
    fn time_questions_name_a_zone_or_ask_for_utc() {
        let cases = [
            ("what time is it", json!({})),
            (
                "What time is it in Tokyo?",
                json!({"timezone": "Asia/Tokyo"}),
            ),
            ("time in Europe/Paris", json!({"timezone": "Europe/Paris"})),
            (
                "what's the time in New York right now",
                json!({"timezone": "America/New_York"}),
            ),
            ("current time in UTC+8", json!({"timezone": "UTC+8"})),
            ("what is the time in Narnia", json!({"timezone": "Narnia"})),
            ("现在几点", json!({})),
            ("东京现在几点了？", json!({"timezone": "Asia/Tokyo"})),
            ("北京时间", json!({"timezone": "Asia/Shanghai"})),
            ("Asia/Seoul 现在几点", json!({"timezone": "Asia/Seoul"})),
            ("local time London", json!({"timezone": "Europe/London"})),
            (
                "what time is it in Tokyo, Japan",
                json!({"timezone": "Asia/Tokyo"}),
            ),
            (
                "I live in Paris, what time is it?",
                json!({"timezone": "Europe/Paris"}),
            ),
        ];
        for (question, wanted) in cases {
            assert_eq!(time(question), Some(wanted), "{question}");
        }
    }

    #[test]
    fn other_mentions_of_time_are_no_time_request() {
        for question in [
            "what is the delivery time?",
            "what time do you open?",
            "你们几点开门",
            "sometime in May",
            "one more time in a while",
        ] {
            assert_eq!(recognise(question), None, "{question}");
        }
    }
}
