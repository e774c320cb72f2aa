//! Arithmetic expressions, pure: the calculator tool's parser. Receives an expression's text
//! and sends back its value as an `f64`, or a [`ToolError::Failed`] naming the 1-based
//! character position where it went wrong. A recursive-descent parser, lowest precedence first:
//!
//! ```text
//! expression := term (("+" | "-") term)*
//! term       := unary (("*" | "/" | "%") unary)*
//! unary      := ("-" | "+") unary | power
//! power      := primary ("^" unary)?
//! primary    := number | "(" expression ")" | ("sqrt" | "abs") "(" expression ")"
//! ```
//!
//! So `^` is right-associative and binds tighter than a unary sign (`-2^2` is -4, `2^-1` is
//! 0.5), and `%` is the remainder with the sign of the dividend (`-7 % 3` is -1). Numbers are
//! decimals (`2`, `.5`, `2.`) with an optional exponent (`1.5e3`); whitespace may stand between
//! any two of them. Parentheses, unary signs, powers and function calls nest at most
//! [`MAX_DEPTH`] levels, so no input can exhaust the stack. Every failure (division by zero,
//! the square root of a negative number, a result beyond `f64`, bad syntax) names where it
//! happened.

use crate::bot::tools::tool::ToolError;

/// The deepest nesting of parentheses, unary signs, powers and function calls taken.
pub const MAX_DEPTH: usize = 64;

/// The value of `expression`, or a [`ToolError::Failed`] saying what is wrong and where.
pub fn evaluate(expression: &str) -> Result<f64, ToolError> {
    let mut parser = Parser {
        chars: expression.chars().collect(),
        at: 0,
        depth: 0,
    };
    if parser.peek().is_none() {
        return Err(failed("empty expression".to_owned()));
    }
    let value = parser.expression()?;
    match parser.peek() {
        None => Ok(value),
        Some(unexpected) => Err(parser.unexpected(unexpected)),
    }
}

/// A [`ToolError::Failed`] with `detail`.
fn failed(detail: String) -> ToolError {
    ToolError::Failed(detail)
}

/// `value` when it is finite, else the failure of the operation at char index `at`.
fn finite(value: f64, at: usize) -> Result<f64, ToolError> {
    let position = at + 1;
    if value.is_finite() {
        Ok(value)
    } else if value.is_nan() {
        Err(failed(format!(
            "the result at position {position} is not a real number"
        )))
    } else {
        Err(failed(format!(
            "the result overflows at position {position}: it is beyond ±1.8e308"
        )))
    }
}

/// The parser's state: the expression's characters, where it reads, how deep it is nested.
struct Parser {
    /// The expression, one entry per character (so positions count characters).
    chars: Vec<char>,
    /// The index of the next character to read.
    at: usize,
    /// How many nested levels are open.
    depth: usize,
}

impl Parser {
    /// The next character that is not whitespace, skipping the whitespace before it.
    fn peek(&mut self) -> Option<char> {
        while self.chars.get(self.at).is_some_and(|c| c.is_whitespace()) {
            self.at += 1;
        }
        self.chars.get(self.at).copied()
    }

    /// The failure for the character `found` at the current place.
    fn unexpected(&self, found: char) -> ToolError {
        failed(format!("unexpected `{found}` at position {}", self.at + 1))
    }

    /// Runs `level` one nesting level deeper; the level was opened by the character at `at`.
    fn nested(
        &mut self,
        at: usize,
        level: fn(&mut Self) -> Result<f64, ToolError>,
    ) -> Result<f64, ToolError> {
        if self.depth >= MAX_DEPTH {
            return Err(failed(format!(
                "nesting deeper than {MAX_DEPTH} levels (parentheses, signs, powers and \
                 functions) at position {}",
                at + 1
            )));
        }
        self.depth += 1;
        let value = level(self);
        self.depth -= 1;
        value
    }

    /// `term (("+" | "-") term)*`
    fn expression(&mut self) -> Result<f64, ToolError> {
        let mut value = self.term()?;
        while let Some(operator @ ('+' | '-')) = self.peek() {
            let at = self.at;
            self.at += 1;
            let right = self.term()?;
            let sum = if operator == '+' {
                value + right
            } else {
                value - right
            };
            value = finite(sum, at)?;
        }
        Ok(value)
    }

    /// `unary (("*" | "/" | "%") unary)*`
    fn term(&mut self) -> Result<f64, ToolError> {
        let mut value = self.unary()?;
        while let Some(operator @ ('*' | '/' | '%')) = self.peek() {
            let at = self.at;
            self.at += 1;
            let right = self.unary()?;
            let result = match operator {
                '*' => value * right,
                _ if right == 0.0 => {
                    let what =
                        ["division", "remainder of a division"][usize::from(operator == '%')];
                    return Err(failed(format!("{what} by zero at position {}", at + 1)));
                }
                '/' => value / right,
                _ => value % right,
            };
            value = finite(result, at)?;
        }
        Ok(value)
    }

    /// `("-" | "+") unary | power`
    fn unary(&mut self) -> Result<f64, ToolError> {
        match self.peek() {
            Some(sign @ ('-' | '+')) => {
                let at = self.at;
                self.at += 1;
                let value = self.nested(at, Self::unary)?;
                Ok(if sign == '-' { -value } else { value })
            }
            _ => self.power(),
        }
    }

    /// `primary ("^" unary)?`: the exponent may carry a sign and be a power itself.
    fn power(&mut self) -> Result<f64, ToolError> {
        let base = self.primary()?;
        if self.peek() != Some('^') {
            return Ok(base);
        }
        let at = self.at;
        self.at += 1;
        let exponent = self.nested(at, Self::unary)?;
        if base == 0.0 && exponent < 0.0 {
            return Err(failed(format!(
                "division by zero at position {}: 0 to a negative power",
                at + 1
            )));
        }
        finite(base.powf(exponent), at)
    }

    /// A number, a parenthesized expression or a function call.
    fn primary(&mut self) -> Result<f64, ToolError> {
        match self.peek() {
            None => Err(failed(format!(
                "the expression ends at position {} where a number is expected",
                self.at + 1
            ))),
            Some(c) if c.is_ascii_digit() || c == '.' => self.number(),
            Some('(') => {
                let open = self.at;
                self.at += 1;
                let value = self.nested(open, Self::expression)?;
                self.close(open)?;
                Ok(value)
            }
            Some(c) if c.is_alphabetic() => self.function(),
            Some(c) => Err(self.unexpected(c)),
        }
    }

    /// Reads the `)` that closes the `(` at char index `open`.
    fn close(&mut self, open: usize) -> Result<(), ToolError> {
        match self.peek() {
            Some(')') => {
                self.at += 1;
                Ok(())
            }
            Some(found) => Err(failed(format!(
                "missing `)` to close the `(` at position {}: found `{found}` at position {}",
                open + 1,
                self.at + 1
            ))),
            None => Err(failed(format!(
                "missing `)` to close the `(` at position {}",
                open + 1
            ))),
        }
    }

    /// The count of ASCII digits from char index `from`.
    fn digits_from(&self, from: usize) -> usize {
        let rest = self.chars.get(from..).unwrap_or_default();
        rest.iter().take_while(|c| c.is_ascii_digit()).count()
    }

    /// `digits ["." digits] [("e" | "E") ["+" | "-"] digits]`, with a digit on at least one
    /// side of the point; an `e` not followed by digits is left for the caller to refuse.
    fn number(&mut self) -> Result<f64, ToolError> {
        let start = self.at;
        let mut end = start + self.digits_from(start);
        let mut mantissa_digits = end - start;
        if self.chars.get(end) == Some(&'.') {
            let decimals = self.digits_from(end + 1);
            (end, mantissa_digits) = (end + 1 + decimals, mantissa_digits + decimals);
        }
        if mantissa_digits == 0 {
            return Err(self.unexpected('.'));
        }
        if matches!(self.chars.get(end), Some('e' | 'E')) {
            let signed = matches!(self.chars.get(end + 1), Some('+' | '-'));
            let digits_at = end + 1 + usize::from(signed);
            let exponent_digits = self.digits_from(digits_at);
            if exponent_digits > 0 {
                end = digits_at + exponent_digits;
            }
        }
        self.at = end;
        let text: String = self.chars[start..end].iter().collect();
        let value: f64 = text.parse().map_err(|_| {
            failed(format!(
                "malformed number `{text}` at position {}",
                start + 1
            ))
        })?;
        if value.is_infinite() {
            let detail = format!("the number at position {} is beyond ±1.8e308", start + 1);
            return Err(failed(detail));
        }
        Ok(value)
    }

    /// `("sqrt" | "abs") "(" expression ")"`
    fn function(&mut self) -> Result<f64, ToolError> {
        let start = self.at;
        let length = self.chars[start..]
            .iter()
            .take_while(|c| c.is_alphanumeric() || **c == '_')
            .count();
        let name: String = self.chars[start..start + length].iter().collect();
        if !matches!(name.as_str(), "sqrt" | "abs") {
            return Err(failed(format!(
                "unknown function `{name}` at position {}; the functions are sqrt and abs",
                start + 1
            )));
        }
        self.at = start + length;
        if self.peek() != Some('(') {
            return Err(failed(format!(
                "`{name}` at position {} needs its argument in parentheses, as in {name}(2)",
                start + 1
            )));
        }
        let open = self.at;
        self.at += 1;
        let argument = self.nested(start, Self::expression)?;
        self.close(open)?;
        if name == "abs" {
            return Ok(argument.abs());
        }
        if argument < 0.0 {
            return Err(failed(format!(
                "square root of a negative number ({argument}) at position {}",
                start + 1
            )));
        }
        Ok(argument.sqrt())
    }
}
