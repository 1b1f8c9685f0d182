//! `triage classify`: walk a policy's questionnaire with answers from the command line and explain
//! the severity it gives.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use triage_policy::{Policy, Walk};

use crate::failure::{list, Failure};
use crate::load::load_policy;

/// The JSON printed on success.
#[derive(Debug, Serialize)]
pub struct ClassifyOutput {
    pub policy: String,
    pub version: String,
    pub severity: String,
    /// The severity's label in `locale`.
    pub label: String,
    /// The policy locale the texts are in.
    pub locale: String,
    pub trail: Vec<TrailOutput>,
}

/// One answered question of the path.
#[derive(Debug, Serialize)]
pub struct TrailOutput {
    pub question: String,
    pub answer: String,
    /// Why this answer counts, in `locale`.
    pub reason: String,
    pub unsure: bool,
    /// For an "I'm not sure" answer: the sibling answer it was treated as.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assumed: Option<String>,
}

/// A successful classification and warnings about answers that played no part.
pub struct ClassifyReport {
    pub output: ClassifyOutput,
    pub warnings: Vec<String>,
}

pub fn classify(path: &Path, answers: &[(String, String)], locale: Option<&str>) -> Result<ClassifyReport, Failure> {
    let policy = load_policy(path)?;
    let locale = pick_locale(&policy, locale)?;
    check_answer_ids(&policy, answers)?;
    let by_question: BTreeMap<String, String> = answers.iter().cloned().collect();
    let classification = match policy.walk(&by_question) {
        Ok(Walk::Done(classification)) => classification,
        Ok(Walk::Ask { question, path }) => {
            let so_far = if path.is_empty() {
                "no answer given for the first question".to_string()
            } else {
                let given: Vec<String> = path.iter().map(|s| format!("{}={}", s.question, s.answer)).collect();
                format!("after {}", given.join(" "))
            };
            let answer_ids = list(question.answers.iter().map(|a| a.id.as_str()), "none");
            return Err(Failure::Argument(format!(
                "incomplete answers ({so_far}): question \"{}\" ({}) is unanswered; add --answer {}=ANSWER with ANSWER one of: {answer_ids}",
                question.id,
                policy.text(&question.prompt, &locale),
                question.id,
            )));
        }
        // `check_answer_ids` already refused unknown answers; keep the engine's word if it differs.
        Err(e) => return Err(Failure::Argument(e.to_string())),
    };

    let mut trail = Vec::with_capacity(classification.trail.len());
    for step in &classification.trail {
        let answer = policy.answer(&step.question, &step.answer).ok_or_else(|| {
            Failure::Policy(format!("question \"{}\" has no answer \"{}\"", step.question, step.answer))
        })?;
        trail.push(TrailOutput {
            question: step.question.clone(),
            answer: step.answer.clone(),
            reason: policy.text(&answer.reason, &locale).to_string(),
            unsure: step.unsure,
            assumed: policy.assumed_answer(&step.question, &step.answer).map(|a| a.id.clone()),
        });
    }
    let warnings = answers
        .iter()
        .filter(|(q, _)| !classification.trail.iter().any(|s| &s.question == q))
        .map(|(q, a)| format!("--answer {q}={a} ignored: question \"{q}\" is not on the path of the other answers"))
        .collect();
    let label = policy
        .severity(&classification.severity)
        .map(|s| policy.text(&s.label, &locale).to_string())
        .unwrap_or_default();
    Ok(ClassifyReport {
        output: ClassifyOutput {
            policy: policy.id().to_string(),
            version: policy.version().to_string(),
            severity: classification.severity,
            label,
            locale,
            trail,
        },
        warnings,
    })
}

/// The policy locale for `requested` (same tag or same language), the policy's first without one.
fn pick_locale(policy: &Policy, requested: Option<&str>) -> Result<String, Failure> {
    let offered = policy.locales();
    let Some(requested) = requested else {
        return Ok(offered.first().cloned().unwrap_or_default());
    };
    let language = |tag: &str| tag.split(['-', '_']).next().unwrap_or(tag).to_ascii_lowercase();
    if offered.iter().any(|l| language(l) == language(requested)) {
        Ok(policy.locale(requested).to_string())
    } else {
        Err(Failure::Argument(format!(
            "unknown locale \"{requested}\": policy {} is written in {}",
            policy.id(),
            list(offered.iter().map(String::as_str), "no locale")
        )))
    }
}

/// Every `--answer` names a question of the policy and one of its answers.
fn check_answer_ids(policy: &Policy, answers: &[(String, String)]) -> Result<(), Failure> {
    let questions = &policy.file().questionnaire.questions;
    for (question_id, answer_id) in answers {
        let Some(question) = policy.question(question_id) else {
            return Err(Failure::Argument(format!(
                "--answer {question_id}={answer_id}: policy {} has no question \"{question_id}\"; questions: {}",
                policy.id(),
                list(questions.iter().map(|q| q.id.as_str()), "none")
            )));
        };
        if !question.answers.iter().any(|a| &a.id == answer_id) {
            return Err(Failure::Argument(format!(
                "--answer {question_id}={answer_id}: question \"{question_id}\" has no answer \"{answer_id}\"; answers: {}",
                list(question.answers.iter().map(|a| a.id.as_str()), "none")
            )));
        }
    }
    Ok(())
}
