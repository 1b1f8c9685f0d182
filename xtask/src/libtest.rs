//! Reading test counts from libtest-style output (`test result: ok. 3 passed; 0 failed; …`) and
//! from Playwright's JSON report.

use std::ops::AddAssign;

/// Tests passed, failed and ignored (skipped).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub passed: u64,
    pub failed: u64,
    pub ignored: u64,
}

impl AddAssign for Counts {
    fn add_assign(&mut self, other: Counts) {
        self.passed += other.passed;
        self.failed += other.failed;
        self.ignored += other.ignored;
    }
}

/// Counts from one `test result: …` line of libtest or wasm-bindgen-test-runner; None for other lines.
pub fn parse_result_line(line: &str) -> Option<Counts> {
    let rest = &line[line.find("test result:")? + "test result:".len()..];
    let mut counts = Counts::default();
    let mut seen_any = false;
    for part in rest.split(';') {
        let words: Vec<&str> = part.split_whitespace().collect();
        // "ok. 3 passed" or "FAILED. 1 passed" or " 0 failed"
        for pair in words.windows(2) {
            let Ok(number) = pair[0].parse::<u64>() else {
                continue;
            };
            let slot = match pair[1] {
                "passed" => &mut counts.passed,
                "failed" => &mut counts.failed,
                "ignored" => &mut counts.ignored,
                _ => continue,
            };
            *slot = number;
            seen_any = true;
        }
    }
    seen_any.then_some(counts)
}

/// Counts from Playwright's JSON reporter output (`stats.expected`, `unexpected`, `flaky`, `skipped`).
pub fn parse_playwright_json(text: &str) -> Result<Counts, String> {
    let report: serde_json::Value =
        serde_json::from_str(text).map_err(|err| format!("not JSON: {err}"))?;
    let stats = report.get("stats").ok_or("it has no `stats` object")?;
    let number = |key: &str| {
        stats
            .get(key)
            .and_then(serde_json::Value::as_u64)
            .ok_or(format!("`stats.{key}` is missing or not a count"))
    };
    let errors = report
        .get("errors")
        .and_then(serde_json::Value::as_array)
        .map_or(0, Vec::len) as u64;
    Ok(Counts {
        passed: number("expected")?,
        // A flaky test failed at least once; with retries off it cannot happen, but count it as failed.
        failed: number("unexpected")? + number("flaky")? + errors,
        ignored: number("skipped")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_libtest_summaries() {
        let ok = "test result: ok. 12 passed; 0 failed; 3 ignored; 0 measured; 1 filtered out; finished in 0.42s";
        assert_eq!(
            parse_result_line(ok),
            Some(Counts {
                passed: 12,
                failed: 0,
                ignored: 3
            })
        );
        let failed =
            "test result: FAILED. 4 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out";
        assert_eq!(
            parse_result_line(failed),
            Some(Counts {
                passed: 4,
                failed: 2,
                ignored: 0
            })
        );
    }

    #[test]
    fn other_lines_are_not_results() {
        assert_eq!(
            parse_result_line("test calendar::friday_rolls_over ... ok"),
            None
        );
        assert_eq!(parse_result_line("running 3 tests"), None);
        assert_eq!(parse_result_line("test result:"), None);
    }

    #[test]
    fn adds_up() {
        let mut total = Counts {
            passed: 1,
            failed: 0,
            ignored: 0,
        };
        total += Counts {
            passed: 2,
            failed: 1,
            ignored: 4,
        };
        assert_eq!(
            total,
            Counts {
                passed: 3,
                failed: 1,
                ignored: 4
            }
        );
    }

    #[test]
    fn reads_playwright_stats() {
        let report = r#"{"config":{},"suites":[],"errors":[],"stats":{"startTime":"x","duration":1.0,
            "expected":5,"skipped":1,"unexpected":2,"flaky":0}}"#;
        assert_eq!(
            parse_playwright_json(report),
            Ok(Counts {
                passed: 5,
                failed: 2,
                ignored: 1
            })
        );
        let broken_config = r#"{"errors":[{"message":"SyntaxError"}],"stats":{"expected":0,"skipped":0,"unexpected":0,"flaky":0}}"#;
        assert_eq!(
            parse_playwright_json(broken_config).map(|c| c.failed),
            Ok(1)
        );
        assert!(parse_playwright_json("{}").is_err());
        assert!(parse_playwright_json("<html>").is_err());
    }
}
