//! What the built-in interviewer says (pure). Receives a style, a strategy, a focus area and a
//! language; sends back the words: a lead-in in the style's tone, then the question of the area
//! (its first question, a clarification or a deeper one), or the closing remark. Also the
//! keywords that show an answer is on an area, in English and Chinese.

use crate::interview::vocabulary::{FocusArea, Strategy, Style};

/// The language the interviewer answers in: the one the answer was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// English (and anything that is not Chinese).
    English,
    /// Chinese.
    Chinese,
}

impl Language {
    /// Chinese when the text has at least as many Chinese characters as Latin words.
    pub fn of(text: &str) -> Language {
        let han = text.chars().filter(|c| is_han(*c)).count();
        let latin = text
            .split(|c: char| !c.is_ascii_alphabetic())
            .filter(|word| !word.is_empty())
            .count();
        if han > 0 && han >= latin {
            Language::Chinese
        } else {
            Language::English
        }
    }
}

/// Whether `c` is a Chinese character (CJK unified ideographs).
pub fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

/// Words (lower case) that show an answer is on `area`.
pub fn keywords(area: FocusArea) -> &'static [&'static str] {
    match area {
        FocusArea::Background => &[
            "years",
            "worked",
            "degree",
            "university",
            "company",
            "role",
            "experience",
            "经验",
            "公司",
            "大学",
            "专业",
            "工作",
            "负责",
        ],
        FocusArea::TechnicalSkills => &[
            "rust",
            "python",
            "java",
            "database",
            "api",
            "system",
            "code",
            "framework",
            "architecture",
            "backend",
            "后端",
            "数据库",
            "系统",
            "架构",
            "开发",
            "代码",
        ],
        FocusArea::ProblemSolving => &[
            "problem",
            "debug",
            "root cause",
            "solution",
            "solved",
            "analy",
            "trade-off",
            "measure",
            "问题",
            "解决",
            "分析",
            "排查",
            "方案",
        ],
        FocusArea::Teamwork => &[
            "team",
            "colleague",
            "together",
            "conflict",
            "communicat",
            "review",
            "mentor",
            "团队",
            "同事",
            "合作",
            "沟通",
            "协作",
        ],
        FocusArea::Motivation => &[
            "because", "interest", "passion", "goal", "learn", "grow", "mission", "career", "因为",
            "兴趣", "目标", "学习", "成长", "职业",
        ],
    }
}

/// What the interviewer says for `strategy` about `area`, in `language`.
pub fn say(style: Style, strategy: Strategy, area: FocusArea, language: Language) -> String {
    let lead = lead_in(style, strategy, language);
    let body = match strategy {
        Strategy::WrapUp => closing(language).to_owned(),
        Strategy::Clarify => clarify(area, language),
        Strategy::DeepDive => deeper(area, language).to_owned(),
        Strategy::Opening | Strategy::Broaden => first_question(area, language).to_owned(),
    };
    format!("{lead}{body}")
}

/// The style's lead-in for a strategy.
fn lead_in(style: Style, strategy: Strategy, language: Language) -> &'static str {
    let opening = strategy == Strategy::Opening;
    match (style, language, opening) {
        (Style::Formal, Language::English, true) => "Welcome, and thank you for your time. ",
        (Style::Formal, Language::English, false) => "Thank you. ",
        (Style::Formal, Language::Chinese, true) => "欢迎您参加本次面试，感谢您的时间。",
        (Style::Formal, Language::Chinese, false) => "谢谢您的回答。",
        (Style::Friendly, Language::English, true) => "Hi, great to meet you! ",
        (Style::Friendly, Language::English, false) => "Thanks for sharing! ",
        (Style::Friendly, Language::Chinese, true) => "你好，很高兴认识你！",
        (Style::Friendly, Language::Chinese, false) => "谢谢分享！",
        (Style::Technical, Language::English, true) => "Let's start with the technical part. ",
        (Style::Technical, Language::English, false) => "Noted. ",
        (Style::Technical, Language::Chinese, true) => "我们从技术部分开始。",
        (Style::Technical, Language::Chinese, false) => "好的。",
    }
}

/// The first question of an area.
fn first_question(area: FocusArea, language: Language) -> &'static str {
    match (area, language) {
        (FocusArea::Background, Language::English) => {
            "Could you walk me through your background and your most recent role?"
        }
        (FocusArea::Background, Language::Chinese) => "请介绍一下您的背景和最近的一份工作。",
        (FocusArea::TechnicalSkills, Language::English) => {
            "Which technologies do you know best, and what have you built with them?"
        }
        (FocusArea::TechnicalSkills, Language::Chinese) => "您最熟悉哪些技术？用它们做过什么系统？",
        (FocusArea::ProblemSolving, Language::English) => {
            "Tell me about a hard problem you solved: how did you find its cause?"
        }
        (FocusArea::ProblemSolving, Language::Chinese) => {
            "请讲一个您解决过的难题：您是如何找到原因的？"
        }
        (FocusArea::Teamwork, Language::English) => {
            "How do you work with your team, for example when you disagree with a colleague?"
        }
        (FocusArea::Teamwork, Language::Chinese) => "您如何与团队合作？比如与同事意见不一致时？",
        (FocusArea::Motivation, Language::English) => {
            "Why are you interested in this role, and where do you want to grow?"
        }
        (FocusArea::Motivation, Language::Chinese) => {
            "您为什么对这个职位感兴趣？希望在哪些方面成长？"
        }
    }
}

/// The same question, asked more simply.
fn clarify(area: FocusArea, language: Language) -> String {
    match language {
        Language::English => format!(
            "Could you say a little more? In a few sentences: {}",
            first_question(area, language)
        ),
        Language::Chinese => format!(
            "能再多说一些吗？请用几句话回答：{}",
            first_question(area, language)
        ),
    }
}

/// A deeper question on an area.
fn deeper(area: FocusArea, language: Language) -> &'static str {
    match (area, language) {
        (FocusArea::Background, Language::English) => {
            "What exactly were you responsible for there, and what came of it?"
        }
        (FocusArea::Background, Language::Chinese) => "您在那里具体负责什么？取得了什么成果？",
        (FocusArea::TechnicalSkills, Language::English) => {
            "Pick one system you built: what was its architecture, and why?"
        }
        (FocusArea::TechnicalSkills, Language::Chinese) => {
            "请选一个您做过的系统：它的架构是什么？为什么这样设计？"
        }
        (FocusArea::ProblemSolving, Language::English) => {
            "What options did you weigh, and how did you measure that the solution worked?"
        }
        (FocusArea::ProblemSolving, Language::Chinese) => {
            "您考虑过哪些方案？如何验证解决方案有效？"
        }
        (FocusArea::Teamwork, Language::English) => {
            "Can you give a concrete example of a conflict in a team and how it was resolved?"
        }
        (FocusArea::Teamwork, Language::Chinese) => {
            "能举一个团队中发生分歧并最终解决的具体例子吗？"
        }
        (FocusArea::Motivation, Language::English) => {
            "What would make this role a success for you in a year?"
        }
        (FocusArea::Motivation, Language::Chinese) => "一年后，怎样才算您在这个职位上取得了成功？",
    }
}

/// The closing remark.
fn closing(language: Language) -> &'static str {
    match language {
        Language::English => {
            "We have covered everything I wanted to ask. Do you have any questions for us?"
        }
        Language::Chinese => "我想问的问题都已经问完了。您有什么问题想问我们吗？",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_is_the_answers() {
        assert_eq!(Language::of("Hello there"), Language::English);
        assert_eq!(Language::of("我用 Rust 写后端"), Language::Chinese);
        assert_eq!(Language::of(""), Language::English);
    }
}
