//! Content fingerprints, SRI hashes and the manifest that ties the widget's files to the loader.
//!
//! The hashes are SHA-256: every browser with Subresource Integrity accepts `sha256-`, and each
//! hash is inlined in `loader.js`, where its 44 incompressible characters count against the
//! loader's 1.5 KB gzip budget (a `sha384-` hash has 64).

use base64::Engine as _;
use sha2::{Digest, Sha256};

/// One fingerprinted file of the bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleFile {
    /// Name inside `dist/`, e.g. `tw.1a2b3c4d.js`.
    pub file: String,
    /// Subresource Integrity value, `sha256-<base64>`.
    pub integrity: String,
}

impl BundleFile {
    /// Names `stem.<8 hex of the sha256>.extension` and computes the SRI hash of `contents`.
    pub fn fingerprint(stem: &str, extension: &str, contents: &[u8]) -> BundleFile {
        let digest = Sha256::digest(contents);
        let short: String = digest
            .iter()
            .take(4)
            .map(|byte| format!("{byte:02x}"))
            .collect();
        BundleFile {
            file: format!("{stem}.{short}.{extension}"),
            integrity: format!(
                "sha256-{}",
                base64::engine::general_purpose::STANDARD.encode(digest)
            ),
        }
    }

    fn to_json(&self) -> serde_json::Value {
        serde_json::json!({ "file": self.file, "integrity": self.integrity })
    }
}

/// The files the loader fetches: the wasm-bindgen glue, the optimised wasm and the stylesheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub js: BundleFile,
    pub wasm: BundleFile,
    pub css: BundleFile,
}

impl Manifest {
    /// `{"css":{"file","integrity"},"js":{…},"wasm":{…}}` (keys sorted, compact): what
    /// `dist/manifest.json` holds, for people and tools.
    pub fn to_json(&self) -> String {
        serde_json::json!({
            "js": self.js.to_json(),
            "wasm": self.wasm.to_json(),
            "css": self.css.to_json(),
        })
        .to_string()
    }

    pub fn from_json(text: &str) -> Result<Manifest, String> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|err| format!("not JSON: {err}"))?;
        let entry = |key: &str| -> Result<BundleFile, String> {
            let field = |name: &str| {
                value
                    .get(key)
                    .and_then(|entry| entry.get(name))
                    .and_then(|field| field.as_str())
                    .map(str::to_owned)
                    .ok_or_else(|| format!("$.{key}.{name} is missing or not a string"))
            };
            Ok(BundleFile {
                file: field("file")?,
                integrity: field("integrity")?,
            })
        };
        Ok(Manifest {
            js: entry("js")?,
            wasm: entry("wasm")?,
            css: entry("css")?,
        })
    }

    /// The form inlined in `loader.js`: `[[file, integrity], …]` in the order of [`LOADER_ORDER`],
    /// e.g. `[["tw.1a2b3c4d.css","sha256-…"],["tw.5e6f7a8b.js","sha256-…"],["tw.9c0d1e2f.wasm","sha256-…"]]`.
    /// No keys: the loader destructures the array by position, and every byte of it counts.
    pub fn to_loader_json(&self) -> String {
        let entries: Vec<[&str; 2]> = LOADER_ORDER
            .iter()
            .map(|kind| {
                let file = self.get(kind).expect("LOADER_ORDER names manifest kinds");
                [file.file.as_str(), file.integrity.as_str()]
            })
            .collect();
        serde_json::to_string(&entries).expect("strings serialise")
    }

    /// The entry for `"css"`, `"js"` or `"wasm"`.
    pub fn get(&self, kind: &str) -> Option<&BundleFile> {
        match kind {
            "css" => Some(&self.css),
            "js" => Some(&self.js),
            "wasm" => Some(&self.wasm),
            _ => None,
        }
    }
}

/// Order of the entries in the loader's manifest array; `www/loader.js` reads it as
/// `const [css, glue, wasm] = __TRIAGE_MANIFEST__…`.
pub const LOADER_ORDER: [&str; 3] = ["css", "js", "wasm"];

pub const MANIFEST_PLACEHOLDER: &str = "__TRIAGE_MANIFEST__";

/// `www/loader.js` with every `__TRIAGE_MANIFEST__` replaced by the manifest array
/// ([`Manifest::to_loader_json`]).
pub fn fill_loader(loader_source: &str, manifest: &Manifest) -> Result<String, String> {
    if !loader_source.contains(MANIFEST_PLACEHOLDER) {
        return Err(format!(
            "it does not contain the placeholder {MANIFEST_PLACEHOLDER}"
        ));
    }
    Ok(loader_source.replace(MANIFEST_PLACEHOLDER, &manifest.to_loader_json()))
}

/// Checks that a loader (the source, or terser's output) names the manifest placeholder exactly
/// once: zero would ship a loader with no manifest, two would ship the manifest twice.
pub fn check_minified_loader(loader: &str) -> Result<(), String> {
    match loader.matches(MANIFEST_PLACEHOLDER).count() {
        1 => Ok(()),
        0 => Err(format!(
            "it does not contain the placeholder {MANIFEST_PLACEHOLDER}"
        )),
        more => Err(format!(
            "it contains the placeholder {MANIFEST_PLACEHOLDER} {more} times; the manifest must \
             be written once (assign it to one variable)"
        )),
    }
}

/// Points the glue's default wasm URL (`new URL('<stem>_bg.wasm', import.meta.url)`) at the
/// fingerprinted file. Returns the new glue and how many references were rewritten.
pub fn point_glue_at_wasm(
    glue: &str,
    original_wasm: &str,
    fingerprinted_wasm: &str,
) -> (String, usize) {
    let mut rewritten = 0;
    let mut out = glue.to_owned();
    for quote in ['\'', '"', '`'] {
        let from = format!("{quote}{original_wasm}{quote}");
        let count = out.matches(&from).count();
        if count > 0 {
            out = out.replace(&from, &format!("{quote}{fingerprinted_wasm}{quote}"));
            rewritten += count;
        }
    }
    (out, rewritten)
}

/// The widget's stylesheet without comments and without the whitespace a browser ignores: runs of
/// whitespace become one space, and none is kept next to `{`, `}`, `;` or `,` (nor a `;` right
/// before `}`). Quoted strings (`url("…")`, `content: ""`, attribute selectors) are copied as they
/// are. Nothing else is rewritten, so selectors such as `.a :focus` keep their meaning.
pub fn minify_css(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut chars = css.chars().peekable();
    let mut pending_space = false;
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut previous = '\0';
                for inner in chars.by_ref() {
                    if previous == '*' && inner == '/' {
                        break;
                    }
                    previous = inner;
                }
                pending_space = true;
            }
            c if c.is_whitespace() => pending_space = true,
            '{' | '}' | ';' | ',' => {
                if c == '}' && out.ends_with(';') {
                    out.pop();
                }
                out.push(c);
                pending_space = false;
            }
            quote @ ('"' | '\'') => {
                push_pending_space(&mut out, &mut pending_space);
                out.push(quote);
                let mut escaped = false;
                for inner in chars.by_ref() {
                    out.push(inner);
                    if escaped {
                        escaped = false;
                    } else if inner == '\\' {
                        escaped = true;
                    } else if inner == quote {
                        break;
                    }
                }
            }
            other => {
                push_pending_space(&mut out, &mut pending_space);
                out.push(other);
            }
        }
    }
    out
}

/// Writes the one space a run of whitespace or a comment stood for, unless it is next to a
/// character that needs none.
fn push_pending_space(out: &mut String, pending_space: &mut bool) {
    if std::mem::take(pending_space) && !out.is_empty() && !out.ends_with(['{', '}', ';', ',']) {
        out.push(' ');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn css_minifies_whitespace_and_comments_but_not_strings_or_selectors() {
        let css = "/* theme */\n:host {\n  --a: 1px;  /* one */\n  font: 16px \"Segoe  UI\", Arial;\n}\n\n.a :focus,\n.b > .c { content: \"a ; b\"; mask: url('x y.svg') center / contain; }\n@media (max-width: 480px) {\n  .d { width: calc(100% - 2px); }\n}\n";
        assert_eq!(
            minify_css(css),
            ":host{--a: 1px;font: 16px \"Segoe  UI\",Arial}.a :focus,.b > .c{content: \"a ; b\";mask: url('x y.svg') center / contain}@media (max-width: 480px){.d{width: calc(100% - 2px)}}"
        );
    }

    #[test]
    fn css_minify_keeps_escaped_quotes_and_unterminated_input() {
        assert_eq!(minify_css(".a { content: \"\\\" ; \"; }"), ".a{content: \"\\\" ; \"}");
        assert_eq!(minify_css(".a { content: \"open"), ".a{content: \"open");
        assert_eq!(minify_css("/* only a comment"), "");
    }

    #[test]
    fn fingerprint_is_stable_and_content_addressed() {
        // sha256("abc") is the FIPS 180-2 test vector ba7816bf…
        let file = BundleFile::fingerprint("tw", "css", b"abc");
        assert_eq!(file.file, "tw.ba7816bf.css");
        assert_eq!(
            file.integrity,
            "sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
        );
        assert_ne!(BundleFile::fingerprint("tw", "css", b"abd").file, file.file);
    }

    fn manifest() -> Manifest {
        Manifest {
            js: BundleFile {
                file: "tw.00000001.js".into(),
                integrity: "sha256-a".into(),
            },
            wasm: BundleFile {
                file: "tw.00000002.wasm".into(),
                integrity: "sha256-b".into(),
            },
            css: BundleFile {
                file: "tw.00000003.css".into(),
                integrity: "sha256-c".into(),
            },
        }
    }

    #[test]
    fn manifest_round_trips_and_has_the_contract_shape() {
        let json = manifest().to_json();
        let value: serde_json::Value = serde_json::from_str(&json).expect("manifest is JSON");
        assert_eq!(value["wasm"]["file"], "tw.00000002.wasm");
        assert_eq!(value["css"]["integrity"], "sha256-c");
        assert_eq!(Manifest::from_json(&json), Ok(manifest()));
        let err = Manifest::from_json(r#"{"js":{"file":"a"}}"#).expect_err("integrity missing");
        assert!(err.contains("$.js.integrity"), "{err}");
    }

    #[test]
    fn loader_placeholder_is_replaced_by_the_array_css_js_wasm() {
        let filled = fill_loader("const M = __TRIAGE_MANIFEST__;", &manifest())
            .expect("placeholder present");
        let array = filled
            .strip_prefix("const M = ")
            .and_then(|rest| rest.strip_suffix(';'));
        let array = array.expect("only the placeholder changed");
        assert_eq!(
            array,
            r#"[["tw.00000003.css","sha256-c"],["tw.00000001.js","sha256-a"],["tw.00000002.wasm","sha256-b"]]"#
        );
        let entries: Vec<(String, String)> = serde_json::from_str(array).expect("JSON pairs");
        for ((file, integrity), kind) in entries.iter().zip(LOADER_ORDER) {
            let entry = manifest().get(kind).cloned().expect("a manifest kind");
            assert_eq!((file, integrity), (&entry.file, &entry.integrity), "{kind}");
        }
        assert!(!filled.contains(MANIFEST_PLACEHOLDER));
        assert!(fill_loader("const M = {};", &manifest()).is_err());
    }

    #[test]
    fn the_loader_source_destructures_the_manifest_in_loader_order() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../www/loader.js");
        let source = std::fs::read_to_string(path).expect("www/loader.js is readable");
        assert_eq!(LOADER_ORDER, ["css", "js", "wasm"]);
        assert!(
            source.contains("const [css, glue, wasm] = __TRIAGE_MANIFEST__"),
            "www/loader.js must read the manifest array in LOADER_ORDER (css, js glue, wasm)"
        );
    }

    #[test]
    fn loader_must_name_the_placeholder_exactly_once() {
        assert_eq!(
            check_minified_loader("((e)=>{let t=__TRIAGE_MANIFEST__;e(t.js)})(f)"),
            Ok(())
        );
        let none = check_minified_loader("((e)=>{let t={};e(t.js)})(f)");
        assert!(
            none.as_ref()
                .is_err_and(|why| why.contains("does not contain")),
            "{none:?}"
        );
        let twice = check_minified_loader("f(__TRIAGE_MANIFEST__.js,__TRIAGE_MANIFEST__.css)");
        assert!(
            twice.as_ref().is_err_and(|why| why.contains("2 times")),
            "{twice:?}"
        );
    }

    #[test]
    fn glue_points_at_the_fingerprinted_wasm() {
        let glue = "module_or_path = new URL('triage_widget_bg.wasm', import.meta.url);";
        let (out, count) = point_glue_at_wasm(
            glue,
            "triage_widget_bg.wasm",
            "triage_widget_bg.abcd0123.wasm",
        );
        assert_eq!(count, 1);
        assert!(
            out.contains("new URL('triage_widget_bg.abcd0123.wasm'"),
            "{out}"
        );
        let (_, none) = point_glue_at_wasm("no reference", "triage_widget_bg.wasm", "x.wasm");
        assert_eq!(none, 0);
    }
}
