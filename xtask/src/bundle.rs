//! Content fingerprints, SRI hashes and the manifest that ties the widget's files to the loader.

use base64::Engine as _;
use sha2::{Digest, Sha384};

/// One fingerprinted file of the bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleFile {
    /// Name inside `dist/`, e.g. `triage_widget.1a2b3c4d.js`.
    pub file: String,
    /// Subresource Integrity value, `sha384-<base64>`.
    pub integrity: String,
}

impl BundleFile {
    /// Names `stem.<8 hex of the sha384>.extension` and computes the SRI hash of `contents`.
    pub fn fingerprint(stem: &str, extension: &str, contents: &[u8]) -> BundleFile {
        let digest = Sha384::digest(contents);
        let short: String = digest
            .iter()
            .take(4)
            .map(|byte| format!("{byte:02x}"))
            .collect();
        BundleFile {
            file: format!("{stem}.{short}.{extension}"),
            integrity: format!(
                "sha384-{}",
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
    /// `{"css":{"file","integrity"},"js":{…},"wasm":{…}}` (keys sorted, compact).
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
}

pub const MANIFEST_PLACEHOLDER: &str = "__TRIAGE_MANIFEST__";

/// `www/loader.js` with every `__TRIAGE_MANIFEST__` replaced by the manifest object.
pub fn fill_loader(loader_source: &str, manifest: &Manifest) -> Result<String, String> {
    if !loader_source.contains(MANIFEST_PLACEHOLDER) {
        return Err(format!(
            "it does not contain the placeholder {MANIFEST_PLACEHOLDER}"
        ));
    }
    Ok(loader_source.replace(MANIFEST_PLACEHOLDER, &manifest.to_json()))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_is_stable_and_content_addressed() {
        // sha384("abc") is the FIPS 180-2 test vector cb00753f…
        let file = BundleFile::fingerprint("widget", "css", b"abc");
        assert_eq!(file.file, "widget.cb00753f.css");
        assert_eq!(
            file.integrity,
            "sha384-ywB1P0WjXou1oD1pmsZQBycsMqsO3tFjGotgWkP/W+2AhgcroefMI1i67KE0yCWn"
        );
        assert_ne!(
            BundleFile::fingerprint("widget", "css", b"abd").file,
            file.file
        );
    }

    fn manifest() -> Manifest {
        Manifest {
            js: BundleFile {
                file: "triage_widget.00000001.js".into(),
                integrity: "sha384-a".into(),
            },
            wasm: BundleFile {
                file: "triage_widget_bg.00000002.wasm".into(),
                integrity: "sha384-b".into(),
            },
            css: BundleFile {
                file: "widget.00000003.css".into(),
                integrity: "sha384-c".into(),
            },
        }
    }

    #[test]
    fn manifest_round_trips_and_has_the_contract_shape() {
        let json = manifest().to_json();
        let value: serde_json::Value = serde_json::from_str(&json).expect("manifest is JSON");
        assert_eq!(value["wasm"]["file"], "triage_widget_bg.00000002.wasm");
        assert_eq!(value["css"]["integrity"], "sha384-c");
        assert_eq!(Manifest::from_json(&json), Ok(manifest()));
        let err = Manifest::from_json(r#"{"js":{"file":"a"}}"#).expect_err("integrity missing");
        assert!(err.contains("$.js.integrity"), "{err}");
    }

    #[test]
    fn loader_placeholder_is_replaced_by_the_object() {
        let filled = fill_loader("const M = __TRIAGE_MANIFEST__;", &manifest())
            .expect("placeholder present");
        let object = filled
            .strip_prefix("const M = ")
            .and_then(|rest| rest.strip_suffix(';'));
        let object = object.expect("only the placeholder changed");
        assert_eq!(Manifest::from_json(object), Ok(manifest()));
        assert!(!filled.contains(MANIFEST_PLACEHOLDER));
        assert!(fill_loader("const M = {};", &manifest()).is_err());
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
