//! `cargo xtask package`: the widget as an npm package tarball, for a CDN that mirrors the npm
//! registry (jsDelivr, unpkg) or for self-hosting: `loader.js`, the fingerprinted files, the
//! manifest with SRI hashes (the loader's included), the JSON schemas, the two example policies
//! and a README whose snippet loads the versioned URL with `integrity` on the loader tag.
//!
//! The package is staged in `target/xtask/package/` and packed by `npm pack` (the npm client
//! itself writes the tarball): `target/package/triage-widget-<version>.tgz`.

use std::path::{Path, PathBuf};

use crate::build;
use crate::bundle::BundleFile;
use crate::cmd::Cmd;
use crate::error::{bail, Context, Result};
use crate::project::Project;

/// The package's name on the npm registry.
pub const PACKAGE_NAME: &str = "triage-widget";

/// `cargo xtask package` options.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Pack the `dist/` already built instead of building first.
    pub no_build: bool,
}

pub fn parse(args: &[String]) -> Result<Options> {
    let mut options = Options::default();
    for arg in args {
        match arg.as_str() {
            "--no-build" => options.no_build = true,
            other => bail!("`cargo xtask package` does not know `{other}` (options: --no-build)"),
        }
    }
    Ok(options)
}

/// What was packed.
pub struct Packed {
    pub tarball: PathBuf,
}

/// The version of the widget crate (`[package] version` of the workspace's root `Cargo.toml`).
pub fn widget_version(project: &Project) -> Result<String> {
    let path = project.path("Cargo.toml");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut in_package = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package {
            if let Some(value) = line
                .strip_prefix("version")
                .map(str::trim)
                .and_then(|l| l.strip_prefix('='))
            {
                let version = value.trim().trim_matches('"');
                if !version.is_empty() {
                    return Ok(version.to_owned());
                }
            }
        }
    }
    bail!(
        "{} has no `version` in its [package] section",
        path.display()
    )
}

/// Builds (unless `no_build`), stages and packs the package.
pub fn package(project: &Project, options: &Options) -> Result<Packed> {
    let manifest = if options.no_build {
        build::read_manifest(project)?
    } else {
        build::build(project)?.manifest
    };
    let version = widget_version(project)?;
    let dist = project.dist_dir();
    let stage = project.xtask_cache_dir().join("package");
    if stage.exists() {
        std::fs::remove_dir_all(&stage).with_context(|| format!("clearing {}", stage.display()))?;
    }
    for dir in ["schemas", "policies"] {
        std::fs::create_dir_all(stage.join(dir))
            .with_context(|| format!("creating {}", stage.display()))?;
    }

    let loader = std::fs::read(dist.join("loader.js")).context("reading dist/loader.js")?;
    let loader_file = BundleFile::fingerprint("loader", "js", &loader);
    let mut files = vec!["loader.js".to_owned()];
    copy(&dist.join("loader.js"), &stage.join("loader.js"))?;
    for file in [&manifest.js, &manifest.wasm, &manifest.css] {
        copy(&dist.join(&file.file), &stage.join(&file.file))?;
        files.push(file.file.clone());
    }
    let package_manifest = serde_json::json!({
        "version": version,
        "loader": { "file": "loader.js", "integrity": loader_file.integrity },
        "js": { "file": manifest.js.file, "integrity": manifest.js.integrity },
        "wasm": { "file": manifest.wasm.file, "integrity": manifest.wasm.integrity },
        "css": { "file": manifest.css.file, "integrity": manifest.css.integrity },
    });
    write(&stage.join("manifest.json"), &pretty(&package_manifest)?)?;
    files.push("manifest.json".to_owned());

    for (from, to) in [
        (
            "www/schemas/policy.schema.json",
            "schemas/policy.schema.json",
        ),
        (
            "www/schemas/ticket.schema.json",
            "schemas/ticket.schema.json",
        ),
        (
            "www/schemas/receipt.schema.json",
            "schemas/receipt.schema.json",
        ),
        (
            "www/schemas/ticket-status.schema.json",
            "schemas/ticket-status.schema.json",
        ),
        (
            "www/schemas/status.schema.json",
            "schemas/status.schema.json",
        ),
        (
            "www/policies/priority-p1-p4.json",
            "policies/priority-p1-p4.json",
        ),
        (
            "www/policies/impact-t1-t4.json",
            "policies/impact-t1-t4.json",
        ),
    ] {
        copy(&project.path(from), &stage.join(to))?;
    }
    files.extend(["schemas/".to_owned(), "policies/".to_owned()]);

    let package_json = serde_json::json!({
        "name": PACKAGE_NAME,
        "version": version,
        "description": "Embeddable support-intake widget: a questionnaire that classifies severity, shows the SLA's due times, and sends the ticket to your endpoint. One script tag.",
        "license": "MIT",
        "keywords": ["support", "helpdesk", "sla", "widget", "webassembly"],
        "browser": "loader.js",
        "unpkg": "loader.js",
        "jsdelivr": "loader.js",
        "files": files,
    });
    write(&stage.join("package.json"), &pretty(&package_json)?)?;
    write(
        &stage.join("README.md"),
        &readme(&version, &loader_file.integrity),
    )?;

    let out_dir = project.target_dir.join("package");
    std::fs::create_dir_all(&out_dir).with_context(|| format!("creating {}", out_dir.display()))?;
    let tarball = out_dir.join(format!("{PACKAGE_NAME}-{version}.tgz"));
    if tarball.exists() {
        std::fs::remove_file(&tarball)
            .with_context(|| format!("removing {}", tarball.display()))?;
    }
    Cmd::new("npm")
        .args(["pack", "--silent", "--pack-destination"])
        .arg(&out_dir)
        .current_dir(&stage)
        .run()
        .context("packing the npm package")?;
    if !tarball.is_file() {
        bail!("`npm pack` wrote no {}", tarball.display());
    }
    eprintln!("xtask: package ready: {}", tarball.display());
    eprintln!("xtask: loader.js integrity {}", loader_file.integrity);
    Ok(Packed { tarball })
}

/// Compiles the `triage` CLI (debug profile) and returns the path of its binary.
pub fn build_cli(project: &Project) -> Result<PathBuf> {
    Cmd::new("cargo")
        .args(["build", "-p", "triage-cli", "--bin", "triage"])
        .current_dir(&project.root)
        .run()
        .context("compiling the triage CLI")?;
    let binary = project.target_dir.join("debug").join("triage");
    if !binary.is_file() {
        bail!(
            "{} is missing after `cargo build -p triage-cli`",
            binary.display()
        );
    }
    Ok(binary)
}

fn pretty(value: &serde_json::Value) -> Result<String> {
    Ok(format!(
        "{}\n",
        serde_json::to_string_pretty(value).context("formatting JSON")?
    ))
}

fn copy(from: &Path, to: &Path) -> Result<()> {
    std::fs::copy(from, to)
        .with_context(|| format!("copying {} to {}", from.display(), to.display()))?;
    Ok(())
}

fn write(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

/// The package's README: the snippet with the versioned URL and the loader's integrity.
pub fn readme(version: &str, loader_integrity: &str) -> String {
    format!(
        r#"# {PACKAGE_NAME} {version}

An embeddable support-intake widget. A customer answers a short questionnaire that classifies the
severity of their problem, sees the first-response and resolution times your plan promises (as
durations and as due times in their own time zone) and sends the ticket to your endpoint.

## Embed it

Paste one tag into your help-center page. The version in the URL never changes what it serves, so
the tag carries the loader's Subresource Integrity hash; the loader checks the widget's other files
with the hashes it carries itself.

```html
<script src="https://cdn.jsdelivr.net/npm/{PACKAGE_NAME}@{version}/loader.js"
  integrity="{loader_integrity}" crossorigin="anonymous"
  data-policy="https://help.example.com/policy.json"
  data-endpoint="https://tickets.example.com/api/tickets"
  data-plan="business-plus" data-fallback="mailto:support@example.com" async></script>
```

unpkg serves the same files at `https://unpkg.com/{PACKAGE_NAME}@{version}/loader.js`.

- `data-policy`: your support policy (JSON). Write one with `triage init` (the `triage` CLI, see
  below) or start from `policies/priority-p1-p4.json` or `policies/impact-t1-t4.json` here;
  `schemas/policy.schema.json` is its JSON Schema. Serve it with
  `Access-Control-Allow-Origin` when it is on another origin than the page.
- `data-endpoint`: where tickets are POSTed. On another origin than the page it must answer the
  CORS preflight, allowing `Content-Type` and `Idempotency-Key`; the reference receiver does with
  `--allow-origin https://help.example.com`. Answer with a receipt (`schemas/receipt.schema.json`);
  to let customers follow their ticket, include a `status_url` that answers GET in the shape of
  `schemas/ticket-status.schema.json`, or leave it out and the widget shows the reference alone.
  A product's status feed in the generic shape follows `schemas/status.schema.json`.
- `data-plan`, `data-locale`, `data-fallback`, `data-headers`, `data-position`: see the project's
  README.

With a Content-Security-Policy, allow the CDN in `script-src`, `style-src` and `connect-src`, and
`'wasm-unsafe-eval'` in `script-src`.

## Host it yourself

Unpack the tarball (`tar xzf {PACKAGE_NAME}-{version}.tgz`) and serve the `package/` folder as
static files, with `Access-Control-Allow-Origin: *` if the page is on another origin, and `.wasm` as
`application/wasm`. Change the tag's `src` to your URL of `loader.js`; keep `integrity`.

## What is in the package

| file | what |
| --- | --- |
| `loader.js` | the only file the tag loads at first: draws the launcher, loads the rest on intent or idle |
| `tw.<hash>.js`, `tw.<hash>.wasm`, `tw.<hash>.css` | the widget (fingerprinted, fetched with their SRI hashes) |
| `manifest.json` | each file's name and `sha256-` SRI hash, the loader's included |
| `schemas/` | JSON Schemas of the policy file, of the ticket the endpoint receives, of its receipt and of a ticket's status |
| `policies/` | the two example policies |
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readme_snippet_has_the_versioned_url_and_the_integrity() {
        let text = readme("1.2.3", "sha256-abc=");
        assert!(text.contains(
            r#"<script src="https://cdn.jsdelivr.net/npm/triage-widget@1.2.3/loader.js""#
        ));
        assert!(text.contains(r#"integrity="sha256-abc=" crossorigin="anonymous""#));
    }

    #[test]
    fn options() {
        assert_eq!(
            parse(&["--no-build".to_owned()]).expect("valid"),
            Options { no_build: true }
        );
        assert!(parse(&["--x".to_owned()]).is_err());
    }
}
