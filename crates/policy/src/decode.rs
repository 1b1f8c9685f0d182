//! Decodes the JSON value tree of a policy file ([`crate::json`]) into the model types of
//! [`crate::model`], following their serde attributes exactly (`deny_unknown_fields`, `rename`,
//! `rename_all`, defaults, `Option`s, the externally tagged `Next`) and reporting every type
//! problem it finds, each with its JSON path, instead of stopping at the first.
//!
//! One mechanism serves every struct: [`Fields`] sorts an object's members into the struct's
//! field names (reporting unknown and repeated keys) and hands them out as required, optional or
//! defaulted fields; each struct's decoder is then one struct expression of field reads. Values
//! are moved out of the tree, so string values are never copied.
//!
//! Decoders always return a value: after reporting a problem they return a placeholder (an empty
//! string, zero, the first variant…), and the file is only handed out when nothing was reported.
//! A missing field's placeholder is made by decoding `null` with reporting switched off. This
//! keeps every decoder straight-line code, with no `Option` to unwrap or drop per field, which is
//! what keeps the WebAssembly small.
//!
//! Known differences from serde_json, all deliberate: a struct written as an array of its field
//! values (`"limit": [4, "hours"]`) and a unit variant written as a map (`{"hours": null}`) are
//! rejected, and so is a key written twice in one object, maps included (serde_json keeps the
//! last value of a map).

use std::collections::BTreeMap;

use crate::error::{PolicyError, PolicyErrors};
use crate::json::{push_quoted, Path, Value};
use crate::model::{
    Answer, AttachmentRule, Calendar, Channel, ContactField, ContactRule, EscalationRule, FeedFormat, Holiday,
    Localized, Next, Plan, PolicyFile, Product, Question, Questionnaire, Severity, SeverityTargets, Span, StatusFeed,
    Target, Unit, Weekday,
};

/// Decodes a whole policy file: the file, or every problem found.
pub(crate) fn policy_file(value: Value) -> Result<PolicyFile, PolicyErrors> {
    let mut decoder = Decoder { errors: Vec::new(), quiet: false };
    let file = policy(&mut decoder, value, &Path::Root);
    if decoder.errors.is_empty() {
        Ok(file)
    } else {
        Err(PolicyErrors(decoder.errors))
    }
}

/// Collects problems while decoding.
struct Decoder {
    errors: Vec<PolicyError>,
    /// Set while a placeholder is decoded from `null` for a value already reported.
    quiet: bool,
}

impl Decoder {
    /// Reports the concatenation of `parts` at `path`.
    fn error(&mut self, path: &Path, parts: &[&str]) {
        if !self.quiet {
            self.errors.push(PolicyError::new(path.render(), parts.concat()));
        }
    }

    /// Reports `expected <what>, found <a description of value>`.
    fn expected(&mut self, path: &Path, what: &str, found: &Value) {
        if !self.quiet {
            self.error(path, &["expected ", what, ", found ", &describe(found)]);
        }
    }
}

/// Decodes one value at a path into a `T`, or reports why not and returns a placeholder.
type Decode<T> = fn(&mut Decoder, Value, &Path) -> T;

/// `null`, `true`, `the number 1.5`, `the string "five"`, `an array`, `an object`.
fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(true) => "true".to_string(),
        Value::Bool(false) => "false".to_string(),
        Value::Number(number) => ["the number ", number].concat(),
        Value::String(text) => {
            let mut out = "the string ".to_string();
            match text.char_indices().nth(40) {
                Some((cut, _)) => {
                    push_quoted(&mut out, text.get(..cut).unwrap_or_default());
                    out.push('…');
                }
                None => push_quoted(&mut out, text),
            }
            out
        }
        Value::Array(_) => "an array".to_string(),
        Value::Object(_) => "an object".to_string(),
    }
}

/// `` `a`, `b`, `c` ``.
fn one_of(names: &[&str]) -> String {
    let mut out = String::new();
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push('`');
        out.push_str(name);
        out.push('`');
    }
    out
}

// ---- JSON types ----

fn string(d: &mut Decoder, value: Value, path: &Path) -> String {
    match value {
        Value::String(text) => text,
        other => {
            d.expected(path, "a string", &other);
            String::new()
        }
    }
}

fn boolean(d: &mut Decoder, value: Value, path: &Path) -> bool {
    match value {
        Value::Bool(flag) => flag,
        other => {
            d.expected(path, "true or false", &other);
            false
        }
    }
}

fn array(d: &mut Decoder, value: Value, path: &Path) -> Option<Vec<Value>> {
    match value {
        Value::Array(items) => Some(items),
        other => {
            d.expected(path, "an array", &other);
            None
        }
    }
}

/// The members of an object (none when it is not one); `what` describes the object expected.
fn members(d: &mut Decoder, value: Value, path: &Path, what: &str) -> Option<Vec<(String, Value)>> {
    match value {
        Value::Object(members) => Some(members),
        other => {
            d.expected(path, what, &other);
            None
        }
    }
}

/// An integer written without fraction or exponent within `0..=max`, or, when `signed`, within
/// `-max-1..=max`: whether it is negative, and its magnitude (0 after a problem).
fn integer(d: &mut Decoder, value: Value, path: &Path, signed: bool, max: u64) -> (bool, u64) {
    let Value::Number(text) = value else {
        d.expected(path, "an integer", &value);
        return (false, 0);
    };
    let (negative, digits) = match text.strip_prefix('-') {
        Some(digits) => (true, digits),
        None => (false, text.as_str()),
    };
    if !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        // The parser checked the grammar: anything but digits is a fraction or an exponent.
        d.error(path, &["expected an integer, found the number ", &text]);
        return (false, 0);
    }
    if negative && !signed {
        d.error(path, &["expected a non-negative integer, found ", &text]);
        return (false, 0);
    }
    let limit = max + u64::from(negative);
    let magnitude =
        digits.bytes().try_fold(0u64, |n, digit| n.checked_mul(10)?.checked_add(u64::from(digit - b'0')));
    match magnitude {
        Some(magnitude) if magnitude <= limit => return (negative, magnitude),
        _ if negative => d.error(path, &["integer ", &text, " is out of range (at least -", &limit.to_string(), ")"]),
        _ => d.error(path, &["integer ", &text, " is out of range (at most ", &max.to_string(), ")"]),
    }
    (false, 0)
}

fn int64(d: &mut Decoder, value: Value, path: &Path) -> i64 {
    let (negative, magnitude) = integer(d, value, path, true, i64::MAX.unsigned_abs());
    if negative {
        0i64.wrapping_sub_unsigned(magnitude)
    } else {
        magnitude as i64
    }
}

fn uint32(d: &mut Decoder, value: Value, path: &Path) -> u32 {
    integer(d, value, path, false, u64::from(u32::MAX)).1 as u32
}

fn uint64(d: &mut Decoder, value: Value, path: &Path) -> u64 {
    integer(d, value, path, false, u64::MAX).1
}

/// A JSON array of `T` (`Vec<T>`); every item is decoded, so every bad item is reported. The walk
/// over the items is shared by every `T` ([`items`]); only the push is per type.
#[inline(never)]
fn list<T>(d: &mut Decoder, value: Value, path: &Path, item: Decode<T>) -> Vec<T> {
    let mut list = List { out: Vec::new(), item };
    items(d, value, path, &mut list);
    list.out
}

/// Receives the items of an array one by one.
trait Items {
    fn push(&mut self, d: &mut Decoder, value: Value, path: &Path);
}

/// Decodes array items into a `Vec<T>`.
struct List<T> {
    out: Vec<T>,
    item: Decode<T>,
}

impl<T> Items for List<T> {
    fn push(&mut self, d: &mut Decoder, value: Value, path: &Path) {
        let decoded = (self.item)(d, value, path);
        self.out.push(decoded);
    }
}

/// Hands every item of an array, with its path, to `into`.
fn items(d: &mut Decoder, value: Value, path: &Path, into: &mut dyn Items) {
    for (index, item) in array(d, value, path).unwrap_or_default().into_iter().enumerate() {
        into.push(d, item, &Path::Index(path, index));
    }
}

/// A JSON object as a `BTreeMap`, keys decoded by `key` (`None`: reported, member left out) and
/// values by `item`. A key written twice is reported (serde_json would keep the last value).
#[inline(never)]
fn map<K: Ord, V>(
    d: &mut Decoder,
    value: Value,
    path: &Path,
    key: fn(&mut Decoder, &str, &Path) -> Option<K>,
    item: Decode<V>,
) -> BTreeMap<K, V> {
    let mut out = BTreeMap::new();
    for (name, value) in members(d, value, path, "an object").unwrap_or_default() {
        let at = Path::Key(path, &name);
        let (Some(k), v) = (key(d, &name, &at), item(d, value, &at)) else {
            continue;
        };
        if out.insert(k, v).is_some() {
            duplicate(d, &name, &at);
        }
    }
    out
}

fn any_key(_: &mut Decoder, key: &str, _: &Path) -> Option<String> {
    Some(key.to_string())
}

fn localized(d: &mut Decoder, value: Value, path: &Path) -> Localized {
    map(d, value, path, any_key, string)
}

/// Reports `key` written twice in one object: JSON leaves its meaning open, so it is an error.
fn duplicate(d: &mut Decoder, key: &str, path: &Path) {
    d.error(path, &["duplicate key `", key, "`"]);
}

/// The index of `text` among `names` (a `rename_all` enum), or `unknown <noun> …, expected one of …`.
fn variant(d: &mut Decoder, text: &str, path: &Path, noun: &str, names: &[&str]) -> Option<usize> {
    let index = names.iter().position(|name| *name == text);
    if index.is_none() {
        let mut quoted = String::new();
        push_quoted(&mut quoted, text);
        d.error(path, &["unknown ", noun, " ", &quoted, ", expected one of ", &one_of(names)]);
    }
    index
}

/// The index of a unit variant written as its name (0 after a problem).
fn named(d: &mut Decoder, value: Value, path: &Path, noun: &str, names: &[&str]) -> usize {
    let text = match value {
        Value::String(text) => text,
        other => {
            d.expected(path, "a string", &other);
            return 0;
        }
    };
    variant(d, &text, path, noun, names).unwrap_or(0)
}

// ---- structs ----

/// A JSON object being decoded into a struct: its members sorted into the struct's fields by
/// name (`deny_unknown_fields`: any other key, or a key twice, is reported), handed out one field
/// at a time.
struct Fields<'p> {
    path: &'p Path<'p>,
    names: &'static [&'static str],
    values: Vec<Option<Value>>,
    /// The value was not an object (reported): its fields are not reported missing as well.
    not_an_object: bool,
}

impl<'p> Fields<'p> {
    fn new(d: &mut Decoder, value: Value, path: &'p Path<'p>, names: &'static [&'static str]) -> Self {
        let mut values: Vec<Option<Value>> = names.iter().map(|_| None).collect();
        let members = members(d, value, path, "an object");
        let not_an_object = members.is_none();
        for (key, value) in members.unwrap_or_default() {
            let at = Path::Key(path, &key);
            match names.iter().position(|name| *name == key).and_then(|i| values.get_mut(i)) {
                Some(Some(_)) => duplicate(d, &key, &at),
                Some(slot) => *slot = Some(value),
                None => d.error(&at, &["unknown field `", &key, "`; expected one of ", &one_of(names)]),
            }
        }
        Fields { path, names, values, not_an_object }
    }

    fn take(&mut self, name: &str) -> Option<Value> {
        let index = self.names.iter().position(|n| *n == name);
        index.and_then(|i| self.values.get_mut(i)).and_then(Option::take)
    }

    /// The value of a required field. When absent it is reported missing and the placeholder is
    /// decoded from `null` with reporting off: returns the value and the decoder's previous
    /// `quiet`, to restore afterwards.
    fn take_required(&mut self, d: &mut Decoder, name: &'static str) -> (Value, bool) {
        let quiet = d.quiet;
        let value = self.take(name).unwrap_or_else(|| {
            if !self.not_an_object {
                d.error(self.path, &["missing field `", name, "`"]);
            }
            d.quiet = true;
            Value::Null
        });
        (value, quiet)
    }

    /// A field without default: `missing field` when absent.
    #[inline(never)]
    fn required<T>(&mut self, d: &mut Decoder, name: &'static str, decode: Decode<T>) -> T {
        let (value, quiet) = self.take_required(d, name);
        let decoded = decode(d, value, &Path::Key(self.path, name));
        d.quiet = quiet;
        decoded
    }

    /// An `Option` field (`#[serde(default)]`): absent or `null` is `None`.
    #[inline(never)]
    fn optional<T>(&mut self, d: &mut Decoder, name: &'static str, decode: Decode<T>) -> Option<T> {
        match self.take(name) {
            None | Some(Value::Null) => None,
            Some(value) => Some(decode(d, value, &Path::Key(self.path, name))),
        }
    }

    /// A field with a default: absent is `default()`; `null` is a type error, as with serde.
    #[inline(never)]
    fn or<T>(&mut self, d: &mut Decoder, name: &'static str, decode: Decode<T>, default: fn() -> T) -> T {
        match self.take(name) {
            None => default(),
            Some(value) => decode(d, value, &Path::Key(self.path, name)),
        }
    }
}

fn policy(d: &mut Decoder, value: Value, path: &Path) -> PolicyFile {
    const NAMES: &[&str] = &[
        "$schema",
        "id",
        "version",
        "locales",
        "name",
        "severities",
        "questionnaire",
        "plans",
        "default_plan",
        "unverified_plan",
        "calendars",
        "channels",
        "products",
        "outage_severities",
        "escalation",
        "contact",
        "attachments",
    ];
    let mut f = Fields::new(d, value, path, NAMES);
    PolicyFile {
        schema: f.optional(d, "$schema", string),
        id: f.required(d, "id", string),
        version: f.required(d, "version", string),
        locales: f.required(d, "locales", |d, v, p| list(d, v, p, string)),
        name: f.required(d, "name", localized),
        severities: f.required(d, "severities", |d, v, p| list(d, v, p, severity)),
        questionnaire: f.required(d, "questionnaire", questionnaire),
        plans: f.required(d, "plans", |d, v, p| list(d, v, p, plan)),
        default_plan: f.optional(d, "default_plan", string),
        unverified_plan: f.optional(d, "unverified_plan", string),
        calendars: f.required(d, "calendars", |d, v, p| list(d, v, p, calendar)),
        channels: f.or(d, "channels", |d, v, p| list(d, v, p, channel), Vec::new),
        products: f.or(d, "products", |d, v, p| list(d, v, p, product), Vec::new),
        outage_severities: f.or(d, "outage_severities", |d, v, p| list(d, v, p, string), Vec::new),
        escalation: f.or(d, "escalation", escalation, EscalationRule::default),
        contact: f.or(d, "contact", contact, ContactRule::default),
        attachments: f.or(d, "attachments", attachments, AttachmentRule::default),
    }
}

fn severity(d: &mut Decoder, value: Value, path: &Path) -> Severity {
    let mut f = Fields::new(d, value, path, &["id", "label", "definition", "examples"]);
    Severity {
        id: f.required(d, "id", string),
        label: f.required(d, "label", localized),
        definition: f.required(d, "definition", localized),
        examples: f.or(d, "examples", |d, v, p| list(d, v, p, localized), Vec::new),
    }
}

fn questionnaire(d: &mut Decoder, value: Value, path: &Path) -> Questionnaire {
    let mut f = Fields::new(d, value, path, &["start", "questions"]);
    Questionnaire {
        start: f.required(d, "start", string),
        questions: f.required(d, "questions", |d, v, p| list(d, v, p, question)),
    }
}

fn question(d: &mut Decoder, value: Value, path: &Path) -> Question {
    let mut f = Fields::new(d, value, path, &["id", "prompt", "help", "answers"]);
    Question {
        id: f.required(d, "id", string),
        prompt: f.required(d, "prompt", localized),
        help: f.optional(d, "help", localized),
        answers: f.required(d, "answers", |d, v, p| list(d, v, p, answer)),
    }
}

fn answer(d: &mut Decoder, value: Value, path: &Path) -> Answer {
    let mut f = Fields::new(d, value, path, &["id", "label", "reason", "next", "unsure"]);
    Answer {
        id: f.required(d, "id", string),
        label: f.required(d, "label", localized),
        reason: f.required(d, "reason", localized),
        next: f.optional(d, "next", next),
        unsure: f.or(d, "unsure", boolean, bool::default),
    }
}

/// Externally tagged: `{"question": "q2"}` or `{"severity": "P1"}`.
fn next(d: &mut Decoder, value: Value, path: &Path) -> Next {
    const EXPECTED: &str = "an object with one key, `question` or `severity`";
    let Some(members) = members(d, value, path, EXPECTED) else {
        return Next::Severity(String::new());
    };
    let mut members = members.into_iter();
    match (members.next(), members.next()) {
        (Some((kind, value)), None) => {
            let at = Path::Key(path, &kind);
            let kind = variant(d, &kind, &at, "key", &["question", "severity"]);
            let target = string(d, value, &at);
            match kind {
                Some(0) => Next::Question(target),
                _ => Next::Severity(target),
            }
        }
        (None, _) => {
            d.error(path, &["expected ", EXPECTED, ", found an empty object"]);
            Next::Severity(String::new())
        }
        _ => {
            d.error(path, &["expected ", EXPECTED, ", found an object with more keys"]);
            Next::Severity(String::new())
        }
    }
}

fn plan(d: &mut Decoder, value: Value, path: &Path) -> Plan {
    let mut f = Fields::new(d, value, path, &["id", "label", "coverage", "example_values", "note", "targets"]);
    Plan {
        id: f.required(d, "id", string),
        label: f.required(d, "label", localized),
        coverage: f.required(d, "coverage", localized),
        example_values: f.or(d, "example_values", boolean, bool::default),
        note: f.optional(d, "note", string),
        targets: f.required(d, "targets", |d, v, p| map(d, v, p, any_key, severity_targets)),
    }
}

fn severity_targets(d: &mut Decoder, value: Value, path: &Path) -> SeverityTargets {
    let mut f = Fields::new(d, value, path, &["first_response", "resolution"]);
    SeverityTargets { first_response: f.required(d, "first_response", target), resolution: f.required(d, "resolution", target) }
}

fn target(d: &mut Decoder, value: Value, path: &Path) -> Target {
    let mut f = Fields::new(d, value, path, &["limit", "average", "calendar"]);
    Target {
        limit: f.required(d, "limit", span),
        average: f.optional(d, "average", span),
        calendar: f.required(d, "calendar", string),
    }
}

const UNITS: [Unit; 5] = [Unit::Minutes, Unit::Hours, Unit::Days, Unit::BusinessHours, Unit::BusinessDays];
const UNIT_NAMES: [&str; 5] = ["minutes", "hours", "days", "business_hours", "business_days"];

fn span(d: &mut Decoder, value: Value, path: &Path) -> Span {
    let mut f = Fields::new(d, value, path, &["amount", "unit"]);
    Span {
        amount: f.required(d, "amount", int64),
        unit: f.required(d, "unit", |d, v, p| {
            UNITS.get(named(d, v, p, "unit", &UNIT_NAMES)).copied().unwrap_or(Unit::Minutes)
        }),
    }
}

fn calendar(d: &mut Decoder, value: Value, path: &Path) -> Calendar {
    let mut f = Fields::new(d, value, path, &["id", "time_zone", "label", "always_open", "hours", "holidays"]);
    Calendar {
        id: f.required(d, "id", string),
        time_zone: f.required(d, "time_zone", string),
        label: f.required(d, "label", localized),
        always_open: f.or(d, "always_open", boolean, bool::default),
        hours: f.or(d, "hours", |d, v, p| map(d, v, p, weekday, |d, v, p| list(d, v, p, interval)), BTreeMap::new),
        holidays: f.or(d, "holidays", |d, v, p| list(d, v, p, holiday), Vec::new),
    }
}

/// A weekday key of `hours` (`mon` … `sun`).
fn weekday(d: &mut Decoder, key: &str, path: &Path) -> Option<Weekday> {
    let index = variant(d, key, path, "weekday", &Weekday::ALL.map(Weekday::name))?;
    Weekday::ALL.get(index).copied()
}

/// An opening interval `["09:00", "12:00"]` (`[String; 2]`).
fn interval(d: &mut Decoder, value: Value, path: &Path) -> [String; 2] {
    let Some(items) = array(d, value, path) else {
        return Default::default();
    };
    match <[Value; 2]>::try_from(items) {
        Ok([from, to]) => [string(d, from, &Path::Index(path, 0)), string(d, to, &Path::Index(path, 1))],
        Err(items) => {
            let count = items.len().to_string();
            d.error(path, &["expected an array of 2 strings [\"from\", \"to\"], found ", &count, " items"]);
            Default::default()
        }
    }
}

fn holiday(d: &mut Decoder, value: Value, path: &Path) -> Holiday {
    let mut f = Fields::new(d, value, path, &["date", "name"]);
    Holiday { date: f.required(d, "date", string), name: f.required(d, "name", localized) }
}

fn channel(d: &mut Decoder, value: Value, path: &Path) -> Channel {
    let mut f = Fields::new(d, value, path, &["id", "label", "first_response", "needs_phone"]);
    Channel {
        id: f.required(d, "id", string),
        label: f.required(d, "label", localized),
        first_response: f.required(d, "first_response", target),
        needs_phone: f.or(d, "needs_phone", boolean, bool::default),
    }
}

fn product(d: &mut Decoder, value: Value, path: &Path) -> Product {
    let mut f = Fields::new(d, value, path, &["id", "label", "status_page", "status_feed"]);
    Product {
        id: f.required(d, "id", string),
        label: f.required(d, "label", localized),
        status_page: f.optional(d, "status_page", string),
        status_feed: f.optional(d, "status_feed", status_feed),
    }
}

fn status_feed(d: &mut Decoder, value: Value, path: &Path) -> StatusFeed {
    let mut f = Fields::new(d, value, path, &["url", "format", "proxy", "components"]);
    StatusFeed {
        url: f.required(d, "url", string),
        format: f.required(d, "format", feed_format),
        proxy: f.optional(d, "proxy", string),
        components: f.or(d, "components", |d, v, p| list(d, v, p, string), Vec::new),
    }
}

fn feed_format(d: &mut Decoder, value: Value, path: &Path) -> FeedFormat {
    const FORMATS: [FeedFormat; 2] = [FeedFormat::Statuspage, FeedFormat::Generic];
    let index = named(d, value, path, "feed format", &["statuspage", "generic"]);
    FORMATS.get(index).copied().unwrap_or(FeedFormat::Statuspage)
}

fn escalation(d: &mut Decoder, value: Value, path: &Path) -> EscalationRule {
    let mut f = Fields::new(d, value, path, &["allowed", "help", "plans"]);
    EscalationRule {
        allowed: f.or(d, "allowed", boolean, bool::default),
        help: f.optional(d, "help", localized),
        plans: f.optional(d, "plans", |d, v, p| list(d, v, p, string)),
    }
}

const CONTACT_FIELDS: [ContactField; 7] = [
    ContactField::Name,
    ContactField::Email,
    ContactField::Phone,
    ContactField::Company,
    ContactField::Subject,
    ContactField::Description,
    ContactField::Product,
];
const CONTACT_FIELD_NAMES: [&str; 7] = ["name", "email", "phone", "company", "subject", "description", "product"];

fn contact(d: &mut Decoder, value: Value, path: &Path) -> ContactRule {
    let mut f = Fields::new(d, value, path, &["required"]);
    ContactRule { required: f.or(d, "required", |d, v, p| list(d, v, p, contact_field), || ContactRule::default().required) }
}

fn contact_field(d: &mut Decoder, value: Value, path: &Path) -> ContactField {
    let index = named(d, value, path, "contact field", &CONTACT_FIELD_NAMES);
    CONTACT_FIELDS.get(index).copied().unwrap_or(ContactField::Name)
}

fn attachments(d: &mut Decoder, value: Value, path: &Path) -> AttachmentRule {
    let mut f = Fields::new(d, value, path, &["max_files", "max_bytes", "types"]);
    AttachmentRule {
        max_files: f.or(d, "max_files", uint32, || AttachmentRule::default().max_files),
        max_bytes: f.or(d, "max_bytes", uint64, || AttachmentRule::default().max_bytes),
        types: f.or(d, "types", |d, v, p| list(d, v, p, string), || AttachmentRule::default().types),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value as Json};

    use super::*;
    use crate::validate::parse_file;

    /// A small file with every kind of field.
    fn minimal() -> Json {
        let text = json!({ "en": "x" });
        let target = json!({ "limit": { "amount": 4, "unit": "hours" }, "calendar": "24x7" });
        json!({
            "id": "p", "version": "1", "locales": ["en"], "name": text,
            "severities": [{ "id": "P1", "label": text, "definition": text }],
            "questionnaire": { "start": "q", "questions": [{ "id": "q", "prompt": text, "answers": [
                { "id": "a", "label": text, "reason": text, "next": { "severity": "P1" } }
            ] }] },
            "plans": [{ "id": "basic", "label": text, "coverage": text,
                        "targets": { "P1": { "first_response": target, "resolution": target } } }],
            "calendars": [
                { "id": "24x7", "time_zone": "UTC", "label": text, "always_open": true },
                { "id": "office", "time_zone": "UTC", "label": text, "hours": { "mon": [["09:00", "17:00"]] } }
            ]
        })
    }

    fn decode(edit: impl FnOnce(&mut Json)) -> Result<PolicyFile, Vec<String>> {
        let mut value = minimal();
        edit(&mut value);
        let text = value.to_string();
        let ours = parse_file(&text).map_err(|errors| errors.iter().map(ToString::to_string).collect::<Vec<_>>());
        // Whatever serde_json says, the verdicts agree.
        let serde = serde_json::from_str::<PolicyFile>(&text);
        match (&ours, &serde) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "decoders disagree on {text}"),
            (Err(_), Err(_)) => {}
            _ => panic!("decoders disagree on {text}: ours {ours:?}, serde_json {serde:?}"),
        }
        ours
    }

    fn ok(edit: impl FnOnce(&mut Json)) -> PolicyFile {
        decode(edit).unwrap_or_else(|errors| panic!("should decode: {errors:#?}"))
    }

    fn errors(edit: impl FnOnce(&mut Json)) -> Vec<String> {
        decode(edit).err().unwrap_or_else(|| panic!("should not decode"))
    }

    fn remove(value: &mut Json, key: &str) {
        if let Some(object) = value.as_object_mut() {
            object.remove(key);
        }
    }

    #[test]
    fn defaults_and_absent_options() {
        let file = ok(|_| {});
        assert_eq!(file.schema, None);
        assert_eq!(file.default_plan, None);
        assert!(file.channels.is_empty() && file.products.is_empty());
        assert_eq!(file.escalation, EscalationRule::default());
        assert_eq!(file.contact, ContactRule::default());
        assert_eq!(file.attachments, AttachmentRule::default());
        assert_eq!(file.severities[0].examples, Vec::<Localized>::new());
        assert!(!file.plans[0].example_values && file.plans[0].note.is_none());
        assert_eq!(file.plans[0].targets["P1"].first_response.average, None);
        assert!(!file.calendars[1].always_open && file.calendars[1].holidays.is_empty());
        assert!(file.calendars[0].hours.is_empty());
        // Fields with a default but no Option: an explicit null is a type error, as with serde.
        let found = errors(|v| {
            v["channels"] = Json::Null;
            v["escalation"] = Json::Null;
            v["calendars"][0]["always_open"] = Json::Null;
        });
        assert_eq!(
            found,
            [
                "$.calendars[0].always_open: expected true or false, found null",
                "$.channels: expected an array, found null",
                "$.escalation: expected an object, found null",
            ]
        );
    }

    #[test]
    fn options_accept_null() {
        let file = ok(|v| {
            v["$schema"] = Json::Null;
            v["default_plan"] = Json::Null;
            v["plans"][0]["note"] = Json::Null;
            v["questionnaire"]["questions"][0]["help"] = Json::Null;
            v["questionnaire"]["questions"][0]["answers"][0]["next"] = Json::Null;
            v["plans"][0]["targets"]["P1"]["resolution"]["average"] = Json::Null;
            v["products"] = json!([{ "id": "x", "label": {}, "status_page": null }]);
            v["escalation"] = json!({ "help": null });
        });
        assert_eq!((file.schema, file.default_plan, &file.plans[0].note), (None, None, &None));
        assert_eq!(file.questionnaire.questions[0].answers[0].next, None);
        assert_eq!(file.products[0].status_page, None);
    }

    #[test]
    fn renamed_field_and_given_values() {
        let file = ok(|v| {
            v["$schema"] = json!("../schemas/policy.schema.json");
            v["default_plan"] = json!("basic");
            v["plans"][0]["example_values"] = json!(true);
            v["escalation"] = json!({ "allowed": true, "help": { "en": "why" } });
            v["contact"] = json!({ "required": ["email", "phone", "company", "product"] });
            v["attachments"] = json!({ "max_files": 0, "max_bytes": 18_446_744_073_709_551_615u64, "types": [] });
            v["calendars"][1]["holidays"] = json!([{ "date": "2026-12-25", "name": { "en": "Xmas" } }]);
        });
        assert_eq!(file.schema.as_deref(), Some("../schemas/policy.schema.json"));
        assert_eq!(file.default_plan.as_deref(), Some("basic"));
        assert!(file.plans[0].example_values && file.escalation.allowed);
        assert_eq!(
            file.contact.required,
            [ContactField::Email, ContactField::Phone, ContactField::Company, ContactField::Product]
        );
        assert_eq!((file.attachments.max_files, file.attachments.max_bytes), (0, u64::MAX));
        assert_eq!(file.calendars[1].holidays[0].date, "2026-12-25");
        let found = errors(|v| v["$schema"] = json!(7));
        assert_eq!(found, ["$[\"$schema\"]: expected a string, found the number 7"]);
    }

    #[test]
    fn unknown_fields_name_the_expected_ones() {
        let found = errors(|v| {
            v["colour"] = json!("blue");
            v["plans"][0]["targets"]["P1"]["first_response"]["limits"] = json!({});
            v["escalation"] = json!({ "allowed": true, "pt-BR": 1 });
        });
        assert_eq!(
            found,
            [
                "$.colour: unknown field `colour`; expected one of `$schema`, `id`, `version`, `locales`, `name`, \
                 `severities`, `questionnaire`, `plans`, `default_plan`, `unverified_plan`, \
                 `calendars`, `channels`, `products`, `outage_severities`, `escalation`, `contact`, `attachments`",
                "$.plans[0].targets.P1.first_response.limits: unknown field `limits`; expected one of `limit`, `average`, `calendar`",
                "$.escalation[\"pt-BR\"]: unknown field `pt-BR`; expected one of `allowed`, `help`, `plans`",
            ]
        );
    }

    #[test]
    fn missing_fields_are_reported_at_their_object() {
        let found = errors(|v| {
            remove(v, "id");
            remove(v, "calendars");
            remove(&mut v["severities"][0], "definition");
            remove(&mut v["plans"][0]["targets"]["P1"]["resolution"]["limit"], "unit");
        });
        assert_eq!(
            found,
            [
                "$: missing field `id`",
                "$.severities[0]: missing field `definition`",
                "$.plans[0].targets.P1.resolution.limit: missing field `unit`",
                "$: missing field `calendars`",
            ]
        );
    }

    #[test]
    fn wrong_types_say_what_was_found() {
        let found = errors(|v| {
            v["version"] = json!(2026);
            v["locales"] = json!("en");
            v["name"] = json!(["en"]);
            v["severities"][0]["label"]["en"] = json!(true);
            v["questionnaire"]["start"] = json!({ "id": "q" });
            v["plans"][0]["label"] = json!("x".repeat(50));
            v["plans"][0]["example_values"] = json!("yes");
        });
        assert_eq!(
            found,
            [
                "$.version: expected a string, found the number 2026",
                "$.locales: expected an array, found the string \"en\"",
                "$.name: expected an object, found an array",
                "$.severities[0].label.en: expected a string, found true",
                "$.questionnaire.start: expected a string, found an object",
                &format!("$.plans[0].label: expected an object, found the string \"{}\"…", "x".repeat(40)),
                "$.plans[0].example_values: expected true or false, found the string \"yes\"",
            ]
        );
        assert_eq!(errors(|v| *v = json!([])), ["$: expected an object, found an array"]);
    }

    #[test]
    fn externally_tagged_next() {
        let next = |file: PolicyFile| file.questionnaire.questions[0].answers[0].next.clone();
        assert_eq!(next(ok(|_| {})), Some(Next::Severity("P1".into())));
        let file = ok(|v| v["questionnaire"]["questions"][0]["answers"][0]["next"] = json!({ "question": "q" }));
        assert_eq!(next(file), Some(Next::Question("q".into())));
        let at = "$.questionnaire.questions[0].answers[0].next";
        for (given, problem) in [
            (json!("P1"), "expected an object with one key, `question` or `severity`, found the string \"P1\""),
            (json!({}), "expected an object with one key, `question` or `severity`, found an empty object"),
            (
                json!({ "question": "q", "severity": "P1" }),
                "expected an object with one key, `question` or `severity`, found an object with more keys",
            ),
        ] {
            let found = errors(|v| v["questionnaire"]["questions"][0]["answers"][0]["next"] = given);
            assert_eq!(found, [format!("{at}: {problem}")]);
        }
        let found = errors(|v| v["questionnaire"]["questions"][0]["answers"][0]["next"] = json!({ "sev": 1 }));
        assert_eq!(
            found,
            [
                format!("{at}.sev: unknown key \"sev\", expected one of `question`, `severity`"),
                format!("{at}.sev: expected a string, found the number 1"),
            ]
        );
    }

    #[test]
    fn enums_use_their_renamed_names() {
        let file = ok(|v| {
            v["plans"][0]["targets"]["P1"]["resolution"]["limit"]["unit"] = json!("business_days");
            v["calendars"][1]["hours"] = json!({ "sun": [], "tue": [["00:00", "24:00"], ["01:00", "02:00"]] });
        });
        assert_eq!(file.plans[0].targets["P1"].resolution.limit.unit, Unit::BusinessDays);
        assert_eq!(file.calendars[1].hours.keys().copied().collect::<Vec<_>>(), [Weekday::Tue, Weekday::Sun]);
        let found = errors(|v| {
            v["plans"][0]["targets"]["P1"]["resolution"]["limit"]["unit"] = json!("BusinessDays");
            v["calendars"][1]["hours"] = json!({ "Monday": [], "fri": [["09:00"], ["09:00", 17], ["a", "b", "c"], "x"] });
            v["contact"] = json!({ "required": ["name", "fax"] });
        });
        assert_eq!(
            found,
            [
                "$.plans[0].targets.P1.resolution.limit.unit: unknown unit \"BusinessDays\", expected one of \
                 `minutes`, `hours`, `days`, `business_hours`, `business_days`",
                "$.calendars[1].hours.Monday: unknown weekday \"Monday\", expected one of `mon`, `tue`, `wed`, `thu`, \
                 `fri`, `sat`, `sun`",
                "$.calendars[1].hours.fri[0]: expected an array of 2 strings [\"from\", \"to\"], found 1 items",
                "$.calendars[1].hours.fri[1][1]: expected a string, found the number 17",
                "$.calendars[1].hours.fri[2]: expected an array of 2 strings [\"from\", \"to\"], found 3 items",
                "$.calendars[1].hours.fri[3]: expected an array, found the string \"x\"",
                "$.contact.required[1]: unknown contact field \"fax\", expected one of `name`, `email`, `phone`, \
                 `company`, `subject`, `description`, `product`",
            ]
        );
    }

    #[test]
    fn integers_are_checked_for_fraction_sign_and_range() {
        let amount = |v: &mut Json, n: Json| v["plans"][0]["targets"]["P1"]["resolution"]["limit"]["amount"] = n;
        let at = "$.plans[0].targets.P1.resolution.limit.amount";
        let file = ok(|v| amount(v, json!(i64::MIN)));
        assert_eq!(file.plans[0].targets["P1"].resolution.limit.amount, i64::MIN);
        let file = ok(|v| amount(v, json!(i64::MAX)));
        assert_eq!(file.plans[0].targets["P1"].resolution.limit.amount, i64::MAX);
        assert_eq!(ok(|v| amount(v, json!(-3))).plans[0].targets["P1"].resolution.limit.amount, -3);
        for (given, problem) in [
            ("1.5", "expected an integer, found the number 1.5"),
            ("4.0", "expected an integer, found the number 4.0"),
            ("1e2", "expected an integer, found the number 1e2"),
            ("\"4\"", "expected an integer, found the string \"4\""),
            ("9223372036854775808", "integer 9223372036854775808 is out of range (at most 9223372036854775807)"),
            ("-9223372036854775809", "integer -9223372036854775809 is out of range (at least -9223372036854775808)"),
            ("99999999999999999999999", "integer 99999999999999999999999 is out of range (at most 9223372036854775807)"),
        ] {
            let text = minimal().to_string().replacen("\"amount\":4", &format!("\"amount\":{given}"), 2);
            let found: Vec<String> = parse_file(&text).expect_err(given).iter().map(ToString::to_string).collect();
            assert_eq!(found.len(), 2, "{found:?}");
            assert_eq!(found[0], format!("{}: {problem}", at.replace("resolution", "first_response")));
            assert!(serde_json::from_str::<PolicyFile>(&text).is_err(), "serde_json agrees on {given}");
        }
        let found = errors(|v| v["attachments"] = json!({ "max_files": -1, "max_bytes": "-0" }));
        assert_eq!(found[0], "$.attachments.max_files: expected a non-negative integer, found -1");
        let text = minimal().to_string().replacen('{', "{\"attachments\": {\"max_bytes\": -0},", 1);
        let found = parse_file(&text).expect_err("-0 is not a u64").to_string();
        assert_eq!(found, "$.attachments.max_bytes: expected a non-negative integer, found -0");
        let found = errors(|v| v["attachments"] = json!({ "max_files": 4_294_967_296u64, "max_bytes": 1.0 }));
        assert_eq!(
            found,
            [
                "$.attachments.max_files: integer 4294967296 is out of range (at most 4294967295)",
                "$.attachments.max_bytes: expected an integer, found the number 1.0",
            ]
        );
        let file = ok(|v| v["attachments"] = json!({ "max_files": 4_294_967_295u32 }));
        assert_eq!(file.attachments.max_files, u32::MAX);
        assert_eq!(file.attachments.max_bytes, AttachmentRule::default().max_bytes);
        assert_eq!(file.attachments.types, AttachmentRule::default().types);
    }

    #[test]
    fn map_keys_and_values_carry_their_path() {
        let found = errors(|v| {
            v["name"] = json!({ "pt-BR": 1, "en": "x" });
            v["plans"][0]["targets"]["P 2"] = json!(null);
        });
        assert_eq!(
            found,
            [
                "$.name[\"pt-BR\"]: expected a string, found the number 1",
                "$.plans[0].targets[\"P 2\"]: expected an object, found null",
            ]
        );
    }

    #[test]
    fn a_key_twice_is_an_error_in_structs_and_maps() {
        let text = minimal().to_string();
        let twice = |from: &str, to: &str| {
            assert!(text.contains(from), "{from}");
            let edited = text.replacen(from, to, 1);
            parse_file(&edited).expect_err("a key twice").iter().map(ToString::to_string).collect::<Vec<_>>()
        };
        assert_eq!(twice("{\"calendars\":", "{\"id\": \"q\", \"calendars\":"), ["$.id: duplicate key `id`"]);
        // serde_json would keep the last value of a map; here it is an error too.
        assert_eq!(twice("{\"en\":\"x\"}", "{\"en\":\"x\",\"en\":\"y\"}"), ["$.calendars[0].label.en: duplicate key `en`"]);
        assert_eq!(
            twice("\"mon\":[[\"09:00\",\"17:00\"]]", "\"mon\":[],\"mon\":[]"),
            ["$.calendars[1].hours.mon: duplicate key `mon`"]
        );
        let found = twice("{\"severity\":\"P1\"}", "{\"severity\":\"P1\",\"severity\":\"P1\"}");
        assert_eq!(
            found,
            ["$.questionnaire.questions[0].answers[0].next: expected an object with one key, `question` or `severity`, \
              found an object with more keys"]
        );
    }

    #[test]
    fn syntax_errors_stop_before_decoding() {
        let found = parse_file("{\"id\": 1,\n \"version\" 2}").expect_err("no colon");
        assert_eq!(found.to_string(), "$.version: invalid JSON: expected `:` after the key, found `2` at line 2 column 12");
    }
}
