//! The demo site's command-line options and its start-up report, shared by every binary that
//! serves the site: this chapter's, chapter 6's and chapter 7's take the same options and say the
//! same things.

use stage01_tcp_echo::cli::{Args, CliError};
use stage01_tcp_echo::log;

use crate::App;
use crate::site::{DEMO_PASSWORD, SiteOptions};

/// The options' lines for a binary's `--help`.
pub const SITE_OPTIONS_USAGE: &str =
    "  --data DIR            the guestbook's folder (default: stage05-guestbook in the system's
                        temporary directory)
  --admin-password P    the password of the user admin, for /admin and deleting guestbook
                        messages (default: the environment variable ADMIN_PASSWORD, which
                        other users cannot see in `ps` as they can an argument; else
                        \"admin\", with a warning)
  --block IP,IP...      addresses answered 403 for everything
  --rate-limit N        requests per minute per address (default 600)";

/// Reads `--data`, `--admin-password` (or `ADMIN_PASSWORD`), `--block` and `--rate-limit`.
pub fn parse_site_options(args: &mut Args) -> Result<SiteOptions, CliError> {
    let mut options = SiteOptions::default();
    let from_env = match std::env::var("ADMIN_PASSWORD") {
        Ok(password) => Some(password),
        Err(std::env::VarError::NotPresent) => None,
        Err(std::env::VarError::NotUnicode(_)) => {
            return Err(CliError("ADMIN_PASSWORD is not UTF-8 text".into()));
        }
    };
    if let Some(password) = args.value("--admin-password")?.or(from_env) {
        if password.is_empty() {
            return Err(CliError(
                "an empty admin password would let anyone in; give one, or none for the demo's"
                    .into(),
            ));
        }
        options.admin_password = password;
    }
    if let Some(list) = args.value("--block")? {
        options.blocked = list
            .split(',')
            .map(|ip| ip.trim().parse())
            .collect::<Result<_, _>>()
            .map_err(|_| CliError(format!("--block wants IP addresses, not {list:?}")))?;
    }
    if let Some(folder) = args.value("--data")? {
        options.data = folder.into();
    }
    if let Some(limit) = args.value("--rate-limit")? {
        options.rate_limit = limit.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
            CliError(format!(
                "--rate-limit wants requests per minute, 1 or more, not {limit:?}"
            ))
        })?;
    }
    Ok(options)
}

/// What a binary says once it listens: where the guestbook is and a warning about the demo
/// password (on standard error), and the routes (on standard output).
pub fn report_site(options: &SiteOptions, app: &App) {
    log!("guestbook: {}", options.data.display());
    if options.admin_password == DEMO_PASSWORD {
        log!(
            "warning: /admin uses the demo password {DEMO_PASSWORD:?}; set --admin-password or \
             ADMIN_PASSWORD before anyone else can reach this server"
        );
    }
    println!("routes:");
    for route in app.routes() {
        let method = route.method.as_ref().map_or("ANY", |m| m.as_str());
        println!("  {method:<7} {}", route.pattern);
    }
}
