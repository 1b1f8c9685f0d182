//! A small, strict RFC 8259 JSON parser into a value tree, written for policy files: the browser
//! build carries it instead of serde_json's derive-driven decoder, and native builds use it too.
//! The widget also reads the endpoint's answers, its drafts and its queued tickets with it
//! (`triage_widget::wire`), so no serde decoder at all ships in the WebAssembly.
//!
//! Strict means: only the four JSON whitespace characters, no trailing commas, no comments, no
//! leading zeros or `+` in numbers, no raw control characters or unpaired surrogates in strings,
//! and nothing but whitespace after the top-level value. Nesting is limited to [`MAX_DEPTH`]
//! arrays and objects so hostile input cannot exhaust the stack. A syntax error names what was
//! expected, what was found, the line and column, and the JSON path so far.
//!
//! Objects keep every member in document order, a key written twice included: the decoder
//! (`crate::decode`) rejects a repeated key as it stores each member into a struct field or a map,
//! which costs no extra pass and cannot turn quadratic on an object with very many keys.

use crate::error::PolicyError;

/// Deepest nesting of arrays and objects accepted.
pub const MAX_DEPTH: usize = 128;

/// A parsed JSON value. Objects keep their members in document order.
#[derive(Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// The number as written (grammar checked, not converted: the decoder picks the type).
    Number(String),
    String(String),
    Array(Vec<Value>),
    Object(Vec<(String, Value)>),
}

/// A JSON path built on the stack while descending (`$`, `$.plans[0]`, `$.name["pt-BR"]`) and
/// rendered to text only when a problem is reported.
#[derive(Clone, Copy)]
pub(crate) enum Path<'p> {
    Root,
    Key(&'p Path<'p>, &'p str),
    Index(&'p Path<'p>, usize),
}

impl Path<'_> {
    /// The path in the validator's style: `$.plans[1].targets.P3`, `$.name["pt-BR"]`.
    pub(crate) fn render(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Path::Root => out.push('$'),
            Path::Key(parent, key) => {
                parent.write(out);
                push_key(out, key);
            }
            Path::Index(parent, index) => {
                parent.write(out);
                out.push('[');
                out.push_str(&index.to_string());
                out.push(']');
            }
        }
    }
}

/// Appends `.key`, or `["key"]` when the key is not an identifier (JSON-quoted, as serde_json
/// writes strings).
pub(crate) fn push_key(out: &mut String, key: &str) {
    let mut chars = key.chars();
    let identifier = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if identifier {
        out.push('.');
        out.push_str(key);
    } else {
        out.push('[');
        push_quoted(out, key);
        out.push(']');
    }
}

/// Appends `text` as a JSON string literal (escaping as serde_json does).
pub(crate) fn push_quoted(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c < ' ' => {
                let byte = c as usize;
                out.push_str("\\u00");
                out.push(char::from(HEX[byte >> 4]));
                out.push(char::from(HEX[byte & 15]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Parses one JSON document. On a syntax error: the path of the value being read, and a message
/// `invalid JSON: expected …, found … at line L column C`.
pub fn parse(text: &str) -> Result<Value, PolicyError> {
    let mut parser = Parser { text, bytes: text.as_bytes(), pos: 0, depth: 0 };
    let value = parser.value(&Path::Root)?;
    parser.skip_whitespace();
    if parser.pos < parser.bytes.len() {
        return Err(parser.fail(&Path::Root, "the end of the input (trailing characters after the JSON value)"));
    }
    Ok(value)
}

struct Parser<'t> {
    text: &'t str,
    bytes: &'t [u8],
    /// Byte offset of the next character.
    pos: usize,
    /// Arrays and objects currently open.
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// Consumes `byte` if it comes next.
    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        if found {
            self.pos += 1;
        }
        found
    }

    /// `expected …, found …` at the current position.
    fn fail(&self, path: &Path, expected: &str) -> PolicyError {
        let mut found = String::new();
        match self.text.get(self.pos..).and_then(|rest| rest.chars().next()) {
            None => found.push_str("the end of the input"),
            // Shown escaped, as in a JSON string: `"\n"`, `"\u0001"`.
            Some(c) if c < ' ' => push_quoted(&mut found, c.encode_utf8(&mut [0; 4])),
            Some(c) => {
                found.push('`');
                found.push(c);
                found.push('`');
            }
        }
        self.error_at(self.pos, path, &["expected ", expected, ", found ", &found])
    }

    /// `invalid JSON: <parts> at line L column C` (columns count characters, from 1).
    fn error_at(&self, pos: usize, path: &Path, parts: &[&str]) -> PolicyError {
        let (mut line, mut column) = (1usize, 1usize);
        for &byte in self.bytes.get(..pos).unwrap_or(self.bytes) {
            if byte == b'\n' {
                line += 1;
                column = 1;
            } else if byte & 0xC0 != 0x80 {
                // Not a UTF-8 continuation byte: a new character.
                column += 1;
            }
        }
        let mut message = "invalid JSON: ".to_string();
        for part in parts {
            message.push_str(part);
        }
        message.push_str(" at line ");
        message.push_str(&line.to_string());
        message.push_str(" column ");
        message.push_str(&column.to_string());
        PolicyError::new(path.render(), message)
    }

    fn value(&mut self, path: &Path) -> Result<Value, PolicyError> {
        self.skip_whitespace();
        let literal = match self.peek() {
            Some(b'{') => return self.nested(path, Parser::object),
            Some(b'[') => return self.nested(path, Parser::array),
            Some(b'"') => return self.string(path).map(Value::String),
            Some(b'-' | b'0'..=b'9') => return self.number(path),
            Some(b't') => "true",
            Some(b'f') => "false",
            Some(b'n') => "null",
            _ => "",
        };
        if literal.is_empty() || !self.text.get(self.pos..).is_some_and(|rest| rest.starts_with(literal)) {
            return Err(self.fail(path, "a value"));
        }
        self.pos += literal.len();
        Ok(match literal {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::Null,
        })
    }

    /// Reads an array or object one level deeper, within [`MAX_DEPTH`].
    fn nested(
        &mut self,
        path: &Path,
        read: fn(&mut Self, &Path) -> Result<Value, PolicyError>,
    ) -> Result<Value, PolicyError> {
        if self.depth >= MAX_DEPTH {
            return Err(self.error_at(self.pos, path, &["arrays and objects nested more than 128 deep"]));
        }
        self.depth += 1;
        let value = read(self, path);
        self.depth -= 1;
        value
    }

    fn array(&mut self, path: &Path) -> Result<Value, PolicyError> {
        self.pos += 1; // `[`
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.eat(b']') {
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value(&Path::Index(path, items.len()))?);
            self.skip_whitespace();
            if self.eat(b']') {
                return Ok(Value::Array(items));
            }
            if !self.eat(b',') {
                return Err(self.fail(path, "`,` or `]`"));
            }
            self.skip_whitespace();
            if self.peek() == Some(b']') {
                return Err(self.fail(path, "a value after `,` (no trailing commas in JSON)"));
            }
        }
    }

    fn object(&mut self, path: &Path) -> Result<Value, PolicyError> {
        self.pos += 1; // `{`
        let mut members: Vec<(String, Value)> = Vec::new();
        self.skip_whitespace();
        if !self.eat(b'}') {
            loop {
                self.skip_whitespace();
                if self.peek() != Some(b'"') {
                    let trailing_comma = !members.is_empty() && self.peek() == Some(b'}');
                    let expected =
                        if trailing_comma { "a string key after `,` (no trailing commas in JSON)" } else { "a string key" };
                    return Err(self.fail(path, expected));
                }
                let key = self.string(path)?;
                self.skip_whitespace();
                if !self.eat(b':') {
                    return Err(self.fail(&Path::Key(path, &key), "`:` after the key"));
                }
                let value = self.value(&Path::Key(path, &key))?;
                members.push((key, value));
                self.skip_whitespace();
                if self.eat(b'}') {
                    break;
                }
                if !self.eat(b',') {
                    return Err(self.fail(path, "`,` or `}`"));
                }
            }
        }
        Ok(Value::Object(members))
    }

    /// A string literal starting at `"`, unescaped.
    fn string(&mut self, path: &Path) -> Result<String, PolicyError> {
        self.pos += 1; // `"`
        let mut out = String::new();
        let mut run_start = self.pos;
        loop {
            match self.peek() {
                None => return Err(self.fail(path, "`\"` to close the string")),
                Some(b'"') => {
                    out.push_str(self.text.get(run_start..self.pos).unwrap_or_default());
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    out.push_str(self.text.get(run_start..self.pos).unwrap_or_default());
                    out.push(self.escape(path)?);
                    run_start = self.pos;
                }
                Some(0..=0x1f) => {
                    return Err(self.fail(path, "a character of the string (control characters must be escaped)"));
                }
                // UTF-8 continuation bytes are never ASCII, so runs are always cut at characters.
                Some(_) => self.pos += 1,
            }
        }
    }

    /// One escape sequence starting at `\`; a `\uD83D\uDE00` surrogate pair gives one character.
    fn escape(&mut self, path: &Path) -> Result<char, PolicyError> {
        let start = self.pos;
        self.pos += 1; // `\`
        let simple = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                let unit = self.hex4(path)?;
                let code = match unit {
                    0xD800..=0xDBFF => {
                        if !(self.eat(b'\\') && self.eat(b'u')) {
                            return Err(self.unpaired_surrogate(start, path));
                        }
                        let low = self.hex4(path)?;
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return Err(self.unpaired_surrogate(start, path));
                        }
                        0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                    }
                    0xDC00..=0xDFFF => {
                        return Err(self.unpaired_surrogate(start, path))
                    }
                    unit => unit,
                };
                return char::from_u32(code).ok_or_else(|| self.error_at(start, path, &["invalid \\u escape"]));
            }
            _ => return Err(self.fail(path, "an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX) after `\\`")),
        };
        self.pos += 1;
        Ok(simple)
    }

    /// `unpaired surrogate \uD83D`, the escape at `start` as written.
    fn unpaired_surrogate(&self, start: usize, path: &Path) -> PolicyError {
        let escape = self.text.get(start..start + 6).unwrap_or_default();
        self.error_at(start, path, &["unpaired surrogate ", escape])
    }

    /// Four hex digits of a `\u` escape.
    fn hex4(&mut self, path: &Path) -> Result<u32, PolicyError> {
        let mut unit = 0;
        for _ in 0..4 {
            let digit = self.peek().and_then(|b| char::from(b).to_digit(16));
            let Some(digit) = digit else { return Err(self.fail(path, "four hex digits after `\\u`")) };
            unit = unit * 16 + digit;
            self.pos += 1;
        }
        Ok(unit)
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, kept as written.
    fn number(&mut self, path: &Path) -> Result<Value, PolicyError> {
        let start = self.pos;
        self.eat(b'-');
        if !self.eat(b'0') {
            self.digits(path, "a digit")?;
        }
        if self.eat(b'.') {
            self.digits(path, "a digit after the decimal point")?;
        }
        if self.eat(b'e') || self.eat(b'E') {
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            self.digits(path, "a digit in the exponent")?;
        }
        if let Some(b'0'..=b'9') = self.peek() {
            return Err(self.fail(path, "no digits after a leading 0"));
        }
        Ok(Value::Number(self.text.get(start..self.pos).unwrap_or_default().to_string()))
    }

    /// One or more decimal digits.
    fn digits(&mut self, path: &Path, expected: &str) -> Result<(), PolicyError> {
        if !matches!(self.peek(), Some(b'0'..=b'9')) {
            return Err(self.fail(path, expected));
        }
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Value {
        parse(text).unwrap_or_else(|e| panic!("{text:?} should parse: {e}"))
    }

    /// "path: message" of the syntax error in `text`.
    fn err(text: &str) -> String {
        match parse(text) {
            Ok(value) => panic!("{text:?} should not parse, got {value:?}"),
            Err(e) => e.to_string(),
        }
    }

    fn s(text: &str) -> Value {
        Value::String(text.to_string())
    }

    #[test]
    fn scalars_and_containers() {
        assert_eq!(ok(" null "), Value::Null);
        assert_eq!(ok("true"), Value::Bool(true));
        assert_eq!(ok("\tfalse\r\n"), Value::Bool(false));
        assert_eq!(ok("[]"), Value::Array(vec![]));
        assert_eq!(ok("{}"), Value::Object(vec![]));
        assert_eq!(
            ok(r#"{"b": [1, "x", {}], "a": null}"#),
            Value::Object(vec![
                ("b".into(), Value::Array(vec![Value::Number("1".into()), s("x"), Value::Object(vec![])])),
                ("a".into(), Value::Null),
            ]),
            "members keep document order"
        );
    }

    #[test]
    fn string_escapes_and_surrogate_pairs() {
        assert_eq!(ok(r#""a\"b\\c\/d\be\ff\ng\rh\ti""#), s("a\"b\\c/d\u{8}e\u{c}f\ng\rh\ti"));
        assert_eq!(ok(r#""\u00e9\u00E9 é \u20ac""#), s("éé é €"));
        assert_eq!(ok(r#""\ud83d\ude00!""#), s("😀!"));
        assert_eq!(ok(r#""\u0000""#), s("\u{0}"));
        assert_eq!(ok("\"São Paulo – 24/7\""), s("São Paulo – 24/7"));
    }

    #[test]
    fn bad_strings() {
        assert_eq!(err(r#""\x""#), "$: invalid JSON: expected an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX) after `\\`, found `x` at line 1 column 3");
        assert_eq!(err(r#""\u12g4""#), "$: invalid JSON: expected four hex digits after `\\u`, found `g` at line 1 column 6");
        assert_eq!(err(r#"["ok", "\ud83d"]"#), "$[1]: invalid JSON: unpaired surrogate \\ud83d at line 1 column 9");
        assert_eq!(err(r#""\ud83d\u0041""#), "$: invalid JSON: unpaired surrogate \\ud83d at line 1 column 2");
        assert_eq!(err(r#""\ude00""#), "$: invalid JSON: unpaired surrogate \\ude00 at line 1 column 2");
        assert_eq!(err("\"a\nb\""), "$: invalid JSON: expected a character of the string (control characters must be escaped), found \"\\n\" at line 1 column 3");
        assert_eq!(err(r#"{"name": "open"#), "$.name: invalid JSON: expected `\"` to close the string, found the end of the input at line 1 column 15");
    }

    #[test]
    fn numbers() {
        for text in ["0", "-0", "7", "-12", "1.5", "1e3", "1E+3", "2.5e-3", "18446744073709551616"] {
            assert_eq!(ok(text), Value::Number(text.to_string()));
        }
        assert_eq!(err("01"), "$: invalid JSON: expected no digits after a leading 0, found `1` at line 1 column 2");
        assert_eq!(err("1."), "$: invalid JSON: expected a digit after the decimal point, found the end of the input at line 1 column 3");
        assert_eq!(err("-"), "$: invalid JSON: expected a digit, found the end of the input at line 1 column 2");
        assert_eq!(err("1e"), "$: invalid JSON: expected a digit in the exponent, found the end of the input at line 1 column 3");
        assert!(err("+1").contains("expected a value, found `+`"));
        assert!(err(".5").contains("expected a value, found `.`"));
        assert!(err("NaN").contains("expected a value, found `N`"));
    }

    #[test]
    fn depth_limit() {
        let nested = |depth: usize| "[".repeat(depth) + &"]".repeat(depth);
        assert!(parse(&nested(MAX_DEPTH)).is_ok());
        let e = err(&nested(MAX_DEPTH + 1));
        assert!(e.contains("nested more than 128 deep at line 1 column 129"), "{e}");
        // Far deeper input fails the same way instead of overflowing the stack.
        let deep = "{\"a\":".repeat(100_000);
        assert!(err(&deep).contains("nested more than 128 deep"));
    }

    #[test]
    fn trailing_commas_and_garbage() {
        assert_eq!(err("[1,]"), "$: invalid JSON: expected a value after `,` (no trailing commas in JSON), found `]` at line 1 column 4");
        assert_eq!(
            err("{\"a\": 1,\n}"),
            "$: invalid JSON: expected a string key after `,` (no trailing commas in JSON), found `}` at line 2 column 1"
        );
        assert_eq!(err("{} x"), "$: invalid JSON: expected the end of the input (trailing characters after the JSON value), found `x` at line 1 column 4");
        assert_eq!(err("[1 2]"), "$: invalid JSON: expected `,` or `]`, found `2` at line 1 column 4");
        assert_eq!(err("{\"a\" 1}"), "$.a: invalid JSON: expected `:` after the key, found `1` at line 1 column 6");
        assert_eq!(err("{\"a\": 1 \"b\": 2}"), "$: invalid JSON: expected `,` or `}`, found `\"` at line 1 column 9");
        assert_eq!(err("{1: 2}"), "$: invalid JSON: expected a string key, found `1` at line 1 column 2");
        assert_eq!(err(""), "$: invalid JSON: expected a value, found the end of the input at line 1 column 1");
        assert_eq!(err("\u{feff}{}"), "$: invalid JSON: expected a value, found `\u{feff}` at line 1 column 1");
        assert!(err("[tru]").contains("expected a value, found `t`"));
        assert!(err("// comment\n{}").contains("expected a value, found `/`"));
    }

    #[test]
    fn duplicate_keys_are_kept_for_the_decoder() {
        let pair = |key: &str, n: &str| (key.to_string(), Value::Number(n.to_string()));
        assert_eq!(ok("{\"a\": 1, \"a\": 2}"), Value::Object(vec![pair("a", "1"), pair("a", "2")]));
    }

    #[test]
    fn error_positions_and_paths() {
        assert_eq!(
            err("{\"id\": \"x\",\n  \"version\": }"),
            "$.version: invalid JSON: expected a value, found `}` at line 2 column 14"
        );
        assert_eq!(
            err("{\"name\": {\"pt-BR\": \"é\", \"en\": tru}}"),
            "$.name.en: invalid JSON: expected a value, found `t` at line 1 column 31"
        );
        assert_eq!(
            err("{\"name\": {\"pt-BR\": ]}}"),
            "$.name[\"pt-BR\"]: invalid JSON: expected a value, found `]` at line 1 column 20"
        );
        assert_eq!(err("{\"a\": [1, 2,\n\n   x]}"), "$.a[2]: invalid JSON: expected a value, found `x` at line 3 column 4");
        assert_eq!(err("{\"id\": \"x\",\n  \"version\": "), "$.version: invalid JSON: expected a value, found the end of the input at line 2 column 14");
    }

    #[test]
    fn paths_render_like_the_validator() {
        let root = Path::Root;
        let plans = Path::Key(&root, "plans");
        let first = Path::Index(&plans, 0);
        let name = Path::Key(&first, "pt-BR");
        let odd = Path::Key(&first, "a\"b\n\u{1}");
        assert_eq!(name.render(), "$.plans[0][\"pt-BR\"]");
        assert_eq!(odd.render(), "$.plans[0][\"a\\\"b\\n\\u0001\"]");
        assert_eq!(Path::Key(&root, "$schema").render(), "$[\"$schema\"]");
        assert_eq!(Path::Key(&root, "_x9").render(), "$._x9");
        let mut quoted = String::new();
        push_quoted(&mut quoted, "a\"\\\u{7f}é");
        assert_eq!(quoted, "\"a\\\"\\\\\u{7f}é\"");
    }

    #[test]
    fn never_panics_on_arbitrary_prefixes() {
        let text = r#"{"a": [1, -2.5e+3, "\ud83d\ude00\n", {"b": null, "c": true}], "d": false}"#;
        for end in 0..=text.len() {
            if let Some(prefix) = text.get(..end) {
                let _ = parse(prefix);
            }
        }
        for bytes in [&b"\"\\u"[..], b"\"\\ud800\\", b"[-", b"{\"", b"\"\\", b"1e+"] {
            let _ = parse(std::str::from_utf8(bytes).unwrap_or_default());
        }
    }
}
