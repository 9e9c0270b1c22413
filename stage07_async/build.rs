//! Says at compile time what this crate lacks off Linux: its reactor asks the kernel for
//! readiness with epoll, which only Linux has. The crate still builds elsewhere, so that the rest
//! of the workspace does, but its runtime returns an error there.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os != "linux" {
        println!(
            "cargo::warning=stage07_async's reactor uses epoll, which only Linux has: on {os} the \
             crate builds, but its runtime returns an error. A poll(2) or kqueue backend in \
             src/sys.rs is what is missing (the chapter's last exercise)."
        );
    }
}
