//! The `time` tool. Receives `{"timezone": "Asia/Shanghai"}` (optional; UTC without it) and
//! sends back the current time there: `{"timezone", "iso", "unix", "offset", "weekday"}`. A
//! zone is an IANA name (`Asia/Shanghai`, `Europe/Paris`; case does not matter) from the
//! database `chrono-tz` compiles in, so daylight saving time is right everywhere, or a fixed
//! offset (`+08:00`, `+0800`, `-5`, `UTC-5`, `GMT+5:30`; `UTC±` and `GMT±` both count east of
//! Greenwich positively). [`at`] is the tool at a given instant, for deterministic tests.

use crate::bot::tools::tool::{Tool, ToolError, param};
use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use chrono_tz::{TZ_VARIANTS, Tz};
use serde_json::{Value, json};

/// The time tool.
pub struct Time;

/// The longest `timezone` taken, in characters (the longest IANA name has 32).
pub const MAX_TIMEZONE_CHARS: usize = 64;

impl Tool for Time {
    fn name(&self) -> &'static str {
        "time"
    }

    fn description(&self) -> &'static str {
        "Returns the current date and time in a time zone (UTC unless one is given): ISO 8601 \
         text, unix seconds, the UTC offset and the weekday."
    }

    fn parameters(&self) -> Value {
        json!({
            "type": "object",
            "properties": {
                "timezone": {
                    "type": "string",
                    "description": "An IANA time zone such as \"Asia/Shanghai\" or \
                                    \"Europe/Paris\", or a UTC offset such as \"+08:00\" or \
                                    \"UTC-5\". Leave it out for UTC.",
                    "maxLength": MAX_TIMEZONE_CHARS,
                }
            },
        })
    }

    fn call(&self, params: &Value) -> Result<Value, ToolError> {
        at(Utc::now(), params)
    }
}

/// What the tool answers at the instant `now`.
pub fn at(now: DateTime<Utc>, params: &Value) -> Result<Value, ToolError> {
    let (timezone, local) = match param(params, "timezone")? {
        None => ("UTC".to_owned(), now.fixed_offset()),
        Some(Value::String(text)) => match zone(text)? {
            Zone::Named(tz) => (tz.name().to_owned(), now.with_timezone(&tz).fixed_offset()),
            Zone::Fixed(offset) => (format!("UTC{offset}"), now.with_timezone(&offset)),
        },
        Some(_) => {
            let detail = "`timezone` must be a string".to_owned();
            return Err(ToolError::InvalidParams(detail));
        }
    };
    Ok(json!({
        "timezone": timezone,
        "iso": local.to_rfc3339_opts(SecondsFormat::Secs, false),
        "unix": now.timestamp(),
        "offset": local.offset().to_string(),
        "weekday": local.format("%A").to_string(),
    }))
}

/// A zone the tool can tell the time in.
#[derive(Debug, PartialEq)]
enum Zone {
    /// An IANA zone, with its rules for daylight saving time.
    Named(Tz),
    /// A fixed offset from UTC.
    Fixed(FixedOffset),
}

/// The zone `text` names, or why it names none.
fn zone(text: &str) -> Result<Zone, ToolError> {
    let invalid = |detail: String| Err(ToolError::InvalidParams(detail));
    let trimmed = text.trim();
    let length = trimmed.chars().count();
    if length == 0 {
        return invalid("`timezone` is empty; leave it out for UTC".to_owned());
    }
    if length > MAX_TIMEZONE_CHARS {
        return invalid(format!(
            "`timezone` has {length} characters; at most {MAX_TIMEZONE_CHARS} are taken"
        ));
    }
    if let Some(offset) = fixed_offset(trimmed) {
        return match offset {
            Some(offset) => Ok(Zone::Fixed(offset)),
            None => invalid(format!(
                "bad UTC offset `{trimmed}`: write it as +08:00, -0530 or UTC-5 (within ±23:59)"
            )),
        };
    }
    let by_name = trimmed.parse::<Tz>().ok();
    let ignoring_case = || {
        let same = |tz: &&Tz| tz.name().eq_ignore_ascii_case(trimmed);
        TZ_VARIANTS.iter().find(same).copied()
    };
    match by_name.or_else(ignoring_case) {
        Some(tz) => Ok(Zone::Named(tz)),
        None => invalid(format!(
            "unknown time zone `{trimmed}`: give an IANA name such as Asia/Shanghai or a UTC \
             offset such as +08:00"
        )),
    }
}

/// `None` when `text` is no offset at all (no sign after an optional `UTC` or `GMT`); else the
/// offset, or `Some(None)` when it is written wrong or out of range.
fn fixed_offset(text: &str) -> Option<Option<FixedOffset>> {
    let prefixed = ["UTC", "GMT"].iter().find_map(|prefix| {
        let head = text.get(..prefix.len())?;
        head.eq_ignore_ascii_case(prefix)
            .then(|| &text[prefix.len()..])
    });
    let signed = prefixed.unwrap_or(text);
    let (east, rest) = match signed.chars().next()? {
        '+' => (true, &signed[1..]),
        '-' | '−' => (false, &signed[signed.chars().next()?.len_utf8()..]),
        _ => return None,
    };
    Some(offset_seconds(rest).and_then(|seconds| {
        let seconds = if east { seconds } else { -seconds };
        FixedOffset::east_opt(seconds)
    }))
}

/// The seconds in `H`, `HH`, `H:MM`, `HH:MM` or `HHMM`, if it is written so with minutes
/// under 60.
fn offset_seconds(text: &str) -> Option<i32> {
    if !text.bytes().all(|b| b.is_ascii_digit() || b == b':') {
        return None;
    }
    let (hours, minutes) = match text.split_once(':') {
        Some((hours, minutes)) if minutes.len() == 2 => (hours, minutes),
        Some(_) => return None,
        None if text.len() == 4 => text.split_at(2),
        None => (text, "0"),
    };
    if hours.is_empty() || hours.len() > 2 {
        return None;
    }
    let (hours, minutes): (i32, i32) = (hours.parse().ok()?, minutes.parse().ok()?);
    (minutes < 60).then_some(hours * 3600 + minutes * 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// 2026-12-01 15:05:00 UTC, a Tuesday.
    fn instant() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 15, 5, 0)
            .single()
            .unwrap_or_default()
    }

    /// What the tool answers at [`instant`] for `timezone`.
    fn time_in(timezone: &str) -> Result<Value, ToolError> {
        at(instant(), &json!({ "timezone": timezone }))
    }

    #[test]
    fn an_iana_zone_gives_its_local_time() {
        let expected = json!({
            "timezone": "Asia/Shanghai",
            "iso": "2026-12-01T23:05:00+08:00",
            "unix": 1_796_137_500,
            "offset": "+08:00",
            "weekday": "Tuesday",
        });
        assert_eq!(time_in("Asia/Shanghai"), Ok(expected));
        assert_eq!(instant().timestamp(), 1_796_137_500);
    }

    #[test]
    fn utc_is_the_default() {
        let expected = json!({
            "timezone": "UTC",
            "iso": "2026-12-01T15:05:00+00:00",
            "unix": 1_796_137_500,
            "offset": "+00:00",
            "weekday": "Tuesday",
        });
        assert_eq!(at(instant(), &json!({})), Ok(expected.clone()));
        assert_eq!(at(instant(), &Value::Null), Ok(expected.clone()));
        assert_eq!(
            at(instant(), &json!({"timezone": null})),
            Ok(expected.clone())
        );
        assert_eq!(time_in("UTC"), Ok(expected.clone()));
        assert_eq!(time_in("utc"), Ok(expected));
    }

    #[test]
    fn daylight_saving_time_follows_the_zone() {
        let paris_winter = time_in("Europe/Paris").map(|v| v["iso"].clone());
        assert_eq!(paris_winter, Ok(json!("2026-12-01T16:05:00+01:00")));
        let summer = Utc.with_ymd_and_hms(2026, 7, 1, 12, 0, 0).single();
        let paris_summer = at(
            summer.unwrap_or_default(),
            &json!({"timezone": "Europe/Paris"}),
        );
        assert_eq!(
            paris_summer.map(|v| v["offset"].clone()),
            Ok(json!("+02:00"))
        );
        let new_york =
            time_in("america/new_york").map(|v| (v["timezone"].clone(), v["iso"].clone()));
        let expected = (
            json!("America/New_York"),
            json!("2026-12-01T10:05:00-05:00"),
        );
        assert_eq!(new_york, Ok(expected));
        let kolkata = time_in("Asia/Kolkata").map(|v| v["offset"].clone());
        assert_eq!(kolkata, Ok(json!("+05:30")));
    }

    #[test]
    fn fixed_offsets_in_several_spellings() {
        let cases = [
            ("+08:00", "UTC+08:00", "2026-12-01T23:05:00+08:00"),
            ("+0800", "UTC+08:00", "2026-12-01T23:05:00+08:00"),
            ("UTC-5", "UTC-05:00", "2026-12-01T10:05:00-05:00"),
            ("utc-05:00", "UTC-05:00", "2026-12-01T10:05:00-05:00"),
            ("GMT+5:30", "UTC+05:30", "2026-12-01T20:35:00+05:30"),
            ("-9", "UTC-09:00", "2026-12-01T06:05:00-09:00"),
            (" +14:00 ", "UTC+14:00", "2026-12-02T05:05:00+14:00"),
            ("UTC+0", "UTC+00:00", "2026-12-01T15:05:00+00:00"),
        ];
        for (timezone, name, iso) in cases {
            let answer = time_in(timezone).map(|v| (v["timezone"].clone(), v["iso"].clone()));
            assert_eq!(answer, Ok((json!(name), json!(iso))), "{timezone}");
        }
        let next_day = time_in("+14:00").map(|v| v["weekday"].clone());
        assert_eq!(next_day, Ok(json!("Wednesday")));
        let etc = time_in("Etc/GMT+5").map(|v| v["offset"].clone());
        assert_eq!(
            etc,
            Ok(json!("-05:00")),
            "IANA's Etc/ names keep their POSIX sign"
        );
    }

    #[test]
    fn unknown_zones_and_bad_offsets_are_invalid_params() {
        let detail = |timezone: &str| match time_in(timezone) {
            Err(ToolError::InvalidParams(detail)) => detail,
            other => format!("no refusal: {other:?}"),
        };
        let unknown = "unknown time zone `Mars/Olympus`: give an IANA name such as Asia/Shanghai \
                       or a UTC offset such as +08:00";
        assert_eq!(detail("Mars/Olympus"), unknown);
        for bad in [
            "+24:00",
            "+08:60",
            "UTC+123",
            "+8:0",
            "+",
            "GMT-",
            "+08:00:00",
            "+٨",
        ] {
            let expected = format!(
                "bad UTC offset `{bad}`: write it as +08:00, -0530 or UTC-5 (within ±23:59)"
            );
            assert_eq!(detail(bad), expected, "{bad}");
        }
        assert_eq!(detail(""), "`timezone` is empty; leave it out for UTC");
        let long = "A".repeat(65);
        assert_eq!(
            detail(&long),
            "`timezone` has 65 characters; at most 64 are taken"
        );
        let number = at(instant(), &json!({"timezone": 8}));
        let refused = ToolError::InvalidParams("`timezone` must be a string".into());
        assert_eq!(number, Err(refused));
        let array = at(instant(), &json!(["UTC"]));
        let refused = ToolError::InvalidParams("params must be a JSON object".into());
        assert_eq!(array, Err(refused));
    }

    #[test]
    fn the_tool_reads_the_wall_clock() {
        let before = Utc::now().timestamp();
        let answer = Time.call(&json!({"timezone": "Europe/Paris"}));
        let unix = answer.map(|v| v["unix"].as_i64().unwrap_or_default());
        let after = Utc::now().timestamp();
        assert!(unix.is_ok_and(|unix| (before..=after).contains(&unix)));
    }
}
