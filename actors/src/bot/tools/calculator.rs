//! The `calculator` tool. Receives `{"expression": "123 + 456"}` and sends back the value as a
//! JSON number (`579`), or why not: bad params, or a [`ToolError::Failed`] from the
//! [`expression`](crate::bot::tools::expression) parser (its grammar, precedence and nesting
//! bound are documented there) naming the 1-based character position where it went wrong.
//!
//! Results: integral values within ±2^53 are JSON integers; other values are rounded to 15
//! significant digits, the precision an `f64` keeps through decimal text, so `0.1 + 0.2` gives
//! `0.3` and `1 / 3` gives `0.333333333333333`.

use crate::bot::tools::expression::evaluate;
use crate::bot::tools::tool::{Tool, ToolError, param};
use serde_json::{Number, Value, json};

/// The calculator tool.
pub struct Calculator;

/// The longest expression taken, in characters.
pub const MAX_EXPRESSION_CHARS: usize = 1_000;

/// The largest integer an `f64` holds exactly: 2^53.
const MAX_EXACT_INTEGER: f64 = 9_007_199_254_740_992.0;

impl Tool for Calculator {
    fn name(&self) -> &'static str {
        "calculator"
    }

    fn description(&self) -> &'static str {
        "Evaluates an arithmetic expression with + - * / ^ (power) % (remainder), parentheses, \
         unary minus, decimals, sqrt(x) and abs(x), and returns the number."
    }

    fn parameters(&self) -> Value {
        json!({
            "type": "object",
            "properties": {
                "expression": {
                    "type": "string",
                    "description": "The expression, e.g. \"(123 + 456) * 2 ^ 3 / sqrt(16)\".",
                    "maxLength": MAX_EXPRESSION_CHARS,
                }
            },
            "required": ["expression"],
        })
    }

    fn call(&self, params: &Value) -> Result<Value, ToolError> {
        let invalid = |detail: &str| ToolError::InvalidParams(detail.to_owned());
        let expression = match param(params, "expression")? {
            Some(Value::String(expression)) => expression,
            Some(_) => return Err(invalid("`expression` must be a string")),
            None => return Err(invalid("`expression` is required")),
        };
        let length = expression.chars().count();
        if length > MAX_EXPRESSION_CHARS {
            return Err(ToolError::InvalidParams(format!(
                "`expression` has {length} characters; at most {MAX_EXPRESSION_CHARS} are taken"
            )));
        }
        as_json(evaluate(expression)?)
    }
}

/// `value` as the JSON number the tool answers with (see the module's doc on rounding).
fn as_json(value: f64) -> Result<Value, ToolError> {
    let value = if value.fract() == 0.0 {
        value
    } else {
        format!("{value:.14e}").parse().unwrap_or(value)
    };
    if value.fract() == 0.0 && value.abs() <= MAX_EXACT_INTEGER {
        return Ok(Value::from(value as i64));
    }
    let number = Number::from_f64(value);
    number
        .map(Value::Number)
        .ok_or_else(|| ToolError::Failed("the result is not a finite number".to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bot::tools::expression::MAX_DEPTH;
    use proptest::prelude::*;

    /// What the tool answers for `expression`.
    fn calculate(expression: &str) -> Result<Value, ToolError> {
        Calculator.call(&json!({ "expression": expression }))
    }

    /// The failure's text for `expression`, or a note that there was none.
    fn failure(expression: &str) -> String {
        match calculate(expression) {
            Err(ToolError::Failed(detail)) => detail,
            other => format!("no failure: {other:?}"),
        }
    }

    #[test]
    fn the_seed_example_is_an_integer() {
        assert_eq!(calculate("123 + 456"), Ok(json!(579)));
        assert_eq!(
            calculate("123 + 456").map(|v| v.to_string()),
            Ok("579".into())
        );
    }

    #[test]
    fn precedence_and_associativity() {
        let cases = [
            ("2 + 3 * 4", json!(14)),
            ("(2 + 3) * 4", json!(20)),
            ("10 - 4 - 3", json!(3)),
            ("100 / 10 / 5", json!(2)),
            ("2 ^ 3 ^ 2", json!(512)),
            ("2 * 3 ^ 2", json!(18)),
            ("7 - 2 * 3 + 1", json!(2)),
            ("20 % 6 * 2", json!(4)),
            ("1 + 20 % 6", json!(3)),
            ("(1 + 2) * 3 ^ 2 / 4", json!(6.75)),
        ];
        for (expression, expected) in cases {
            assert_eq!(calculate(expression), Ok(expected), "{expression}");
        }
    }

    #[test]
    fn unary_signs() {
        let cases = [
            ("-2 ^ 2", json!(-4)),
            ("(-2) ^ 2", json!(4)),
            ("2 ^ -1", json!(0.5)),
            ("--3", json!(3)),
            ("+-+3", json!(-3)),
            ("3 - -3", json!(6)),
            ("-(1 + 2) * 2", json!(-6)),
            ("2 * -3", json!(-6)),
            ("-0", json!(0)),
        ];
        for (expression, expected) in cases {
            assert_eq!(calculate(expression), Ok(expected), "{expression}");
        }
    }

    #[test]
    fn remainder_takes_the_sign_of_the_dividend() {
        assert_eq!(calculate("7 % 3"), Ok(json!(1)));
        assert_eq!(calculate("-7 % 3"), Ok(json!(-1)));
        assert_eq!(calculate("7 % -3"), Ok(json!(1)));
        assert_eq!(calculate("5.5 % 2"), Ok(json!(1.5)));
    }

    #[test]
    fn decimals_exponents_and_whitespace() {
        let cases = [
            (".5 + 2.", json!(2.5)),
            ("1.25 * 4", json!(5)),
            ("1.5e3", json!(1500)),
            ("2E-2", json!(0.02)),
            ("1e+2", json!(100)),
            ("  \t( 1+2 )\n*3 ", json!(9)),
            ("sqrt (16) + abs( -2.5 )", json!(6.5)),
            ("sqrt(2) ^ 2", json!(2)),
            ("abs(-3) ^ 2", json!(9)),
        ];
        for (expression, expected) in cases {
            assert_eq!(calculate(expression), Ok(expected), "{expression}");
        }
    }

    #[test]
    fn results_are_integers_up_to_two_to_the_53_and_rounded_floats_otherwise() {
        assert_eq!(calculate("0.1 + 0.2"), Ok(json!(0.3)));
        assert_eq!(calculate("1 / 3"), Ok(json!(0.333333333333333)));
        assert_eq!(calculate("0.1 * 30"), Ok(json!(3)));
        assert_eq!(calculate("2 ^ 53"), Ok(json!(9_007_199_254_740_992_i64)));
        assert_eq!(
            calculate("-(2 ^ 53)"),
            Ok(json!(-9_007_199_254_740_992_i64))
        );
        let beyond = calculate("2 ^ 53 * 2").map(|v| v.to_string());
        assert_eq!(beyond, Ok("1.8014398509481984e+16".into()));
        assert_eq!(calculate("1e300 * 10"), Ok(json!(1e301)));
        assert_eq!(calculate("1 / 8"), Ok(json!(0.125)));
        assert_eq!(calculate("2 ^ -1074"), Ok(json!(5e-324)));
    }

    #[test]
    fn arithmetic_failures_name_their_position() {
        let cases = [
            ("1 / 0", "division by zero at position 3"),
            ("1 / (2 - 2)", "division by zero at position 3"),
            (
                "5 % (2 - 2)",
                "remainder of a division by zero at position 3",
            ),
            (
                "0 ^ -1",
                "division by zero at position 3: 0 to a negative power",
            ),
            (
                "1 + sqrt(-4)",
                "square root of a negative number (-4) at position 5",
            ),
            (
                "1e308 * 10",
                "the result overflows at position 7: it is beyond ±1.8e308",
            ),
            (
                "10 ^ 400",
                "the result overflows at position 4: it is beyond ±1.8e308",
            ),
            (
                "-1e308 - 1e308",
                "the result overflows at position 8: it is beyond ±1.8e308",
            ),
            (
                "(-8) ^ 0.5",
                "the result at position 6 is not a real number",
            ),
            ("1e400", "the number at position 1 is beyond ±1.8e308"),
        ];
        for (expression, expected) in cases {
            assert_eq!(failure(expression), expected, "{expression}");
        }
    }

    #[test]
    fn syntax_failures_name_their_position() {
        let cases = [
            ("", "empty expression"),
            ("   ", "empty expression"),
            ("2 $ 3", "unexpected `$` at position 3"),
            ("(1 + 2", "missing `)` to close the `(` at position 1"),
            (
                "(1 + 2 3",
                "missing `)` to close the `(` at position 1: found `3` at position 8",
            ),
            ("1 + 2)", "unexpected `)` at position 6"),
            ("1 2", "unexpected `2` at position 3"),
            ("2(3)", "unexpected `(` at position 2"),
            (
                "1 +",
                "the expression ends at position 4 where a number is expected",
            ),
            ("* 2", "unexpected `*` at position 1"),
            (".", "unexpected `.` at position 1"),
            ("1.2.3", "unexpected `.` at position 4"),
            ("2e", "unexpected `e` at position 2"),
            ("()", "unexpected `)` at position 2"),
            (
                "log(10)",
                "unknown function `log` at position 1; the functions are sqrt and abs",
            ),
            (
                "x + 1",
                "unknown function `x` at position 1; the functions are sqrt and abs",
            ),
            (
                "sqrt 4",
                "`sqrt` at position 1 needs its argument in parentheses, as in sqrt(2)",
            ),
            ("abs(1", "missing `)` to close the `(` at position 4"),
            ("1 ＋ 1", "unexpected `＋` at position 3"),
        ];
        for (expression, expected) in cases {
            assert_eq!(failure(expression), expected, "{expression:?}");
        }
    }

    #[test]
    fn nesting_is_bounded() {
        let deepest = format!("{}1{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert_eq!(calculate(&deepest), Ok(json!(1)));
        let deeper = format!(
            "{}1{}",
            "(".repeat(MAX_DEPTH + 1),
            ")".repeat(MAX_DEPTH + 1)
        );
        let refused = "nesting deeper than 64 levels (parentheses, signs, powers and functions) \
                       at position 65";
        assert_eq!(failure(&deeper), refused);
        assert_eq!(calculate(&("-".repeat(MAX_DEPTH) + "1")), Ok(json!(1)));
        for hostile in [
            "(".repeat(999),
            "-".repeat(999) + "1",
            "2^".repeat(499) + "1",
        ] {
            assert!(
                failure(&hostile).starts_with("nesting deeper than 64"),
                "{hostile}"
            );
        }
        let nested_functions = "sqrt(".repeat(65) + "1" + &")".repeat(65);
        assert!(failure(&nested_functions).starts_with("nesting deeper than 64"));
    }

    #[test]
    fn params_are_checked() {
        let invalid = |detail: &str| Err(ToolError::InvalidParams(detail.to_owned()));
        assert_eq!(
            Calculator.call(&json!({})),
            invalid("`expression` is required")
        );
        assert_eq!(
            Calculator.call(&Value::Null),
            invalid("`expression` is required")
        );
        let number = json!({"expression": 12});
        assert_eq!(
            Calculator.call(&number),
            invalid("`expression` must be a string")
        );
        assert_eq!(
            Calculator.call(&json!("1+1")),
            invalid("params must be a JSON object")
        );
        let longest = format!("1{}", " ".repeat(MAX_EXPRESSION_CHARS - 1));
        assert_eq!(calculate(&longest), Ok(json!(1)));
        let too_long = "1".repeat(MAX_EXPRESSION_CHARS + 1);
        let refused = invalid("`expression` has 1001 characters; at most 1000 are taken");
        assert_eq!(calculate(&too_long), refused);
    }

    proptest! {
        #[test]
        fn no_input_panics(expression in "\\PC{0,200}") {
            let answer = calculate(&expression);
            prop_assert!(matches!(answer, Ok(Value::Number(_)) | Err(ToolError::Failed(_))));
        }

        #[test]
        fn integer_arithmetic_agrees_with_rust(
            left in -10_000_i64..10_000,
            right in -10_000_i64..10_000,
            operator in prop::sample::select(vec!['+', '-', '*', '%']),
        ) {
            let expected = match operator {
                '+' => Some(left + right),
                '-' => Some(left - right),
                '*' => Some(left * right),
                _ => left.checked_rem(right),
            };
            let answer = calculate(&format!("{left} {operator} ({right})")).ok();
            prop_assert_eq!(answer, expected.map(Value::from));
        }

        #[test]
        fn no_expression_like_input_panics(expression in "[0-9.eE+\\-*/^%() sqrtab]{0,200}") {
            let answer = calculate(&expression);
            prop_assert!(matches!(answer, Ok(Value::Number(_)) | Err(ToolError::Failed(_))));
        }
    }
}
