//! The crate's own JSON decoder (`parse_file`) agrees with serde_json's derive-generated one on
//! the shipped policies and on systematic mutations of them: both accept with equal files, or both
//! reject. Every problem ours reports lies on the path of the mutation.

use std::path::PathBuf;

use serde_json::{json, Value};
use triage_policy::{parse_file, PolicyFile};

const POLICIES: [&str; 2] = ["priority-p1-p4.json", "impact-t1-t4.json"];

fn read_policy(file: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../www/policies").join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// One step from a value to a child.
#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

/// Every value in the tree, as the steps leading to it (the root first).
fn locations(value: &Value, here: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(here.clone());
    match value {
        Value::Object(members) => {
            for (key, child) in members {
                here.push(Step::Key(key.clone()));
                locations(child, here, out);
                here.pop();
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                here.push(Step::Index(index));
                locations(child, here, out);
                here.pop();
            }
        }
        _ => {}
    }
}

fn at<'v>(value: &'v mut Value, steps: &[Step]) -> &'v mut Value {
    steps.iter().fold(value, |v, step| match step {
        Step::Key(key) => &mut v[key.as_str()],
        Step::Index(index) => &mut v[*index],
    })
}

/// The validator's path style: `$.plans[0].targets.P1`, `$.name["pt-BR"]`.
fn json_path(steps: &[Step]) -> String {
    let mut out = String::from("$");
    for step in steps {
        match step {
            Step::Index(index) => out.push_str(&format!("[{index}]")),
            Step::Key(key) => {
                let mut chars = key.chars();
                let identifier = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                    && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
                if identifier {
                    out.push('.');
                    out.push_str(key);
                } else {
                    out.push_str(&format!("[{}]", Value::String(key.clone())));
                }
            }
        }
    }
    out
}

/// Both decoders on `text`: equal files, or both errors; ours only reports problems on `near`
/// (the mutated location, one of its ancestors or one of its descendants).
fn assert_agree(text: &str, what: &str, near: &str) -> bool {
    let ours = parse_file(text);
    let theirs = serde_json::from_str::<PolicyFile>(text);
    match (&ours, &theirs) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a, b, "{what}: both decode, differently");
            true
        }
        (Err(errors), Err(_)) => {
            assert!(!errors.is_empty());
            for error in errors {
                assert!(
                    near.starts_with(&error.path) || error.path.starts_with(near),
                    "{what}: problem away from {near}: {error}"
                );
            }
            false
        }
        (Ok(_), Err(e)) => panic!("{what}: ours accepts, serde_json rejects: {e}"),
        (Err(e), Ok(_)) => panic!("{what}: ours rejects, serde_json accepts:\n{e}"),
    }
}

/// Values of every JSON kind that stand in for each value in turn.
fn replacements() -> Vec<Value> {
    vec![
        json!(null),
        json!(true),
        json!(0),
        json!(-1),
        json!(1.5),
        json!(4_294_967_296u64),
        json!(""),
        json!("hours"),
        json!({}),
        json!({ "severity": "P1" }),
        json!([]),
        json!(["09:00", "12:00"]),
    ]
}

fn mutate_and_compare(file: &str) {
    let original: Value = serde_json::from_str(&read_policy(file)).expect("the policy is JSON");
    let mut all = Vec::new();
    locations(&original, &mut Vec::new(), &mut all);
    let (mut accepted, mut rejected) = (0, 0);
    let mut check = |edited: &Value, what: String, near: &str| {
        if assert_agree(&edited.to_string(), &format!("{file}: {what}"), near) {
            accepted += 1;
        } else {
            rejected += 1;
        }
    };
    for steps in &all {
        let place = json_path(steps);
        let original_here = steps.iter().try_fold(&original, |v, step| match step {
            Step::Key(key) => v.get(key.as_str()),
            Step::Index(index) => v.get(*index),
        });
        let Some(original_here) = original_here else { continue };
        // Remove the member or item.
        if let Some((last, parent)) = steps.split_last() {
            let mut edited = original.clone();
            match (at(&mut edited, parent), last) {
                (Value::Object(members), Step::Key(key)) => {
                    members.remove(key);
                }
                (Value::Array(items), Step::Index(index)) => {
                    items.remove(*index);
                }
                _ => continue,
            }
            check(&edited, format!("remove {place}"), &json_path(parent));
        }
        // Replace the value with one of every kind. (A struct written as an array of its field
        // values is a serde_json extension the policy format does not have: not tried.)
        for replacement in replacements() {
            if original_here.is_object() && replacement.is_array() {
                continue;
            }
            let mut edited = original.clone();
            *at(&mut edited, steps) = replacement.clone();
            check(&edited, format!("{place} = {replacement}"), &place);
        }
        match original_here {
            // An unknown key in every object (a new locale where the object is a text), and every
            // key renamed.
            Value::Object(members) => {
                for extra in [json!(1), json!("x")] {
                    let mut edited = original.clone();
                    at(&mut edited, steps)["zz_unknown"] = extra.clone();
                    check(&edited, format!("{place}.zz_unknown = {extra}"), &place);
                }
                for key in members.keys() {
                    let mut edited = original.clone();
                    if let Value::Object(members) = at(&mut edited, steps) {
                        if let Some(value) = members.remove(key) {
                            members.insert(format!("{key}_renamed"), value);
                        }
                    }
                    check(&edited, format!("rename {place}.{key}"), &place);
                }
            }
            // Every array one item longer (its first item repeated).
            Value::Array(items) => {
                if let Some(first) = items.first() {
                    let mut edited = original.clone();
                    if let Value::Array(items) = at(&mut edited, steps) {
                        items.push(first.clone());
                    }
                    check(&edited, format!("{place} + first item"), &place);
                }
            }
            _ => {}
        }
    }
    // Sanity: the mutations exercise both outcomes, many times.
    assert!(accepted > 100 && rejected > 1000, "{file}: {accepted} accepted, {rejected} rejected");
}

#[test]
fn shipped_policies_decode_identically() {
    for file in POLICIES {
        let text = read_policy(file);
        let ours = parse_file(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        let theirs: PolicyFile = serde_json::from_str(&text).expect("serde_json decodes it");
        assert_eq!(ours, theirs, "{file}");
    }
}

#[test]
fn mutated_priority_policy_agrees() {
    mutate_and_compare(POLICIES[0]);
}

#[test]
fn mutated_impact_policy_agrees() {
    mutate_and_compare(POLICIES[1]);
}

/// Integer edge cases at each integer field, written as text so the exact literal is kept.
#[test]
fn integer_literals_agree() {
    let text = read_policy(POLICIES[0]);
    let policy: Value = serde_json::from_str(&text).expect("JSON");
    let amount = policy["plans"][0]["targets"]["P1"]["first_response"]["limit"]["amount"].to_string();
    let needle = format!("\"amount\": {amount}");
    let first_amount = text.find("\"amount\"").unwrap_or_default();
    assert!(text.get(first_amount..).is_some_and(|rest| rest.starts_with(&needle)), "the first amount is {needle}");
    assert!(text.find("\"plans\"").is_some_and(|plans| plans < first_amount), "the first amount is in a plan");
    for literal in [
        "0", "1", "-1", "1.0", "1e1", "1E+1", "-1.5e-3", "9223372036854775807", "9223372036854775808",
        "-9223372036854775808", "-9223372036854775809", "18446744073709551615", "18446744073709551616",
        "123456789012345678901234567890",
    ] {
        let edited = text.replacen(&needle, &format!("\"amount\": {literal}"), 1);
        assert_agree(&edited, &format!("amount {literal}"), "$.plans[0].targets.P1.first_response.limit.amount");
        for field in ["max_files", "max_bytes"] {
            let edited = text.replacen("\"id\":", &format!("\"attachments\": {{\"{field}\": {literal}}}, \"id\":"), 1);
            assert_agree(&edited, &format!("{field} {literal}"), &format!("$.attachments.{field}"));
        }
    }
}
