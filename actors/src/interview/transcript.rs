//! An interview as data, and as the store's rows and back (pure). Receives an interview or
//! its rows; sends back the other. The interviewer's state goes into its row as JSON; each
//! exchange is a row of its own.

use chrono::{DateTime, Utc};

use crate::interview::interviewer::InterviewState;
use crate::interview::vocabulary::{FocusArea, Strategy, Style};
use crate::store::interview_rows::{ExchangeRow, InterviewRow};

/// One answer and what the interviewer said back.
#[derive(Debug, Clone, PartialEq)]
pub struct Exchange {
    /// What the candidate said.
    pub user_input: String,
    /// What the interviewer said.
    pub ai_response: String,
    /// `question`, or `closing` once wrapping up.
    pub response_type: &'static str,
    /// The strategy it chose.
    pub strategy: Strategy,
    /// The area of its next question.
    pub focus_area: FocusArea,
    /// How well the answer addressed the area asked about.
    pub confidence: f64,
    /// Seconds the interviewer took.
    pub processing_time: f64,
    /// When.
    pub at: DateTime<Utc>,
}

/// One interview: its id, the interviewer's state and the exchanges so far.
#[derive(Debug, Clone, PartialEq)]
pub struct Interview {
    /// The session id the client uses.
    pub session_id: String,
    /// The interviewer's state (style, areas covered, current area).
    pub state: InterviewState,
    /// The exchanges, oldest first.
    pub exchanges: Vec<Exchange>,
    /// When it began.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl Interview {
    /// A new interview in the default (formal) style.
    pub fn new(session_id: String, now: DateTime<Utc>) -> Self {
        Interview {
            session_id,
            state: InterviewState::new(Style::Formal),
            exchanges: Vec::new(),
            created_at: now,
            updated_at: now,
        }
    }

    /// Its own row.
    pub fn row(&self) -> InterviewRow {
        InterviewRow {
            session_id: self.session_id.clone(),
            style: self.state.style.as_str().to_owned(),
            state: serde_json::to_string(&self.state).unwrap_or_default(),
            created_at: self.created_at.to_rfc3339(),
            updated_at: self.updated_at.to_rfc3339(),
        }
    }

    /// The row of its newest exchange, if any.
    pub fn newest_exchange_row(&self) -> Option<ExchangeRow> {
        let exchange = self.exchanges.last()?;
        Some(ExchangeRow {
            seq: self.exchanges.len() as u64,
            user_input: exchange.user_input.clone(),
            ai_response: exchange.ai_response.clone(),
            strategy: exchange.strategy.as_str().to_owned(),
            focus_area: exchange.focus_area.as_str().to_owned(),
            confidence: exchange.confidence,
            processing_time: exchange.processing_time,
            created_at: exchange.at.to_rfc3339(),
        })
    }

    /// The interview its rows describe; `None` when the rows cannot be read back.
    pub fn from_rows(row: InterviewRow, exchanges: Vec<ExchangeRow>) -> Option<Interview> {
        let state: InterviewState = serde_json::from_str(&row.state).ok()?;
        let exchanges = exchanges
            .into_iter()
            .map(exchange_from_row)
            .collect::<Option<Vec<_>>>()?;
        Some(Interview {
            session_id: row.session_id,
            state,
            exchanges,
            created_at: parse_time(&row.created_at)?,
            updated_at: parse_time(&row.updated_at)?,
        })
    }
}

/// The exchange a row describes.
fn exchange_from_row(row: ExchangeRow) -> Option<Exchange> {
    let strategy: Strategy = serde_json::from_value(row.strategy.into()).ok()?;
    Some(Exchange {
        user_input: row.user_input,
        ai_response: row.ai_response,
        response_type: match strategy {
            Strategy::WrapUp => "closing",
            _ => "question",
        },
        strategy,
        focus_area: serde_json::from_value(row.focus_area.into()).ok()?,
        confidence: row.confidence,
        processing_time: row.processing_time,
        at: parse_time(&row.created_at)?,
    })
}

/// An RFC 3339 time.
fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|at| at.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interview::interviewer::next_turn;

    #[test]
    fn an_interview_survives_its_rows() {
        let now = DateTime::parse_from_rfc3339("2026-01-01T12:00:00Z")
            .map(|at| at.with_timezone(&Utc))
            .expect("a time");
        let mut interview = Interview::new("s1".into(), now);
        interview.state.style = Style::Technical;
        for answer in ["Hello", "ok"] {
            let turn = next_turn(&mut interview.state, answer);
            interview.exchanges.push(Exchange {
                user_input: answer.into(),
                ai_response: turn.text,
                response_type: turn.response_type,
                strategy: turn.strategy,
                focus_area: turn.focus_area,
                confidence: turn.confidence,
                processing_time: 0.25,
                at: now,
            });
        }
        let exchanges: Vec<ExchangeRow> = (1..=2)
            .map(|n| {
                let mut partial = interview.clone();
                partial.exchanges.truncate(n);
                partial.newest_exchange_row().expect("an exchange")
            })
            .collect();
        let back = Interview::from_rows(interview.row(), exchanges).expect("readable rows");
        assert_eq!(back, interview);
    }
}
