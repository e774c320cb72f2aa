//! What every bot tool is: the [`Tool`] trait, the [`ToolError`] a call can end in, and
//! [`param`], the one way a tool reads a field of its params. Receives nothing and sends
//! nothing; the registry in the parent module lists the tools and runs them by name.

use serde_json::Value;

/// One tool the bot can run: a name, a sentence and a JSON Schema that tell a model what it
/// does and takes, and a pure, synchronous call.
pub trait Tool: Sync {
    /// The name a client or a model calls it by, e.g. `"calculator"`.
    fn name(&self) -> &'static str;
    /// One sentence saying what it does, for a model's function definition.
    fn description(&self) -> &'static str;
    /// The JSON Schema of its `params` (an object schema).
    fn parameters(&self) -> Value;
    /// Runs it on `params`: the result as JSON, or why there is none.
    fn call(&self, params: &Value) -> Result<Value, ToolError>;
}

/// Why a tool call gave no result. Its `Display` is written beside the registry, which knows
/// the tools that [`ToolError::UnknownTool`] lists.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ToolError {
    /// No tool has this name (the name as asked for).
    UnknownTool(String),
    /// The params do not fit the tool's schema: what is wrong with them.
    InvalidParams(String),
    /// The params fit, but the tool could not produce a result: why.
    Failed(String),
}

/// The field `name` of `params`, `None` when it is absent or `null`. Params must be a JSON
/// object; `null` counts as no params at all.
pub fn param<'a>(params: &'a Value, name: &str) -> Result<Option<&'a Value>, ToolError> {
    match params {
        Value::Object(fields) => Ok(fields.get(name).filter(|value| !value.is_null())),
        Value::Null => Ok(None),
        _ => Err(ToolError::InvalidParams(
            "params must be a JSON object".to_owned(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn params_are_an_object_or_nothing() {
        let params = json!({"a": 1, "b": null});
        assert_eq!(param(&params, "a"), Ok(Some(&json!(1))));
        assert_eq!(param(&params, "b"), Ok(None));
        assert_eq!(param(&params, "c"), Ok(None));
        assert_eq!(param(&Value::Null, "a"), Ok(None));
        for params in [json!([1]), json!("a"), json!(3)] {
            let refused = ToolError::InvalidParams("params must be a JSON object".into());
            assert_eq!(param(&params, "a"), Err(refused));
        }
    }
}
