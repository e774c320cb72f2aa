//! How settings are spelled and checked, for every area of the configuration. Receives the
//! text of a flag or environment variable and sends back a `Duration` ([`parse_duration`]:
//! `30` or `1.5` seconds, as the seeds write them, or `250ms`, `30s`, `2m`), and checks that
//! counts and durations that must be positive are ([`all_positive`]). Also builds an area's
//! defaults from its declaration alone ([`defaults`]), so a default is written in one place.

use std::time::Duration;

use clap::{Args, Command, FromArgMatches};

/// An area of settings with nothing but its declared defaults: no flags, no environment.
pub fn defaults<T: Args + FromArgMatches>() -> T {
    let command = T::augment_args(Command::new("defaults")).mut_args(|arg| arg.env(None));
    let matches = command
        .try_get_matches_from(["defaults"])
        .expect("every setting has a default that parses");
    T::from_arg_matches(&matches).expect("every setting has a default that parses")
}

/// A setting that must be greater than zero is zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{0} must be greater than zero")]
pub struct MustBePositive(pub &'static str);

/// The first of `settings` (a name, and whether its value is zero) that is zero, if any.
pub fn all_positive(settings: &[(&'static str, bool)]) -> Result<(), MustBePositive> {
    match settings.iter().find(|(_, zero)| *zero) {
        Some((name, _)) => Err(MustBePositive(name)),
        None => Ok(()),
    }
}

/// Parses `30` or `1.5` (seconds), or `250ms`, `30s`, `2m`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| c.is_ascii_alphabetic()) {
        Some(split) => text.split_at(split),
        None => (text, "s"),
    };
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("'{text}' is not a duration (try 30, 1.5, 250ms, 30s or 2m)"))?;
    let seconds = match unit {
        "ms" => value / 1000.0,
        "s" => value,
        "m" => value * 60.0,
        _ => {
            return Err(format!(
                "unknown unit '{unit}' in '{text}' (use ms, s or m)"
            ));
        }
    };
    Duration::try_from_secs_f64(seconds).map_err(|_| format!("'{text}' is not a usable duration"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_accept_seed_seconds_and_units() {
        assert_eq!(parse_duration("30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("1.5"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5h").is_err());
        assert!(parse_duration("-1").is_err());
    }
}
