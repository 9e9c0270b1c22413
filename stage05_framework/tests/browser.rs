//! The demo site in a real browser: headless Chromium loads the home page, and the server sees it
//! fetch the page's picture and stylesheet. Where Chromium is not installed (`apt-get install
//! chromium` on Debian), the test says so and checks nothing: no other test needs a browser.

use std::sync::{Arc, Mutex};

use stage05_framework::site::{SiteOptions, demo_app};
use stage05_framework::{Inner, Input, Middleware, Reply, Server};
use tests::binary::run;
use tests::folder::TempFolder;

/// Notes the path of every request that reaches it.
struct Seen(Arc<Mutex<Vec<String>>>);

impl Middleware for Seen {
    fn call(&self, input: Input, inner: Inner<'_>) -> Reply {
        let path = input.request.path().to_string();
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(path);
        inner.run(input)
    }
}

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|name| {
            std::process::Command::new(name)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

#[test]
fn the_home_page_and_its_picture_load_in_a_browser() {
    let Some(browser) = chromium() else {
        eprintln!("skipped: no Chromium on this machine (apt-get install chromium to run it)");
        return;
    };
    let data = TempFolder::new("browser-data");
    let options = SiteOptions {
        data: data.path().to_path_buf(),
        ..SiteOptions::default()
    };
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut app = demo_app(&options).expect("the site opens");
    app.wrap(Seen(Arc::clone(&seen)));
    let server = Server::bind("127.0.0.1:0").unwrap().spawn(app).unwrap();
    let shot = data.path().join("home.png");
    let url = format!("http://{}/", server.addr());
    let screenshot = format!("--screenshot={}", shot.display());
    let args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--window-size=900,760",
        screenshot.as_str(),
        url.as_str(),
    ];
    let output = run(browser, &args, b"");
    assert!(output.status.success(), "{browser} failed: {output:?}");
    let paths = seen.lock().unwrap().clone();
    for path in ["/", "/static/banner.png", "/static/style.css"] {
        assert!(
            paths.iter().any(|p| p == path),
            "the browser did not fetch {path}: {paths:?}"
        );
    }
    let png = std::fs::read(&shot).expect("a screenshot was written");
    assert!(png.starts_with(b"\x89PNG"), "the screenshot is a PNG");
}
