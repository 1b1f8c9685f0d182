//! End-to-end tests of the `triage` binary: exit codes, stdout and stderr, against the shipped seed
//! policies and against broken policies written to a temporary directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn seed(file: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../www/policies").join(file);
    path.to_str().expect("UTF-8 repo path").to_string()
}

fn priority() -> String {
    seed("priority-p1-p4.json")
}

fn impact() -> String {
    seed("impact-t1-t4.json")
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn triage(args: &[&str]) -> Run {
    let Output { status, stdout, stderr } =
        Command::new(env!("CARGO_BIN_EXE_triage")).args(args).output().expect("the triage binary runs");
    Run {
        code: status.code().expect("exited normally, not by a signal"),
        stdout: String::from_utf8(stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(stderr).expect("UTF-8 stderr"),
    }
}

fn json(run: &Run) -> Value {
    assert_eq!(run.code, 0, "expected success; stderr:\n{}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", run.stdout))
}

/// A fresh directory for one test's files.
fn temp_dir(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("triage-cli-tests").join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

/// The priority seed with `edit` applied, written to `dir/name`.
fn broken_policy(dir: &Path, name: &str, edit: impl FnOnce(&mut Value)) -> String {
    let text = std::fs::read_to_string(priority()).expect("read seed");
    let mut value: Value = serde_json::from_str(&text).expect("seed is JSON");
    edit(&mut value);
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(&value).expect("serialize")).expect("write policy");
    path.to_str().expect("UTF-8 temp path").to_string()
}

// ---- check ----

#[test]
fn check_accepts_both_seed_policies_with_a_summary() {
    let run = triage(&["check", &priority()]);
    assert_eq!(run.code, 0, "stderr:\n{}", run.stderr);
    assert!(run.stdout.starts_with("OK "), "{}", run.stdout);
    assert!(run.stdout.contains("policy priority-p1-p4 version"));
    assert!(run.stdout.contains("severities: P1, P2, P3, P4"));
    assert!(
        run.stdout.contains(
            "plans:      business-plus (default, may ask to escalate), pro (unverified customers, example values)"
        ),
        "{}",
        run.stdout
    );
    assert!(!run.stderr.contains("warning:"), "every P1–P4 first response comes before its resolution: {}", run.stderr);
    assert!(run.stderr.contains("note: plan pro holds example values"), "{}", run.stderr);
    assert!(run.stderr.contains("lists holidays up to 2027-12-25"), "{}", run.stderr);

    let run = triage(&["check", &impact()]);
    assert_eq!(run.code, 0, "stderr:\n{}", run.stderr);
    assert!(run.stdout.contains("severities: T1, T2, T3, T4"));
    assert!(run.stdout.contains("channels:   chat, whatsapp, email"));
    assert!(run.stdout.contains("products:   nps, cxm"));
    assert!(
        run.stdout.contains(
            "incidents:  nps (statuspage https://nps.status.track.co/api/v2/summary.json, read through /api/status/nps), \
             cxm (statuspage https://cxm.status.track.co/api/v2/summary.json, read through /api/status/cxm)"
        ),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("outage:     T1 (a known incident is shown before sending)"), "{}", run.stdout);
    // T1 resolves within 4 h; the general answer (24 h) and e-mail (24 h) come later.
    assert_eq!(
        run.stderr,
        "warning: plan standard's first-response target (24 hours) exceeds the T1 resolution target of plan standard \
         (4 hours): such first responses are shown and counted as due with the resolution\n\
         warning: channel email's first-response target (24 hours) exceeds the T1 resolution target of plan standard \
         (4 hours): such first responses are shown and counted as due with the resolution\n",
        "no example values or holidays to note, only the first responses that overrun"
    );
}

#[test]
fn check_lists_every_problem_with_its_json_path() {
    let dir = temp_dir("check_lists_every_problem");
    let path = broken_policy(&dir, "broken.json", |p| {
        p["plans"][0]["targets"]["P3"]["resolution"]["limit"]["amount"] = 0.into();
        p["calendars"][1]["time_zone"] = "America/Sao_Paul".into();
        p["questionnaire"]["questions"][0]["answers"][0]["next"] = serde_json::json!({ "severity": "P9" });
        p["plans"][1]["targets"].as_object_mut().expect("targets object").remove("P4");
        p["severities"][1]["label"].as_object_mut().expect("label object").remove("en");
        p["products"] =
            serde_json::json!([{ "id": "x", "label": { "pt-BR": "X", "en": "X" }, "status_page": "ftp://x" }]);
    });
    let run = triage(&["check", &path]);
    assert_eq!(run.code, 1, "stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("is not a valid policy: 6 problems"), "{}", run.stderr);
    for expected in [
        "$.plans[0].targets.P3.resolution.limit.amount:",
        "$.calendars[1].time_zone:",
        "$.questionnaire.questions[0].answers[0].next.severity:",
        "$.plans[1].targets:",
        "$.severities[1].label:",
        "$.products[0].status_page:",
    ] {
        assert!(run.stderr.contains(expected), "missing {expected} in:\n{}", run.stderr);
    }
}

#[test]
fn check_reports_status_feed_problems_and_notes_cors() {
    let dir = temp_dir("check_status_feeds");
    let bad = broken_policy(&dir, "bad-feed.json", |p| {
        p["products"] = serde_json::json!([{ "id": "app", "label": { "pt-BR": "App", "en": "App" },
            "status_feed": { "url": "javascript:alert(1)", "format": "statuspage" } }]);
        p["outage_severities"] = serde_json::json!(["P0"]);
    });
    let run = triage(&["check", &bad]);
    assert_eq!(run.code, 1, "stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    for expected in [
        "$.products[0].status_feed.url: \"javascript:alert(1)\" is not an https or http URL, nor a path like /status.json",
        "$.outage_severities[0]: unknown severity \"P0\"",
    ] {
        assert!(run.stderr.contains(expected), "missing {expected} in:\n{}", run.stderr);
    }

    let direct = broken_policy(&dir, "direct-feed.json", |p| {
        p["products"] = serde_json::json!([{ "id": "app", "label": { "pt-BR": "App", "en": "App" },
            "status_feed": { "url": "https://status.example.com/api/v2/summary.json", "format": "statuspage" } }]);
    });
    let run = triage(&["check", &direct]);
    assert_eq!(run.code, 0, "stderr:\n{}", run.stderr);
    assert!(
        run.stdout.contains("incidents:  app (statuspage https://status.example.com/api/v2/summary.json)"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("outage:     P1"), "{}", run.stdout);
    assert!(
        run.stderr.contains("must send CORS headers (Access-Control-Allow-Origin), or set \"proxy\""),
        "{}",
        run.stderr
    );

    let run = triage(&["check", "--format", "json", &direct]);
    let out: Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(out["policy"]["outage_severities"], serde_json::json!(["P1"]));
    assert_eq!(out["policy"]["status_feeds"][0]["product"], "app");
    assert_eq!(out["policy"]["status_feeds"][0]["format"], "statuspage");
}

#[test]
fn check_explains_the_fix_of_each_obvious_problem() {
    let dir = temp_dir("check_fix_hints");
    let path = broken_policy(&dir, "broken.json", |p| {
        p["calendars"][1]["time_zone"] = "America/Sao_Paul".into();
        p["plans"][1]["targets"].as_object_mut().expect("targets object").remove("P4");
        p["default_plan"] = "enterprise".into();
    });
    let run = triage(&["check", &path]);
    assert_eq!(run.code, 1, "stderr:\n{}", run.stderr);
    for expected in [
        "  $.plans[1].targets: missing severity \"P4\"\n      fix: add `plans[1].targets.P4`",
        "fix: did you mean \"America/Sao_Paulo\"?",
        "fix: use one of the plan ids: business-plus, pro",
    ] {
        assert!(run.stderr.contains(expected), "missing {expected} in:\n{}", run.stderr);
    }
    // Shape problems are found before the rest is checked.
    let typo = broken_policy(&dir, "typo.json", |p| {
        p["plans"][0]["targets"]["P1"]["first_response"]["limits"] = serde_json::json!({});
    });
    let run = triage(&["check", &typo]);
    assert!(run.stderr.contains("fix: rename `limits` to `limit`"), "{}", run.stderr);
}

#[test]
fn check_format_json_reports_problems_with_path_message_and_fix() {
    let dir = temp_dir("check_format_json");
    let path = broken_policy(&dir, "broken.json", |p| {
        p["plans"][1]["targets"].as_object_mut().expect("targets object").remove("P4");
        p["severities"][1]["label"].as_object_mut().expect("label object").remove("en");
        p["calendars"][0]["hours"] = serde_json::json!({ "mon": [["09:00", "18:00"]] });
    });
    let run = triage(&["check", "--format", "json", &path]);
    assert_eq!(run.code, 1, "an invalid policy still exits 1; stderr:\n{}", run.stderr);
    assert_eq!(run.stderr, "", "everything is in the JSON");
    let out: Value = serde_json::from_str(&run.stdout).expect("stdout is JSON");
    assert_eq!(out["valid"], false);
    assert_eq!(out["file"], path.as_str());
    let problems = out["problems"].as_array().expect("problems array");
    let plan = problems.iter().find(|p| p["path"] == "$.plans[1].targets").expect("the missing target");
    assert_eq!(plan["message"], "missing severity \"P4\"");
    assert!(plan["fix"].as_str().expect("a fix").starts_with("add `plans[1].targets.P4`"));
    let label = problems.iter().find(|p| p["path"] == "$.severities[1].label").expect("the missing translation");
    assert_eq!(label["fix"], "add `severities[1].label.en`");
    let hours = problems.iter().find(|p| p["path"] == "$.calendars[0].hours").expect("hours on a 24/7 calendar");
    assert!(hours.get("fix").is_none(), "the message already says what to do: {hours}");

    let run = triage(&["check", "--format=json", &priority()]);
    let out = json(&run);
    assert_eq!(out["valid"], true);
    assert_eq!(out["problems"], serde_json::json!([]));
    assert_eq!(out["policy"]["severities"], serde_json::json!(["P1", "P2", "P3", "P4"]));
    assert_eq!(
        out["policy"]["plans"][0],
        serde_json::json!({
            "id": "business-plus", "default": true, "unverified": false, "example_values": false,
            "may_request_escalation": true,
        })
    );
    assert_eq!(out["policy"]["plans"][1]["unverified"], true);
    assert_eq!(out["warnings"], serde_json::json!([]));
    assert!(out["notes"][0].as_str().expect("a note").contains("plan pro holds example values"));
    assert_eq!(run.stderr, "", "notes go into the JSON");

    let missing = dir.join("nowhere.json");
    let run = triage(&["check", "--format", "json", missing.to_str().expect("UTF-8")]);
    assert_eq!(run.code, 1);
    let out: Value = serde_json::from_str(&run.stdout).expect("stdout is JSON");
    assert_eq!(out["valid"], false);
    assert!(out["error"].as_str().expect("error").contains("cannot read policy file"));
}

#[test]
fn check_reports_syntax_errors_unknown_fields_and_missing_files() {
    let dir = temp_dir("check_syntax");
    let truncated = dir.join("truncated.json");
    std::fs::write(&truncated, "{\"id\": \"x\",\n  \"version\": ").expect("write");
    let run = triage(&["check", truncated.to_str().expect("UTF-8")]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("line 2"), "the position of the syntax error: {}", run.stderr);

    let typo = broken_policy(&dir, "typo.json", |p| {
        p["plans"][0]["targets"]["P1"]["first_response"]["limits"] = serde_json::json!({});
    });
    let run = triage(&["check", &typo]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("unknown field `limits`"), "{}", run.stderr);

    let missing = dir.join("does-not-exist.json");
    let run = triage(&["check", missing.to_str().expect("UTF-8")]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("cannot read policy file") && run.stderr.contains("does-not-exist.json"));
}

// ---- classify ----

#[test]
fn classify_explains_the_severity_in_the_policys_first_locale_by_default() {
    let run = triage(&[
        "classify",
        "--policy",
        &priority(),
        "--answer",
        "situation=not_working",
        "--answer",
        "impact=stopped",
        "--answer",
        "workaround_critical=none",
    ]);
    let out = json(&run);
    assert_eq!(out["severity"], "P1");
    assert_eq!(out["label"], "Urgente (P1)");
    assert_eq!(out["locale"], "pt-BR");
    let trail = out["trail"].as_array().expect("trail array");
    assert_eq!(trail.len(), 3);
    assert_eq!(trail[2]["question"], "workaround_critical");
    assert_eq!(trail[2]["answer"], "none");
    assert_eq!(trail[2]["reason"], "não existe solução alternativa");
    assert_eq!(trail[2]["unsure"], false);
}

#[test]
fn classify_in_english_with_unsure_answers() {
    let run = triage(&[
        "classify",
        "--policy",
        &impact(),
        "--locale",
        "en",
        "--answer",
        "works=unsure",
        "--answer=workaround=none",
        "--answer",
        "scope=one_user",
    ]);
    let out = json(&run);
    assert_eq!(out["severity"], "T2");
    assert_eq!(out["label"], "T2 - High impact");
    assert_eq!(out["trail"][0]["unsure"], true);
    assert_eq!(out["trail"][0]["assumed"], "broken");
    assert_eq!(out["trail"][0]["reason"], "not sure it is a fault: treated as one");
    assert_eq!(out["trail"][1]["reason"], "no viable workaround exists");
    assert_eq!(out["trail"][2]["reason"], "it critically affects one user of a single organization");
}

#[test]
fn classify_every_seed_example() {
    let cases: &[(&str, &[&str], &str)] = &[
        ("priority", &["situation=service_down"], "P1"),
        ("priority", &["situation=data_lost"], "P1"),
        ("priority", &["situation=not_working", "impact=stopped", "workaround_critical=none"], "P1"),
        ("priority", &["situation=not_working", "impact=stopped", "workaround_critical=temporary"], "P2"),
        ("priority", &["situation=not_working", "impact=limited"], "P2"),
        ("priority", &["situation=not_working", "impact=usable", "workaround_minor=short_term"], "P3"),
        ("priority", &["situation=not_working", "impact=usable", "workaround_minor=unsure"], "P3"),
        ("priority", &["situation=not_working", "impact=usable", "workaround_minor=acceptable"], "P4"),
        ("priority", &["situation=question"], "P4"),
        ("impact", &["works=broken", "workaround=none", "scope=all_users"], "T1"),
        ("impact", &["works=broken", "workaround=none", "scope=one_user"], "T2"),
        ("impact", &["works=broken", "workaround=easy"], "T3"),
        ("impact", &["works=not_intuitive"], "T4"),
    ];
    for (which, given, expected) in cases {
        let policy = if *which == "priority" { priority() } else { impact() };
        let mut args = vec!["classify".to_string(), "--policy".to_string(), policy];
        for answer in *given {
            args.push("--answer".to_string());
            args.push(answer.to_string());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = json(&triage(&args));
        assert_eq!(out["severity"], *expected, "{given:?}");
    }
}

#[test]
fn classify_with_incomplete_answers_names_the_next_question_and_its_answers() {
    let run = triage(&["classify", "--policy", &priority(), "--answer", "situation=not_working"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("question \"impact\""), "{}", run.stderr);
    assert!(run.stderr.contains("stopped, limited, usable, unsure"), "{}", run.stderr);
    assert!(run.stderr.contains("--answer impact=ANSWER"), "{}", run.stderr);

    let run = triage(&["classify", "--policy", &impact()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("question \"works\""), "{}", run.stderr);
    assert!(run.stderr.contains("broken, not_intuitive, unsure"), "{}", run.stderr);
}

#[test]
fn classify_refuses_unknown_questions_answers_and_locales() {
    let run = triage(&["classify", "--policy", &priority(), "--answer", "situaton=question"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no question \"situaton\""), "{}", run.stderr);
    assert!(run.stderr.contains("situation, impact, workaround_critical, workaround_minor"), "{}", run.stderr);

    let run = triage(&["classify", "--policy", &priority(), "--answer", "situation=broken"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("has no answer \"broken\""), "{}", run.stderr);
    assert!(run.stderr.contains("service_down, data_lost, not_working, question"), "{}", run.stderr);

    let run = triage(&["classify", "--policy", &priority(), "--answer", "situation=question", "--locale", "fr"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("unknown locale \"fr\"") && run.stderr.contains("pt-BR, en"), "{}", run.stderr);
}

#[test]
fn classify_warns_about_answers_off_the_path() {
    let run =
        triage(&["classify", "--policy", &priority(), "--answer", "situation=question", "--answer", "impact=limited"]);
    assert_eq!(json(&run)["severity"], "P4");
    assert!(run.stderr.contains("--answer impact=limited ignored"), "{}", run.stderr);
}

#[test]
fn classify_and_due_refuse_an_invalid_policy_with_exit_1() {
    let dir = temp_dir("classify_invalid_policy");
    let path = broken_policy(&dir, "bad.json", |p| p["questionnaire"]["start"] = "nowhere".into());
    let run = triage(&["classify", "--policy", &path, "--answer", "situation=question"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("$.questionnaire.start:"), "{}", run.stderr);
    let run =
        triage(&["due", "--policy", &path, "--plan", "pro", "--severity", "P1", "--opened", "2026-01-01T00:00:00Z"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("$.questionnaire.start:"), "{}", run.stderr);
}

// ---- due ----

#[test]
fn due_p3_opened_on_a_holiday_evening_is_due_next_business_day() {
    // Friday 2026-11-20 is Consciência Negra; the weekend follows: the business clock starts on
    // Monday 09:00 and 1 business day later is Tuesday 09:00. First response: 2 h, 24/7.
    let run = triage(&[
        "due",
        "--policy",
        &priority(),
        "--plan",
        "business-plus",
        "--severity",
        "P3",
        "--opened",
        "2026-11-20T19:30:00-03:00",
    ]);
    let out = json(&run);
    assert_eq!(out["first_response"]["due"], "2026-11-20T21:30:00-03:00");
    assert_eq!(out["resolution"]["due"], "2026-11-24T09:00:00-03:00");
    assert_eq!(out["resolution"]["limit"], serde_json::json!({ "amount": 1, "unit": "business_days" }));
    assert_eq!(out["resolution"]["calendar"], "sao-paulo-business");
    assert!(out["resolution"].get("average_due").is_none(), "the seed gives no average");
    assert!(out.get("example_values").is_none());
    assert_eq!(run.stderr, "");
}

#[test]
fn due_answers_in_the_calendars_offset_whatever_the_input_offset() {
    let run = triage(&[
        "due",
        "--policy",
        &priority(),
        "--plan",
        "business-plus",
        "--severity",
        "P1",
        "--opened",
        "2026-11-23T12:00:00Z",
    ]);
    let out = json(&run);
    assert_eq!(out["opened"], "2026-11-23T12:00:00Z");
    assert_eq!(out["first_response"]["due"], "2026-11-23T09:30:00-03:00");
    assert_eq!(out["resolution"]["due"], "2026-11-23T13:00:00-03:00");
}

#[test]
fn due_with_a_channel_and_averages() {
    let run = triage(&[
        "due",
        "--policy",
        &impact(),
        "--plan",
        "standard",
        "--severity",
        "T2",
        "--opened",
        "2026-11-20T19:30:00-03:00",
        "--channel",
        "whatsapp",
    ]);
    let out = json(&run);
    assert_eq!(out["channel"], "whatsapp");
    assert_eq!(out["first_response"]["due"], "2026-11-20T19:34:00-03:00");
    assert_eq!(out["first_response"]["average_due"], "2026-11-20T19:33:00-03:00");
    assert_eq!(out["resolution"]["due"], "2026-11-21T19:30:00-03:00");
    assert_eq!(out["resolution"]["average_due"], "2026-11-21T03:30:00-03:00");
    assert_eq!(out["resolution"]["time_zone"], "America/Sao_Paulo");
}

#[test]
fn due_caps_a_first_response_that_would_come_after_the_resolution_and_says_so() {
    let run = triage(&[
        "due",
        "--policy",
        &impact(),
        "--plan",
        "standard",
        "--severity",
        "T1",
        "--opened",
        "2026-11-20T19:30:00-03:00",
        "--channel",
        "email",
    ]);
    let out = json(&run);
    assert_eq!(
        out["first_response"]["due"], "2026-11-20T23:30:00-03:00",
        "due with the 4 h resolution, not 24 h later"
    );
    assert_eq!(out["first_response"]["capped"], true);
    assert_eq!(out["first_response"]["limit"], serde_json::json!({ "amount": 24, "unit": "hours" }));
    assert_eq!(out["first_response"]["average_due"], "2026-11-20T23:30:00-03:00", "6 h average capped too");
    assert!(out["resolution"].get("capped").is_none());
    assert_eq!(
        run.stderr,
        "warning: the first-response target (24 hours) runs out after the resolution's (4 hours): the first response \
         is due with the resolution, at 2026-11-20T23:30:00-03:00\n"
    );
    // By chat (4 min) nothing is capped.
    let run = triage(&[
        "due",
        "--policy",
        &impact(),
        "--plan",
        "standard",
        "--severity",
        "T1",
        "--opened",
        "2026-11-20T19:30:00-03:00",
        "--channel",
        "chat",
    ]);
    let out = json(&run);
    assert!(out["first_response"].get("capped").is_none());
    assert_eq!(run.stderr, "");
}

#[test]
fn due_on_an_example_plan_warns() {
    let run = triage(&[
        "due",
        "--policy",
        &priority(),
        "--plan",
        "pro",
        "--severity",
        "P4",
        "--opened",
        "2026-11-23T10:00:00-03:00",
    ]);
    let out = json(&run);
    assert_eq!(out["example_values"], true);
    assert!(run.stderr.contains("plan pro holds example values"), "{}", run.stderr);
}

#[test]
fn due_refuses_unknown_plan_severity_and_channel_listing_the_choices() {
    let base = ["due", "--policy", "", "--opened", "2026-11-23T10:00:00-03:00"];
    let with = |policy: &str, extra: &[&str]| {
        let mut args: Vec<&str> = base.to_vec();
        args[2] = policy;
        args.extend_from_slice(extra);
        triage(&args)
    };
    let p = priority();
    let run = with(&p, &["--plan", "gold", "--severity", "P1"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--plan gold") && run.stderr.contains("business-plus, pro"), "{}", run.stderr);
    let run = with(&p, &["--plan", "pro", "--severity", "T1"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--severity T1") && run.stderr.contains("P1, P2, P3, P4"), "{}", run.stderr);
    let run = with(&p, &["--plan", "pro", "--severity", "P1", "--channel", "chat"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--channel chat") && run.stderr.contains("no channel targets"), "{}", run.stderr);
    let run = with(&impact(), &["--plan", "standard", "--severity", "T1", "--channel", "fax"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("chat, whatsapp, email"), "{}", run.stderr);
}

// ---- arguments ----

#[test]
fn bad_arguments_exit_2_with_a_message_and_the_usage() {
    let cases: &[(&[&str], &str)] = &[
        (&[], "missing command"),
        (&["frobnicate"], "unknown command \"frobnicate\""),
        (&["check"], "missing POLICY"),
        (&["classify", "--answer", "a=b"], "missing --policy"),
        (&["classify", "--policy", "p.json", "--answer", "impact"], "must be QUESTION=ANSWER"),
        (&["due", "--policy", "p.json", "--plan", "pro", "--severity", "P1"], "missing --opened"),
        (
            &["due", "--policy", "p.json", "--plan", "pro", "--severity", "P1", "--opened", "2026-11-20 19:30"],
            "not an RFC 3339 date-time",
        ),
        (&["due", "--policy", "p.json", "--colour", "red"], "unknown option --colour"),
    ];
    for (args, message) in cases {
        let run = triage(args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert_eq!(run.stdout, "", "{args:?}");
        assert!(run.stderr.starts_with("error: "), "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(message), "{args:?}: expected {message:?} in {}", run.stderr);
        assert!(run.stderr.contains("Usage:\n  triage check POLICY"), "{args:?}: usage missing in {}", run.stderr);
    }
}

#[test]
fn help_prints_the_usage_and_succeeds() {
    for flag in ["--help", "-h", "help"] {
        let run = triage(&[flag]);
        assert_eq!(run.code, 0);
        assert!(run.stdout.contains("Usage:") && run.stdout.contains("Exit status:"), "{}", run.stdout);
    }
    let run = triage(&["due", "--help"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("triage due --policy POLICY"));
    let run = triage(&["--version"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.starts_with("triage "));
}

#[test]
fn due_beyond_the_listed_holidays_warns() {
    let run = triage(&[
        "due",
        "--policy",
        &priority(),
        "--plan",
        "business-plus",
        "--severity",
        "P4",
        "--opened",
        "2028-03-01T10:00:00-03:00",
    ]);
    let out = json(&run);
    assert_eq!(out["resolution"]["due"], "2028-03-03T10:00:00-03:00");
    assert!(run.stderr.contains("calendar sao-paulo-business lists holidays only up to 2027-12-25"), "{}", run.stderr);
    // 24/7 targets never warn.
    let run = triage(&[
        "due",
        "--policy",
        &priority(),
        "--plan",
        "business-plus",
        "--severity",
        "P1",
        "--opened",
        "2030-03-01T10:00:00-03:00",
    ]);
    assert_eq!(json(&run)["resolution"]["due"], "2030-03-01T14:00:00-03:00");
    assert_eq!(run.stderr, "");
}

#[test]
fn due_refuses_times_rfc_3339_cannot_write() {
    let run = triage(&[
        "due",
        "--policy",
        &priority(),
        "--plan",
        "business-plus",
        "--severity",
        "P4",
        "--opened",
        "9999-12-31T23:00:00Z",
    ]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("after the year 9999"), "{}", run.stderr);
}

// ---- status ----

#[test]
fn status_reads_a_feed_and_names_the_current_incident_and_the_skipped_ones() {
    let dir = temp_dir("status_feed");
    let feed = dir.join("summary.json");
    std::fs::write(
        &feed,
        r#"{"status":{"indicator":"major"},"incidents":[
          {"id":"live","name":"E-mails are not delivered","status":"identified","impact":"major",
           "shortlink":"javascript:alert(1)","created_at":"2026-12-04T12:00:00Z","incident_updates":[],
           "components":[{"id":"c1","name":"E-mail sending"}]},
          {"id":"old","name":"Reports down","status":"resolved","impact":"critical","created_at":"2026-12-03T12:00:00Z"},
          {"id":"bad","name":"?","status":"on fire","impact":"minor","created_at":"2026-12-04T12:00:00Z"}]}"#,
    )
    .expect("write feed");
    let feed = feed.to_str().expect("UTF-8").to_string();
    let run = triage(&["status", &feed, "--format", "statuspage"]);
    assert_eq!(run.code, 0, "stderr:\n{}", run.stderr);
    let out: Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(out["indicator"], "major");
    assert_eq!(out["current"]["id"], "live", "the resolved one is never current");
    assert_eq!(out["current"]["url"], Value::Null, "a javascript: link is dropped");
    assert_eq!(out["incidents"].as_array().map(Vec::len), Some(2));
    assert_eq!(out["skipped"][0]["path"], "$.incidents[2].status");

    // Through the policy: the shipped impact policy's NPS feed is a Statuspage summary.
    let run = triage(&["status", &feed, "--policy", &impact(), "--product", "nps"]);
    assert_eq!(run.code, 0, "stderr:\n{}", run.stderr);
    let out: Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(out["format"], "statuspage");
    assert_eq!(out["current"]["id"], "live");

    let run = triage(&["status", &feed, "--policy", &impact(), "--product", "shop"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("has no product \"shop\" (products: nps, cxm)"), "{}", run.stderr);
    let run = triage(&["status", &feed]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("give the feed's shape: --format statuspage|generic"), "{}", run.stderr);
    let run = triage(&["status", &feed, "--format", "rss"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--format \"rss\" is not a feed format"), "{}", run.stderr);
}

#[test]
fn status_refuses_a_feed_that_is_not_one_with_exit_1() {
    let dir = temp_dir("status_bad_feed");
    let feed = dir.join("page.html");
    std::fs::write(&feed, "<html>all good</html>").expect("write");
    let run = triage(&["status", feed.to_str().expect("UTF-8"), "--format", "generic"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("is not a readable generic feed: $: invalid JSON: expected a value, found `<`"),
        "{}",
        run.stderr
    );
    let run = triage(&["status", dir.join("missing.json").to_str().expect("UTF-8"), "--format", "generic"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("cannot read status feed"), "{}", run.stderr);
}
