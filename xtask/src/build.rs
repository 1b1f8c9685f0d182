//! `cargo xtask build`: the release widget bundle in `dist/` — fingerprinted glue, wasm and CSS,
//! `manifest.json` with their SRI hashes, and `loader.js` carrying the same names and hashes as a
//! compact array.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::bundle::{
    check_minified_loader, fill_loader, point_glue_at_wasm, BundleFile, Manifest,
    MANIFEST_PLACEHOLDER,
};
use crate::cmd::Cmd;
use crate::error::{bail, Context, Result};
use crate::project::{read, write_atomically, Project};
use crate::tools::{self, Terser, WasmBindgen, WasmOpt, WASM_TARGET};

pub const LOADER_SOURCE: &str = "www/loader.js";
pub const CSS_SOURCE: &str = "www/widget.css";
const CRATE_STEM: &str = "triage_widget";
/// Stem of the fingerprinted files in `dist/` (`tw.<hash>.js`, `.wasm`, `.css`): short, because
/// every name is inlined in the loader, whose gzip budget is 1.5 KB.
const BUNDLE_STEM: &str = "tw";
const WASM_OPT_FLAGS: &[&str] = &[
    "-Oz",
    "--enable-bulk-memory",
    "--enable-reference-types",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
];
/// terser on the loader: compress (three passes) and mangle local names; no comments kept (the
/// 1.5 KB gzip budget). `__TRIAGE_MANIFEST__` is an unknown global, so terser keeps its name.
/// Measured on the loader, none smaller after gzip: `toplevel` (it is one arrow IIFE already),
/// `unsafe`, `unsafe_arrows`, `pure_getters`, `passes=5` (all ±0), `unsafe_methods` (+5 B).
/// `booleans_as_integers` would save 1 B but turns `ariaExpanded = false` into `"0"`; property
/// mangling is out (the public API and the DOM's names must stay).
const TERSER_FLAGS: &[&str] = &[
    "--ecma",
    "2020",
    "--compress",
    "passes=3",
    "--mangle",
    "--comments",
    "false",
];

/// terser on the wasm-bindgen glue, an ES module whose exports (`default`, `mount`,
/// `WidgetHandle`, …) stay as they are: 10.0 → 7.2 KB gzip.
const GLUE_TERSER_FLAGS: &[&str] = &[
    "--module",
    "--ecma",
    "2020",
    "--compress",
    "passes=2",
    "--mangle",
    "--comments",
    "false",
];

/// What `build` produced.
pub struct Built {
    pub manifest: Manifest,
}

/// Builds the bundle, skipping wasm-bindgen and wasm-opt when the compiled wasm is unchanged.
pub fn build(project: &Project) -> Result<Built> {
    let started = Instant::now();
    let loader_path = project.path(LOADER_SOURCE);
    let css_path = project.path(CSS_SOURCE);
    for (path, what) in [
        (&loader_path, "the loader script"),
        (&css_path, "the widget stylesheet"),
    ] {
        if !path.is_file() {
            bail!(
                "{} ({what}) does not exist; `cargo xtask build` bundles it into dist/ and cannot go on without it",
                path.display()
            );
        }
    }

    // Two builds at once (two terminals, a helper's e2e run) would race on target/xtask and dist/.
    let _lock = BuildLock::acquire(&project.xtask_cache_dir().join("build.lock"))?;
    tools::ensure_wasm_target()?;
    let bindgen = tools::ensure_wasm_bindgen(project)?;
    let wasm_opt = tools::ensure_wasm_opt(project)?;
    let terser = tools::ensure_terser(project)?;

    Cmd::new("cargo")
        .args([
            "build",
            "--release",
            "--target",
            WASM_TARGET,
            "-p",
            "triage-widget",
        ])
        .current_dir(&project.root)
        .run()
        .context("compiling the widget to wasm")?;
    let compiled = project
        .target_dir
        .join(WASM_TARGET)
        .join("release")
        .join(format!("{CRATE_STEM}.wasm"));
    let optimised = optimise(project, &compiled, &bindgen, &wasm_opt, &terser)?;

    let css = crate::bundle::minify_css(&tools::read_text(&css_path)?).into_bytes();
    // Minified with the placeholder still in it (cheap: no cache), then filled in `write_dist`.
    let loader_minified = minify_loader(&loader_path, &terser)?;
    let built = write_dist(project, &optimised, &css, &loader_minified)?;
    eprintln!(
        "xtask: dist/ ready in {:.1}s: {}, {}, {}, manifest.json, loader.js",
        started.elapsed().as_secs_f64(),
        built.manifest.js.file,
        built.manifest.wasm.file,
        built.manifest.css.file
    );
    Ok(built)
}

/// `www/loader.js` through terser, checked to still hold the manifest placeholder exactly once.
fn minify_loader(loader_path: &Path, terser: &Terser) -> Result<String> {
    let source = tools::read_text(loader_path)?;
    // Said about the source first: a minified loader without it would otherwise be the puzzle.
    if !source.contains(MANIFEST_PLACEHOLDER) {
        bail!(
            "{}: it does not contain the placeholder {MANIFEST_PLACEHOLDER} (where `cargo xtask build` \
             writes the manifest)",
            loader_path.display()
        );
    }
    let minified = Cmd::new(&terser.program)
        .arg(loader_path)
        .args(TERSER_FLAGS)
        .read()
        .with_context(|| {
            format!(
                "minifying {} with terser {}",
                loader_path.display(),
                terser.version
            )
        })?;
    check_minified_loader(&minified).map_err(|why| {
        crate::error::Error::new(format!(
            "{} minified by terser {} ({}): {why}; keep the placeholder where terser cannot drop, \
             copy or rename it (e.g. `const manifest = __TRIAGE_MANIFEST__;`)",
            loader_path.display(),
            terser.version,
            TERSER_FLAGS.join(" ")
        ))
    })?;
    Ok(minified)
}

/// The outputs of wasm-bindgen + wasm-opt, cached in `target/xtask/bundle`.
struct Optimised {
    glue: String,
    wasm: Vec<u8>,
    snippets: Option<PathBuf>,
}

fn optimise(
    project: &Project,
    compiled: &Path,
    bindgen: &WasmBindgen,
    wasm_opt: &WasmOpt,
    terser: &Terser,
) -> Result<Optimised> {
    let cache = project.xtask_cache_dir().join("bundle");
    let bindgen_dir = cache.join("bindgen");
    let glue_path = bindgen_dir.join(format!("{CRATE_STEM}.js"));
    let bindgen_wasm = bindgen_dir.join(format!("{CRATE_STEM}_bg.wasm"));
    let optimised_wasm = cache.join(format!("{CRATE_STEM}_bg.opt.wasm"));
    let minified_glue = cache.join(format!("{CRATE_STEM}.min.js"));
    let stamp_path = cache.join("stamp");
    let snippets_dir = bindgen_dir.join("snippets");

    let input = read(compiled).context("the compiled widget is missing after `cargo build`")?;
    let input_hash = BundleFile::fingerprint("input", "wasm", &input).integrity;
    let stamp = format!(
        "input={input_hash}\nwasm-bindgen={}\nwasm-opt={}\nflags={}\nterser={}\nglue-flags={}\n",
        bindgen.version,
        wasm_opt.version,
        WASM_OPT_FLAGS.join(" "),
        terser.version,
        GLUE_TERSER_FLAGS.join(" ")
    );
    let up_to_date = std::fs::read_to_string(&stamp_path)
        .map(|old| old == stamp)
        .unwrap_or(false)
        && minified_glue.is_file()
        && optimised_wasm.is_file();

    if up_to_date {
        eprintln!(
            "xtask: wasm unchanged since the last build; reusing wasm-bindgen, wasm-opt and terser output"
        );
    } else {
        if bindgen_dir.exists() {
            std::fs::remove_dir_all(&bindgen_dir)
                .with_context(|| format!("clearing {}", bindgen_dir.display()))?;
        }
        std::fs::create_dir_all(&bindgen_dir)
            .with_context(|| format!("creating {}", bindgen_dir.display()))?;
        Cmd::new(&bindgen.bindgen)
            .args([
                "--target",
                "web",
                "--no-typescript",
                "--remove-producers-section",
                "--out-name",
                CRATE_STEM,
            ])
            .arg("--out-dir")
            .arg(&bindgen_dir)
            .arg(compiled)
            .run()
            .context("generating the JavaScript glue")?;
        Cmd::new(&wasm_opt.program)
            .args(WASM_OPT_FLAGS)
            .arg(&bindgen_wasm)
            .arg("-o")
            .arg(&optimised_wasm)
            .run()
            .context("optimising the wasm")?;
        let before = bindgen_wasm.metadata().map(|meta| meta.len()).unwrap_or(0);
        let after = optimised_wasm
            .metadata()
            .map(|meta| meta.len())
            .unwrap_or(0);
        eprintln!("xtask: wasm-opt: {before} → {after} bytes");
        let minified = Cmd::new(&terser.program)
            .arg(&glue_path)
            .args(GLUE_TERSER_FLAGS)
            .read()
            .with_context(|| format!("minifying the glue {} with terser {}", glue_path.display(), terser.version))?;
        write_atomically(&minified_glue, minified.as_bytes())?;
        write_atomically(&stamp_path, stamp.as_bytes())?;
    }

    Ok(Optimised {
        glue: tools::read_text(&minified_glue)?,
        wasm: read(&optimised_wasm)?,
        snippets: snippets_dir.is_dir().then_some(snippets_dir),
    })
}

fn write_dist(
    project: &Project,
    optimised: &Optimised,
    css: &[u8],
    loader_minified: &str,
) -> Result<Built> {
    let dist = project.dist_dir();
    std::fs::create_dir_all(&dist).with_context(|| format!("creating {}", dist.display()))?;

    let wasm = BundleFile::fingerprint(BUNDLE_STEM, "wasm", &optimised.wasm);
    let (glue, rewritten) = point_glue_at_wasm(
        &optimised.glue,
        &format!("{CRATE_STEM}_bg.wasm"),
        &wasm.file,
    );
    if rewritten == 0 {
        eprintln!(
            "xtask: warning: the wasm-bindgen glue names no `{CRATE_STEM}_bg.wasm`; \
             the loader passes the wasm URL explicitly, so this only matters for other callers"
        );
    }
    let js = BundleFile::fingerprint(BUNDLE_STEM, "js", glue.as_bytes());
    let css_file = BundleFile::fingerprint(BUNDLE_STEM, "css", css);
    let manifest = Manifest {
        js,
        wasm,
        css: css_file,
    };
    let loader = fill_loader(loader_minified, &manifest)
        .map_err(|why| crate::error::Error::new(format!("{LOADER_SOURCE}: {why}")))?;

    // Fingerprinted files first, loader last: a page loading meanwhile never sees a dangling name.
    let mut keep = BTreeSet::new();
    for (name, contents) in [
        (&manifest.wasm.file, optimised.wasm.as_slice()),
        (&manifest.js.file, glue.as_bytes()),
        (&manifest.css.file, css),
    ] {
        write_if_changed(&dist.join(name), contents)?;
        keep.insert(name.clone());
    }
    if let Some(snippets) = &optimised.snippets {
        eprintln!("xtask: warning: the glue imports wasm-bindgen snippets; copying them to dist/snippets (no SRI)");
        copy_tree(snippets, &dist.join("snippets"))?;
        keep.insert("snippets".to_owned());
    }
    let manifest_json = serde_json::to_string_pretty(
        &serde_json::from_str::<serde_json::Value>(&manifest.to_json())
            .context("re-reading the manifest")?,
    )
    .context("formatting the manifest")?;
    write_if_changed(
        &dist.join("manifest.json"),
        format!("{manifest_json}\n").as_bytes(),
    )?;
    write_if_changed(&dist.join("loader.js"), loader.as_bytes())?;
    keep.insert("manifest.json".to_owned());
    keep.insert("loader.js".to_owned());

    for entry in std::fs::read_dir(&dist).with_context(|| format!("listing {}", dist.display()))? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if keep.contains(&name) {
            continue;
        }
        let path = entry.path();
        let removed = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        removed.with_context(|| format!("removing stale {}", path.display()))?;
    }
    Ok(Built { manifest })
}

fn write_if_changed(path: &Path, contents: &[u8]) -> Result<()> {
    if std::fs::read(path)
        .map(|old| old == contents)
        .unwrap_or(false)
    {
        return Ok(());
    }
    write_atomically(path, contents)
}

fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    for entry in std::fs::read_dir(from).with_context(|| format!("listing {}", from.display()))? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            write_if_changed(&target, &read(&entry.path())?)?;
        }
    }
    Ok(())
}

/// Reads `dist/manifest.json`, with a hint to build when it is missing.
pub fn read_manifest(project: &Project) -> Result<Manifest> {
    let path = project.dist_dir().join("manifest.json");
    if !path.is_file() {
        bail!(
            "{} does not exist: run `cargo xtask build` first",
            path.display()
        );
    }
    let text = tools::read_text(&path)?;
    Manifest::from_json(&text)
        .map_err(|why| crate::error::Error::new(format!("{}: {why}", path.display())))
}

/// An exclusive `flock` on a file, released when dropped (or when the process dies).
pub struct BuildLock {
    _file: std::fs::File,
}

impl BuildLock {
    /// Waits for the lock at `path` (created if missing), saying so when another process holds it.
    pub fn acquire(path: &Path) -> Result<BuildLock> {
        use std::os::fd::AsRawFd;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .with_context(|| format!("opening {}", path.display()))?;
        // SAFETY: flock on a descriptor we own; no memory is shared.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
            eprintln!(
                "xtask: another `cargo xtask` run holds {}; waiting for it",
                path.display()
            );
            // SAFETY: as above, blocking this time.
            if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } != 0 {
                bail!(
                    "cannot lock {}: {}",
                    path.display(),
                    std::io::Error::last_os_error()
                );
            }
        }
        Ok(BuildLock { _file: file })
    }
}
