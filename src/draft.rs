//! Drafts: what the customer has answered and typed, saved to `localStorage` as they go
//! (`triage-widget:draft:<policy id>`) and restored after a reload or reopening; cleared once the
//! ticket is delivered. Attachments are not drafted (they stay in memory while the page lives).

use serde::Serialize;

use crate::wire;

/// Where in the flow the customer was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    #[default]
    Questions,
    Result,
    Form,
}

/// The contact form's text fields.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct FormFields {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub company: String,
    pub subject: String,
    pub description: String,
    pub product: String,
}

/// A request for a more severe severity than the questionnaire gave.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct EscalationDraft {
    pub requested: bool,
    pub severity: String,
    pub reason: String,
}

/// Everything a customer would hate to type twice.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Draft {
    /// Answers in the order given: (question id, answer id).
    pub answers: Vec<(String, String)>,
    pub step: Step,
    pub escalation: EscalationDraft,
    pub fields: FormFields,
}

impl Draft {
    /// True when there is nothing worth keeping.
    pub fn is_empty(&self) -> bool {
        *self == Draft::default()
    }
}

/// The storage key of the draft for a policy.
pub fn storage_key(policy_id: &str) -> String {
    let mut key = String::from("triage-widget:draft:");
    key.push_str(policy_id);
    key
}

/// Reads a draft from its JSON; a corrupt or foreign value yields `None` rather than an error the
/// customer could do nothing about (see [`wire::draft`] for what a partial one keeps).
pub fn decode(json: &str) -> Option<Draft> {
    wire::draft(&wire::parse(json)?)
}

/// The draft as stored.
pub fn encode(draft: &Draft) -> String {
    serde_json::to_string(draft).unwrap_or_default()
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The saved draft for `policy_id`, if any.
pub fn load(policy_id: &str) -> Option<Draft> {
    let raw = local_storage()?
        .get_item(&storage_key(policy_id))
        .ok()
        .flatten()?;
    decode(&raw)
}

/// Saves (or, when empty, removes) the draft. Storage failures (private mode, quota) are
/// reported once per call on the console and otherwise ignored: the draft stays in memory.
pub fn save(policy_id: &str, draft: &Draft) {
    let Some(storage) = local_storage() else {
        return;
    };
    let key = storage_key(policy_id);
    let result = if draft.is_empty() {
        storage.remove_item(&key)
    } else {
        storage.set_item(&key, &encode(draft))
    };
    if let Err(error) = result {
        web_sys::console::warn_2(
            &"triage-widget: could not save the draft to localStorage".into(),
            &error,
        );
    }
}

/// Forgets the draft (after delivery).
pub fn clear(policy_id: &str) {
    if let Some(storage) = local_storage() {
        let _ = storage.remove_item(&storage_key(policy_id));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_survives_encoding() {
        let draft = Draft {
            answers: vec![
                ("impact".into(), "down".into()),
                ("workaround".into(), "none".into()),
            ],
            step: Step::Form,
            escalation: EscalationDraft {
                requested: true,
                severity: "P1".into(),
                reason: "payroll".into(),
            },
            fields: FormFields {
                name: "Ana".into(),
                email: "ana@example.com".into(),
                ..FormFields::default()
            },
        };
        assert_eq!(decode(&encode(&draft)), Some(draft));
    }

    #[test]
    fn corrupt_or_partial_drafts_are_handled() {
        assert_eq!(decode("{not json"), None);
        assert_eq!(decode("[1]"), None);
        let odd = decode(r#"{"step":"form","answers":[["q","a"],["bad"]],"fields":{"name":7,"email":"e"}}"#)
            .expect("an object is a draft");
        assert_eq!((odd.step, odd.answers), (Step::Form, vec![("q".into(), "a".into())]));
        assert_eq!((odd.fields.name.as_str(), odd.fields.email.as_str()), ("", "e"));
        let partial = decode(r#"{"fields":{"name":"Ana"}}"#).expect("partial draft");
        assert_eq!(partial.fields.name, "Ana");
        assert_eq!(partial.step, Step::Questions);
        assert!(Draft::default().is_empty());
        assert_eq!(
            storage_key("priority-p1-p4"),
            "triage-widget:draft:priority-p1-p4"
        );
    }
}
