//! Building the servers in release mode, and copying each binary out of `target/`.

use std::path::{Path, PathBuf};
use std::process::Command;

use tests::folder::TempFolder;

/// The binaries the benchmark loads, copied out of `target/` when it starts.
pub struct Binaries {
    pub stage05: PathBuf,
    pub stage06: PathBuf,
    pub hello_pool: PathBuf,
    pub stage07: PathBuf,
    /// `stage07_async/examples/hello_async`: chapter 7 with one route and no middleware. Its
    /// rows are left out, saying so, where it does not build.
    pub hello_async: Option<PathBuf>,
    /// From `tests/peers`, with `--peers`.
    pub tiny_http: Option<PathBuf>,
    pub hyper: Option<PathBuf>,
}

/// Builds everything the run needs; `peers` adds `tests/peers` (which needs crates.io once).
pub fn build_all(root: &Path, peers: bool, folder: &TempFolder) -> Result<Binaries, String> {
    let servers = ["-p", "stage05_framework", "-p", "stage06_threads"];
    cargo_build(root, &servers)?;
    cargo_build(root, &["-p", "stage07_async", "--bin", "stage07_async"])?;
    cargo_build(root, &["-p", "stage06_threads", "--example", "hello_pool"])?;
    let release = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| root.join("target"), PathBuf::from)
        .join("release");
    let examples = release.join("examples");
    let hello_async = cargo_build(root, &["-p", "stage07_async", "--example", "hello_async"])
        .and_then(|()| copy_out(&examples.join("hello_async"), folder));
    let hello_async = match hello_async {
        Ok(binary) => Some(binary),
        Err(e) => {
            eprintln!("bench: {e}: the rows of hello_async (bare chapter 7) are left out");
            None
        }
    };
    let (tiny_http, hyper) = if peers {
        let manifest = root.join("tests").join("peers").join("Cargo.toml");
        cargo_build(root, &["--manifest-path", &manifest.to_string_lossy()])?;
        let built = root.join("tests/peers/target/release");
        (
            Some(copy_out(&built.join("tiny_http_hello"), folder)?),
            Some(copy_out(&built.join("hyper_hello"), folder)?),
        )
    } else {
        (None, None)
    };
    Ok(Binaries {
        stage05: copy_out(&release.join("stage05_framework"), folder)?,
        stage06: copy_out(&release.join("stage06_threads"), folder)?,
        hello_pool: copy_out(&examples.join("hello_pool"), folder)?,
        stage07: copy_out(&release.join("stage07_async"), folder)?,
        hello_async,
        tiny_http,
        hyper,
    })
}

fn cargo_build(root: &Path, args: &[&str]) -> Result<(), String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let built = Command::new(cargo)
        .args(["build", "--release", "-q"])
        .args(args)
        .current_dir(root)
        .status()
        .is_ok_and(|s| s.success());
    built
        .then_some(())
        .ok_or_else(|| format!("cargo build --release {} failed", args.join(" ")))
}

/// A copy of `binary` in `folder`: someone may build again in `target/` while the benchmark
/// runs, and every row should load what was built at its start.
fn copy_out(binary: &Path, folder: &TempFolder) -> Result<PathBuf, String> {
    let name = binary.file_name().ok_or("a binary without a name")?;
    let copy = folder.path().join(name);
    std::fs::copy(binary, &copy).map_err(|e| format!("cannot copy {}: {e}", binary.display()))?;
    Ok(copy)
}
