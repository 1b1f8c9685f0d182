//! `cargo xtask size [--check] [--no-build]`: raw, gzip (-9) and brotli (q11) bytes a host page
//! loads before the widget is opened and after, against the gzip budgets: one for the loader (what
//! every page pays), one for everything once the widget is open.

use std::io::Write;
use std::process::ExitCode;

use crate::build;
use crate::error::{bail, Context, Result};
use crate::project::{read, Project};

/// Everything the widget loads (before + after opening), gzip -9, in bytes.
pub const GZIP_BUDGET: u64 = 70_000;
/// `dist/loader.js` alone, gzip -9, in bytes: the script every page of the site runs.
pub const LOADER_GZIP_BUDGET: u64 = 1_536;
pub const SIZED_POLICY: &str = "www/policies/priority-p1-p4.json";

#[derive(Debug, PartialEq, Eq)]
pub struct SizeOptions {
    pub check: bool,
    pub build: bool,
}

pub fn parse(args: &[String]) -> Result<SizeOptions> {
    let mut options = SizeOptions {
        check: false,
        build: true,
    };
    for arg in args {
        match arg.as_str() {
            "--check" => options.check = true,
            "--no-build" => options.build = false,
            other => {
                bail!("`cargo xtask size` does not know `{other}` (options: --check, --no-build)")
            }
        }
    }
    Ok(options)
}

/// Sizes of one file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sizes {
    pub raw: u64,
    pub gzip: u64,
    pub brotli: u64,
}

impl std::ops::AddAssign for Sizes {
    fn add_assign(&mut self, other: Sizes) {
        self.raw += other.raw;
        self.gzip += other.gzip;
        self.brotli += other.brotli;
    }
}

pub fn measure(bytes: &[u8]) -> Result<Sizes> {
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gzip.write_all(bytes).context("gzip")?;
    let gzip = gzip.finish().context("gzip")?;
    let mut brotli = brotli::CompressorWriter::new(Vec::new(), 4096, 11, 22);
    brotli.write_all(bytes).context("brotli")?;
    // into_inner finishes the stream; a flush() first would add an empty metablock.
    let brotli = brotli.into_inner();
    Ok(Sizes {
        raw: bytes.len() as u64,
        gzip: gzip.len() as u64,
        brotli: brotli.len() as u64,
    })
}

pub fn run(project: &Project, options: &SizeOptions) -> Result<ExitCode> {
    let manifest = if options.build {
        build::build(project)?.manifest
    } else {
        build::read_manifest(project)?
    };
    let dist = project.dist_dir();
    let loader_source = read(&project.path(build::LOADER_SOURCE))?;
    let loader_source = String::from_utf8_lossy(&loader_source);
    // The loader puts the stylesheet into the shadow root together with the launcher, at once.
    let css_at_start = loader_source.contains("stylesheet");

    let mut before = vec![("loader.js".to_owned(), dist.join("loader.js"))];
    let mut after = vec![
        (manifest.js.file.clone(), dist.join(&manifest.js.file)),
        (manifest.wasm.file.clone(), dist.join(&manifest.wasm.file)),
        (SIZED_POLICY.to_owned(), project.path(SIZED_POLICY)),
    ];
    let css = (manifest.css.file.clone(), dist.join(&manifest.css.file));
    if css_at_start {
        before.push(css)
    } else {
        after.insert(2, css)
    }

    println!(
        "{:<44} {:>10} {:>10} {:>10}",
        "file", "raw", "gzip -9", "brotli 11"
    );
    let mut grand = Sizes::default();
    let mut loader = Sizes::default();
    for (title, files) in [
        ("before opening", &before),
        ("after opening (added)", &after),
    ] {
        println!("{title}:");
        let mut subtotal = Sizes::default();
        for (name, path) in files {
            let sizes = measure(&read(path)?)?;
            if name == "loader.js" {
                loader = sizes;
            }
            println!(
                "  {:<42} {:>10} {:>10} {:>10}",
                name, sizes.raw, sizes.gzip, sizes.brotli
            );
            subtotal += sizes;
        }
        println!(
            "  {:<42} {:>10} {:>10} {:>10}",
            "subtotal", subtotal.raw, subtotal.gzip, subtotal.brotli
        );
        grand += subtotal;
    }
    println!(
        "{:<44} {:>10} {:>10} {:>10}",
        "total once opened", grand.raw, grand.gzip, grand.brotli
    );
    let loader_within = budget_line("loader.js", loader.gzip, LOADER_GZIP_BUDGET);
    let within = budget_line("total once opened", grand.gzip, GZIP_BUDGET);
    Ok(if options.check && !(within && loader_within) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Prints `budget: <what> <gzip> of <budget> bytes gzip (<percent>) — …`; true when within.
fn budget_line(what: &str, gzip: u64, budget: u64) -> bool {
    let within = gzip <= budget;
    println!(
        "budget: {what} {gzip} of {budget} bytes gzip ({:.1}%) — {}",
        gzip as f64 * 100.0 / budget as f64,
        if within {
            "within budget"
        } else {
            "OVER BUDGET"
        }
    );
    within
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn compressed_sizes_decode_back_to_the_input() {
        let text = "Central de Ajuda — prioridade P1 ".repeat(200);
        let sizes = measure(text.as_bytes()).expect("compresses");
        assert_eq!(sizes.raw, text.len() as u64);
        assert!(sizes.gzip < sizes.raw / 10, "{sizes:?}");
        assert!(sizes.brotli < sizes.raw / 10, "{sizes:?}");

        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gzip.write_all(text.as_bytes()).expect("gzip");
        let mut decoded = String::new();
        flate2::read::GzDecoder::new(gzip.finish().expect("gzip").as_slice())
            .read_to_string(&mut decoded)
            .expect("gunzip");
        assert_eq!(decoded, text);

        let mut brotli = brotli::CompressorWriter::new(Vec::new(), 4096, 11, 22);
        brotli.write_all(text.as_bytes()).expect("brotli");
        let compressed = brotli.into_inner();
        assert_eq!(compressed.len() as u64, sizes.brotli);
        let mut decoded = String::new();
        brotli::Decompressor::new(compressed.as_slice(), 4096)
            .read_to_string(&mut decoded)
            .expect("unbrotli");
        assert_eq!(decoded, text);
    }

    #[test]
    fn options() {
        assert_eq!(
            parse(&[]).ok(),
            Some(SizeOptions {
                check: false,
                build: true
            })
        );
        assert_eq!(
            parse(&["--check".into()]).ok(),
            Some(SizeOptions {
                check: true,
                build: true
            })
        );
        assert!(parse(&["--fast".into()]).is_err());
    }
}
