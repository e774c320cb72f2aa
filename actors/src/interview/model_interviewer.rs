//! The interviewer on the `openai` backend. Receives the turn the built-in interviewer chose
//! (its strategy, focus area, confidence and response type stay as they are: deterministic),
//! where the interview stands, its earlier exchanges and the candidate's answer; sends an
//! OpenAI-compatible model an interviewer system prompt ([`system_prompt`], pure), the last
//! `BOT_HISTORY_TURNS` exchanges ([`context`], pure) and the answer, with no tools; sends back
//! the words the model wrote for the turn, gathered from its stream ([`write_turn`]), or why
//! there are none (every failure of the backend, or an answer with no text).

use std::sync::Arc;

use futures_util::StreamExt;

use crate::bot::bot_config::BotConfig;
use crate::bot::openai_backend;
use crate::bot::piece::{Piece, Turn as ChatTurn};
use crate::interview::interviewer::{InterviewState, Turn};
use crate::interview::questions::Language;
use crate::interview::transcript::Exchange;
use crate::interview::vocabulary::{FocusArea, Strategy, Style};

/// The system prompt of one turn: the interviewer's role, the style, the focus areas and which
/// are covered (`planned` is the state once the turn is taken), the area the answer was about
/// (`asked`) and how well it did, the strategy chosen, what to write, in `language`, and the
/// built-in interviewer's question as an example.
pub fn system_prompt(
    asked: FocusArea,
    planned: &InterviewState,
    turn: &Turn,
    language: Language,
) -> String {
    let style = planned.style;
    let areas: Vec<String> = style
        .areas()
        .iter()
        .map(|area| format!("{} ({})", area.as_str(), meaning(*area)))
        .collect();
    let covered: Vec<&str> = planned.covered.iter().map(|area| area.as_str()).collect();
    let covered = match covered.is_empty() {
        true => "none yet".to_owned(),
        false => covered.join(", "),
    };
    let focus = turn.focus_area.as_str();
    let what = match turn.strategy {
        Strategy::WrapUp => "a short thanks and a closing remark; ask no new question".to_owned(),
        _ => format!("a brief acknowledgement of the answer and one question about {focus}"),
    };
    let language = match language {
        Language::English => "English",
        Language::Chinese => "Chinese",
    };
    format!(
        "You are the interviewer in a job interview, speaking with the candidate in a chat.\n\
         Interview style: {style_name}: {tone}.\n\
         The interview covers these focus areas, in this order: {areas}.\n\
         Covered so far: {covered}.\n\
         The candidate has just given answer {number} of the interview, about {asked}; how \
         well it addressed that area, from 0 to 1: {confidence:.2}.\n\
         Strategy: {strategy}: {instruction}\n\
         Write only what you say to the candidate: {what}. At most three sentences, in \
         {language}, in the {style_name} style. Do not mention focus areas, strategies, scores \
         or these instructions.\n\
         A question the interviewer could ask here: \"{example}\"",
        style_name = style.as_str(),
        tone = tone(style),
        areas = areas.join(", "),
        number = planned.answers,
        asked = asked.as_str(),
        confidence = turn.confidence,
        strategy = turn.strategy.as_str(),
        instruction = instruction(turn.strategy, asked, turn.focus_area),
        example = turn.text,
    )
}

/// The last `most` of `exchanges`, as the chat turns the model reads before the answer.
pub fn context(exchanges: &[Exchange], most: usize) -> Vec<ChatTurn> {
    let recent = exchanges.len().saturating_sub(most);
    exchanges[recent..]
        .iter()
        .map(|exchange| ChatTurn {
            query: exchange.user_input.clone(),
            answer: exchange.ai_response.clone(),
        })
        .collect()
}

/// What the model at `config` writes for a turn under `prompt`, after `history`, in reply to
/// `answer`: its streamed text, gathered and trimmed; the backend's failure, or a sentence
/// saying the text was empty.
pub async fn write_turn(
    config: Arc<BotConfig>,
    prompt: String,
    history: Vec<ChatTurn>,
    answer: String,
) -> Result<String, String> {
    let mut pieces = openai_backend::answer_without_tools(config, &prompt, &history, &answer);
    let mut text = String::new();
    while let Some(piece) = pieces.next().await {
        match piece {
            Piece::Text(more) => text.push_str(&more),
            Piece::Failed(failure) => return Err(failure),
            Piece::ToolCall { .. } | Piece::ToolResult { .. } | Piece::Fallback => {}
        }
    }
    let text = text.trim();
    if text.is_empty() {
        return Err("the model's answer had no text".to_owned());
    }
    Ok(text.to_owned())
}

/// What a focus area asks about, for the prompt.
fn meaning(area: FocusArea) -> &'static str {
    match area {
        FocusArea::Background => "education and past roles",
        FocusArea::TechnicalSkills => "the tools, languages and systems the candidate knows",
        FocusArea::ProblemSolving => "how the candidate works through a hard problem",
        FocusArea::Teamwork => "working with others",
        FocusArea::Motivation => "why this role, and where the candidate wants to grow",
    }
}

/// The tone of a style, for the prompt.
fn tone(style: Style) -> &'static str {
    match style {
        Style::Formal => "polite and neutral",
        Style::Friendly => "warm and encouraging",
        Style::Technical => "terse and technical, going into specifics",
    }
}

/// What a strategy asks the interviewer to do, for the prompt.
fn instruction(strategy: Strategy, asked: FocusArea, focus: FocusArea) -> String {
    let (asked, focus) = (asked.as_str(), focus.as_str());
    match strategy {
        Strategy::Opening => {
            format!(
                "open the interview: welcome the candidate and ask a first question about {focus}."
            )
        }
        Strategy::Clarify => {
            format!("the answer was too short to assess; ask again about {focus}, more simply.")
        }
        Strategy::DeepDive => format!(
            "the answer was thin on {focus}; ask a deeper, more specific question about it, \
             building on what the candidate said."
        ),
        Strategy::Broaden => {
            format!("{asked} is covered; move on to {focus} with a first question about it.")
        }
        Strategy::WrapUp => "every area is covered; close the interview.".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interview::interviewer::next_turn;

    #[test]
    fn the_prompt_names_the_style_the_areas_covered_and_the_strategy() {
        let mut state = InterviewState::new(Style::Friendly);
        next_turn(&mut state, "Hello");
        let asked = state.current;
        let rich = "I worked five years at a company in a senior role after my university \
                    degree, with experience in every part of the work we did there each year.";
        let turn = next_turn(&mut state, rich);
        assert_eq!(turn.strategy, Strategy::Broaden);
        let prompt = system_prompt(asked, &state, &turn, Language::of(rich));
        for expected in [
            "Interview style: friendly: warm and encouraging",
            "Covered so far: background.",
            "answer 2 of the interview, about background",
            "Strategy: broaden: background is covered; move on to technical_skills",
            "one question about technical_skills",
            "in English",
            turn.text.as_str(),
        ] {
            assert!(prompt.contains(expected), "{expected:?} in {prompt}");
        }
    }

    #[test]
    fn a_wrap_up_asks_for_no_question_and_chinese_answers_get_chinese() {
        let mut state = InterviewState::new(Style::Formal);
        state.answers = 7;
        state.covered = Style::Formal.areas().to_vec();
        let turn = next_turn(&mut state, "谢谢，我没有别的问题了");
        assert_eq!(turn.strategy, Strategy::WrapUp);
        let prompt = system_prompt(FocusArea::Motivation, &state, &turn, Language::Chinese);
        assert!(prompt.contains("ask no new question"), "{prompt}");
        assert!(prompt.contains("in Chinese"), "{prompt}");
    }

    #[test]
    fn the_context_is_the_last_exchanges_oldest_first() {
        let at = chrono::Utc::now();
        let exchange = |n: usize| Exchange {
            user_input: format!("answer {n}"),
            ai_response: format!("question {n}"),
            response_type: "question",
            strategy: Strategy::Broaden,
            focus_area: FocusArea::Teamwork,
            confidence: 0.5,
            processing_time: 0.1,
            at,
        };
        let exchanges: Vec<Exchange> = (1..=3).map(exchange).collect();
        let turns = context(&exchanges, 2);
        let said: Vec<(&str, &str)> = turns
            .iter()
            .map(|turn| (turn.query.as_str(), turn.answer.as_str()))
            .collect();
        assert_eq!(
            said,
            [("answer 2", "question 2"), ("answer 3", "question 3")]
        );
        assert_eq!(context(&exchanges, 10).len(), 3);
        assert!(context(&exchanges, 0).is_empty());
    }
}
