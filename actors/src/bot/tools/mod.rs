//! The tools the bot can run, by name. Receives a tool's name and its JSON params (from a
//! client's `tool_call` frame or a model's tool call) and sends back the tool's JSON result or
//! a [`ToolError`]; [`definitions`] describes every tool to an OpenAI-compatible model. Each
//! tool is pure and synchronous. Adding one is a file in this folder that implements [`Tool`],
//! its `pub mod` line below and its entry in [`TOOLS`].

pub mod calculator;
pub mod expression;
pub mod time;
pub mod tool;

pub use tool::{Tool, ToolError};

use serde_json::{Value, json};
use std::fmt;

/// Every tool, in the order [`definitions`] lists them.
pub static TOOLS: &[&dyn Tool] = &[&calculator::Calculator, &time::Time];

/// The tool called `name`, if there is one.
pub fn find(name: &str) -> Option<&'static dyn Tool> {
    TOOLS.iter().copied().find(|tool| tool.name() == name)
}

/// Runs the tool called `name` on `params`: [`ToolError::UnknownTool`] when there is none.
pub fn call(name: &str, params: &Value) -> Result<Value, ToolError> {
    let tool = find(name).ok_or_else(|| ToolError::UnknownTool(name.to_owned()))?;
    tool.call(params)
}

/// Every tool as an entry of an OpenAI `tools` array:
/// `[{"type": "function", "function": {"name", "description", "parameters"}}, …]`.
pub fn definitions() -> Value {
    let definition = |tool: &&dyn Tool| {
        json!({
            "type": "function",
            "function": {
                "name": tool.name(),
                "description": tool.description(),
                "parameters": tool.parameters(),
            }
        })
    };
    Value::Array(TOOLS.iter().map(definition).collect())
}

/// The names of every tool, comma-separated.
fn tool_names() -> String {
    let names: Vec<&str> = TOOLS.iter().map(|tool| tool.name()).collect();
    names.join(", ")
}

/// Written here, where the tools are known, so an unknown tool's message lists them.
impl fmt::Display for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ToolError::UnknownTool(name) => {
                let names = tool_names();
                write!(f, "unknown tool `{name}`; the tools are: {names}")
            }
            ToolError::InvalidParams(detail) => write!(f, "invalid params: {detail}"),
            ToolError::Failed(detail) => f.write_str(detail),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tools_are_found_by_name() {
        for tool in TOOLS {
            let found = find(tool.name()).map(|found| found.name());
            assert_eq!(found, Some(tool.name()));
        }
        assert_eq!(
            find("calculator").map(|tool| tool.name()),
            Some("calculator")
        );
        assert!(find("Calculator").is_none(), "names are exact");
        assert!(find("").is_none());
    }

    #[test]
    fn names_are_unique_and_every_schema_is_an_object() {
        let names = tool_names();
        assert_eq!(names, "calculator, time");
        for tool in TOOLS {
            assert_eq!(names.matches(tool.name()).count(), 1, "{}", tool.name());
            assert_eq!(tool.parameters()["type"], "object", "{}", tool.name());
            assert!(tool.parameters()["properties"].is_object());
            assert!(!tool.description().is_empty());
        }
    }

    #[test]
    fn a_call_runs_the_named_tool() {
        let params = json!({"expression": "123 + 456"});
        assert_eq!(call("calculator", &params), Ok(json!(579)));
        let utc = call("time", &json!({})).map(|result| result["timezone"].clone());
        assert_eq!(utc, Ok(json!("UTC")));
        let refused = call("calculator", &json!({}));
        let detail = "`expression` is required".to_owned();
        assert_eq!(refused, Err(ToolError::InvalidParams(detail)));
    }

    #[test]
    fn an_unknown_tool_is_named_with_the_known_ones() {
        let error = call("weather", &json!({"city": "Paris"}));
        assert_eq!(error, Err(ToolError::UnknownTool("weather".into())));
        let message = error.map_err(|error| error.to_string());
        let expected = "unknown tool `weather`; the tools are: calculator, time";
        assert_eq!(message, Err(expected.to_owned()));
    }

    #[test]
    fn errors_read_as_sentences() {
        let invalid = ToolError::InvalidParams("`expression` must be a string".into());
        assert_eq!(
            invalid.to_string(),
            "invalid params: `expression` must be a string"
        );
        let failed = ToolError::Failed("division by zero at position 3".into());
        assert_eq!(failed.to_string(), "division by zero at position 3");
    }

    #[test]
    fn definitions_are_openai_function_tools() {
        let definitions = definitions();
        let entries = definitions
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        assert_eq!(entries.len(), TOOLS.len());
        for (entry, tool) in entries.iter().zip(TOOLS) {
            assert_eq!(entry["type"], "function");
            let function = &entry["function"];
            let keys: Vec<&String> = function
                .as_object()
                .into_iter()
                .flat_map(|f| f.keys())
                .collect();
            assert_eq!(keys, ["description", "name", "parameters"]);
            assert_eq!(function["name"], tool.name());
            assert_eq!(function["description"], tool.description());
            assert_eq!(function["parameters"], tool.parameters());
        }
        assert_eq!(
            entries[0]["function"]["parameters"]["required"],
            json!(["expression"])
        );
    }
}
