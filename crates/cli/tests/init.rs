//! `triage init` as a site owner runs it: answers piped in, typed at a pseudo-terminal
//! (`script`), or given as flags; the starter it writes passes `triage check` and has `$schema`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn temp_dir(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("triage-init-tests").join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

/// Runs `program args` in `dir` with `input` on stdin.
fn run(dir: &Path, program: &str, args: &[&str], input: &str) -> (i32, String, String) {
    let mut child = Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{program} runs: {e}"));
    child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write answers");
    let Output { status, stdout, stderr } = child.wait_with_output().expect("wait");
    (
        status.code().expect("exited normally"),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

fn triage() -> &'static str {
    env!("CARGO_BIN_EXE_triage")
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text).expect("the starter is JSON")
}

fn assert_checks(dir: &Path, file: &str) {
    let (code, stdout, stderr) = run(dir, triage(), &["check", file], "");
    assert_eq!(code, 0, "the starter passes triage check:\n{stdout}{stderr}");
}

const ANSWERS: &str = "\
priority
Loja da Ana
en, pt-BR
America/Recife
gold, pro

P1=15m/2h, P2=1h/4h, P3=2h/1bd, P4=4h/3bd

four hours
P1=1h/8h,P2=2h/24h,P3=4h/2bd,P4=8h/4bd
mon-fri 08:00-12:00 13:00-17:00; sat 09:00-12:00
2026-12-25=Natal, 2027-01-01=Ano Novo
chat=5m, email=24h~6h
loja=Loja online=https://status.loja.example
";

fn assert_answers_in(policy: &Value) {
    assert_eq!(policy["$schema"], "policy.schema.json");
    assert_eq!(policy["id"], "loja-da-ana");
    assert_eq!(policy["locales"], serde_json::json!(["en", "pt-BR"]));
    assert_eq!(policy["default_plan"], "gold");
    let plans = policy["plans"].as_array().expect("plans");
    assert_eq!(plans.len(), 2);
    assert_eq!(plans[0]["label"]["pt-BR"], "Gold");
    assert_eq!(
        plans[0]["targets"]["P1"]["first_response"]["limit"],
        serde_json::json!({ "amount": 15, "unit": "minutes" })
    );
    assert_eq!(plans[0]["targets"]["P3"]["resolution"]["calendar"], "loja-da-ana-business");
    assert_eq!(plans[1]["example_values"], true, "the template's example figures taken as they are stay marked");
    assert_eq!(plans[1]["label"]["pt-BR"], "Plano Pro", "a kept plan keeps its translations");
    let business = &policy["calendars"][1];
    assert_eq!(business["time_zone"], "America/Recife");
    assert_eq!(business["hours"]["mon"], serde_json::json!([["08:00", "12:00"], ["13:00", "17:00"]]));
    assert_eq!(business["hours"]["sat"], serde_json::json!([["09:00", "12:00"]]));
    assert_eq!(business["holidays"][0]["name"]["pt-BR"], "Natal");
    assert_eq!(policy["channels"][1]["first_response"]["average"], serde_json::json!({ "amount": 6, "unit": "hours" }));
    assert_eq!(policy["products"][0]["status_page"], "https://status.loja.example");
}

#[test]
fn init_with_piped_answers_asks_again_after_a_wrong_one() {
    let dir = temp_dir("piped");
    let (code, stdout, stderr) = run(&dir, triage(), &["init"], ANSWERS);
    assert_eq!(code, 0, "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(stdout.contains("Site or company name [Example]: "), "{stdout}");
    assert!(stdout.contains("\"four hours\" must be SEVERITY=FIRST_RESPONSE/RESOLUTION"), "explained: {stdout}");
    assert!(stdout.contains("Wrote policy.json and policy.schema.json"), "{stdout}");
    assert!(stdout.contains("OK policy.json: policy loja-da-ana"), "the check summary follows: {stdout}");
    assert_answers_in(&read_json(&dir.join("policy.json")));
    let schema = read_json(&dir.join("policy.schema.json"));
    assert!(schema["properties"]["plans"].is_object(), "the schema next to it describes plans");
    assert_checks(&dir, "policy.json");

    let (code, _, stderr) = run(&dir, triage(), &["init"], ANSWERS);
    assert_eq!(code, 2, "an existing file is not replaced");
    assert!(stderr.contains("policy.json already exists") && stderr.contains("--force"), "{stderr}");
}

#[test]
fn init_at_a_pseudo_terminal() {
    let dir = temp_dir("pty");
    let command = format!("{} init --output site/policy.json", triage());
    // `script` runs the command with a pseudo-terminal as its stdin and stdout.
    let (code, stdout, stderr) = run(&dir, "script", &["-qec", &command, "/dev/null"], ANSWERS);
    assert_eq!(code, 0, "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(stdout.contains("Time zone of your support team (IANA name) [America/Sao_Paulo]: "), "{stdout}");
    assert_answers_in(&read_json(&dir.join("site/policy.json")));
    assert_checks(&dir, "site/policy.json");
}

#[test]
fn init_with_flags_asks_nothing() {
    let dir = temp_dir("flags");
    let args = [
        "init",
        "--defaults",
        "--template",
        "impact-t1-t4",
        "--name",
        "Acme",
        "--locales",
        "en",
        "--time-zone",
        "Europe/Lisbon",
        "--plan",
        "basic=Basic:T1=1h/4h,T2=2h/1d,T3=4bh/3bd,T4=1bd/5bd",
        "--plan",
        "plus:T1=30m~10m/2h,T2=1h/8h,T3=2h/1d,T4=4h/2d",
        "--holidays",
        "2026-12-25=Christmas",
        "--schema",
        "https://cdn.jsdelivr.net/npm/triage-widget@0.1.0/schemas/policy.schema.json",
        "--output",
        "acme.json",
    ];
    let (code, stdout, stderr) = run(&dir, triage(), &args, "");
    assert_eq!(code, 0, "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(!stdout.contains("[Example]"), "nothing asked: {stdout}");
    let policy = read_json(&dir.join("acme.json"));
    assert_eq!(policy["$schema"], "https://cdn.jsdelivr.net/npm/triage-widget@0.1.0/schemas/policy.schema.json");
    assert!(!dir.join("policy.schema.json").exists(), "a schema URL needs no local copy");
    assert_eq!(policy["plans"][1]["label"]["en"], "Plus");
    assert_eq!(policy["plans"][0]["targets"]["T3"]["first_response"]["calendar"], "acme-business");
    assert_eq!(policy["channels"].as_array().map(Vec::len), Some(3), "--defaults keeps the template's channels");
    assert_checks(&dir, "acme.json");

    let (code, _, stderr) =
        run(&dir, triage(), &["init", "--defaults", "--time-zone", "America/Sao_Pualo", "--output", "x.json"], "");
    assert_eq!(code, 2);
    assert!(
        stderr.contains("--time-zone \"America/Sao_Pualo\"") && stderr.contains("did you mean \"America/Sao_Paulo\""),
        "{stderr}"
    );
    let (code, _, stderr) =
        run(&dir, triage(), &["init", "--defaults", "--plan", "gold:P1=1h/2h", "--output", "y.json"], "");
    assert_eq!(code, 2);
    assert!(stderr.contains("missing targets for P2, P3, P4"), "{stderr}");
    assert!(!dir.join("x.json").exists() && !dir.join("y.json").exists(), "nothing written after a bad flag");
}
