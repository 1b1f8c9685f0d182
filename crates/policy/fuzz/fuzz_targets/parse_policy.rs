//! Fuzz target: any bytes given to the policy parser give a policy or a list of problems, never a
//! panic or a hang; a policy that parses can be walked, classified and asked for due times.
#![no_main]

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use libfuzzer_sys::fuzz_target;
use triage_policy::{parse_policy, Tzdb, Walk};

fuzz_target!(|data: &[u8]| {
    let Ok(json) = std::str::from_utf8(data) else { return };
    let policy = match parse_policy(json, &Tzdb) {
        Ok(policy) => policy,
        Err(errors) => {
            assert!(!errors.is_empty(), "an error list is never empty");
            for error in &errors {
                assert!(error.path.starts_with('$'), "path {:?} does not start at the root", error.path);
            }
            return;
        }
    };
    // Answer every question with its first answer until the questionnaire ends.
    let mut answers = BTreeMap::new();
    let severity = loop {
        match policy.walk(&answers) {
            Ok(Walk::Ask { question, .. }) => {
                let first = question.answers.first().expect("validated questions have answers");
                answers.insert(question.id.clone(), first.id.clone());
            }
            Ok(Walk::Done(classification)) => break classification.severity,
            Err(e) => panic!("walk of a valid policy failed: {e}"),
        }
    };
    assert!(policy.severity(&severity).is_some());
    let opened = DateTime::<Utc>::from_timestamp(1_795_000_000, 0).expect("valid instant");
    for plan in policy.plans() {
        let due = policy.due(&plan.id, &severity, None, opened, &Tzdb).expect("due time of a valid policy");
        assert!(
            due.first_response.due.with_timezone(&Utc) >= opened && due.resolution.due.with_timezone(&Utc) >= opened
        );
    }
    for locale in ["en", "pt-BR", "xx"] {
        let _ = policy.text(&policy.file().name, locale);
    }
});
