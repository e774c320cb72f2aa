//! The configuration reference, generated from the declarations themselves. Receives the
//! hub's command-line description and sends back the Markdown table of every setting (its
//! environment variable and older names, flag, default and meaning) that the README shows, so
//! the README cannot drift from the code: a test compares them.

use clap::{Arg, Command};

/// The environment variable name a long flag alias stands for (`websocket-heartbeat-interval`
/// → `WEBSOCKET_HEARTBEAT_INTERVAL`): older names the seeds use.
pub fn alias_env(alias: &str) -> String {
    alias.replace('-', "_").to_uppercase()
}

/// One setting as a table row.
fn row(arg: &Arg) -> Option<String> {
    let env = arg.get_env()?.to_string_lossy().into_owned();
    let mut names = vec![format!("`{env}`")];
    for alias in arg.get_all_aliases().unwrap_or_default() {
        names.push(format!("`{}`", alias_env(alias)));
    }
    let flag = arg
        .get_long()
        .map_or_else(String::new, |long| format!("`--{long}`"));
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|value| value.to_string_lossy().into_owned())
        .collect();
    let default = match defaults.as_slice() {
        [] => "–".to_owned(),
        values => format!("`{}`", values.join(",")),
    };
    let meaning = arg
        .get_help()
        .map(|help| help.to_string())
        .unwrap_or_default();
    Some(format!(
        "| {} | {flag} | {default} | {meaning} |",
        names.join(" or ")
    ))
}

/// The Markdown table of every setting of `command` that has an environment variable, in
/// declaration order.
pub fn markdown_table(command: &Command) -> String {
    let mut lines = vec![
        "| variable | flag | default | meaning |".to_owned(),
        "|---|---|---|---|".to_owned(),
    ];
    lines.extend(command.get_arguments().filter_map(row));
    lines.join("\n") + "\n"
}
