//! Static files through the demo site's route, as a client asks for them: binary files intact,
//! types, `HEAD`, `304`, ranges, and not one byte from outside the folder, whatever the path says.

use std::fs;

use stage05_framework::site::{SiteOptions, demo_app};
use stage05_framework::{App, Application, Method, Request, Response, Status};
use tests::folder::TempFolder;

/// The secret every hostile path tries to reach: a file beside the served folder.
const SECRET: &[u8] = b"the secret outside the static folder";

struct Site {
    app: App,
    _data: TempFolder,
    _files: TempFolder,
}

/// The demo site serving `files/public` from a fresh folder, with `files/secret.txt` beside it.
fn site() -> Site {
    let files = TempFolder::new("static-files");
    let public = files.path().join("public");
    fs::create_dir_all(public.join("docs")).unwrap();
    let binary: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
    fs::write(public.join("all-bytes.bin"), &binary).unwrap();
    fs::write(public.join("page.html"), "<p>hi</p>").unwrap();
    fs::write(public.join("docs").join("index.html"), "<p>docs</p>").unwrap();
    fs::write(public.join(".env"), "PASSWORD=hidden").unwrap();
    fs::write(files.path().join("secret.txt"), SECRET).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(files.path().join("secret.txt"), public.join("link.txt")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(public.join(".env"), public.join("config.txt")).unwrap();
    let data = TempFolder::new("static-data");
    let options = SiteOptions {
        data: data.path().to_path_buf(),
        static_dir: public,
        ..SiteOptions::default()
    };
    Site {
        app: demo_app(&options).expect("the site opens"),
        _data: data,
        _files: files,
    }
}

fn get(app: &App, target: &str, headers: &[(&str, &str)]) -> Response {
    request(app, Method::Get, target, headers)
}

fn request(app: &App, method: Method, target: &str, headers: &[(&str, &str)]) -> Response {
    let mut request = Request::new(method, target).expect("a valid target");
    for (name, value) in headers {
        request.headers.append(*name, *value);
    }
    app.call(request).wait()
}

/// The whole body of a response, reading a streamed one to its end.
fn body(response: &mut Response) -> Vec<u8> {
    let mut out = response.body().to_vec();
    if let Some(stream) = response.take_stream() {
        while stream.read_into(&mut out, 8192).unwrap() > 0 {}
    }
    out
}

#[test]
fn a_binary_file_arrives_intact_and_typed() {
    let site = site();
    let mut response = get(&site.app, "/static/all-bytes.bin", &[]);
    assert_eq!(response.status(), Status::OK);
    assert_eq!(
        response.headers().get("Content-Type").unwrap(),
        "application/octet-stream"
    );
    assert!(
        response.stream().is_some(),
        "sent in pieces, not read whole"
    );
    let expected: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
    assert!(body(&mut response) == expected);
    let page = get(&site.app, "/static/page.html", &[]);
    assert_eq!(
        page.headers().get("Content-Type").unwrap(),
        "text/html; charset=utf-8"
    );
    let mut index = get(&site.app, "/static/docs", &[]);
    assert_eq!(
        body(&mut index),
        b"<p>docs</p>",
        "a folder serves its index.html"
    );
}

#[test]
fn the_demo_sites_own_files_are_there() {
    let data = TempFolder::new("static-demo");
    let options = SiteOptions {
        data: data.path().to_path_buf(),
        ..SiteOptions::default()
    };
    let app = demo_app(&options).unwrap();
    let mut banner = get(&app, "/static/banner.png", &[]);
    assert_eq!(banner.headers().get("Content-Type").unwrap(), "image/png");
    assert!(body(&mut banner).starts_with(b"\x89PNG\r\n\x1a\n"));
    let mut home = get(&app, "/", &[]);
    let page = String::from_utf8(body(&mut home)).unwrap();
    assert!(
        page.contains("src=\"/static/banner.png\""),
        "the home page shows the picture"
    );
}

#[test]
fn a_copy_that_is_current_gets_304() {
    let site = site();
    let first = get(&site.app, "/static/page.html", &[]);
    let etag = first
        .headers()
        .get("ETag")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let modified = first
        .headers()
        .get("Last-Modified")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let by_tag = get(&site.app, "/static/page.html", &[("If-None-Match", &etag)]);
    assert_eq!(by_tag.status(), Status::NOT_MODIFIED);
    let by_date = get(
        &site.app,
        "/static/page.html",
        &[("If-Modified-Since", &modified)],
    );
    assert_eq!(by_date.status(), Status::NOT_MODIFIED);
    let other = get(
        &site.app,
        "/static/page.html",
        &[("If-None-Match", "\"other\"")],
    );
    assert_eq!(other.status(), Status::OK);
}

#[test]
fn one_range_gets_206_and_a_range_past_the_end_416() {
    let site = site();
    let cases = [
        ("bytes=0-9", "bytes 0-9/100000", 10),
        ("bytes=99990-", "bytes 99990-99999/100000", 10),
        ("bytes=-5", "bytes 99995-99999/100000", 5),
        ("bytes=99999-200000", "bytes 99999-99999/100000", 1),
    ];
    let all: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
    for (range, content_range, length) in cases {
        let mut part = get(&site.app, "/static/all-bytes.bin", &[("Range", range)]);
        assert_eq!(part.status(), Status::PARTIAL_CONTENT, "{range}");
        assert_eq!(part.headers().get("Content-Range").unwrap(), content_range);
        let start: usize = content_range[6..]
            .split('-')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(body(&mut part), all[start..start + length], "{range}");
    }
    let past = get(
        &site.app,
        "/static/all-bytes.bin",
        &[("Range", "bytes=100000-")],
    );
    assert_eq!(past.status(), Status::RANGE_NOT_SATISFIABLE);
    assert_eq!(
        past.headers().get("Content-Range").unwrap(),
        "bytes */100000"
    );
    // A sign is not a digit: a range that does not parse is ignored, and the whole file sent.
    for signed in ["bytes=+5-9", "bytes=0-+9", "bytes=--5"] {
        let whole = get(&site.app, "/static/all-bytes.bin", &[("Range", signed)]);
        assert_eq!(whole.status(), Status::OK, "{signed}");
    }
    let several = get(
        &site.app,
        "/static/all-bytes.bin",
        &[("Range", "bytes=0-1,5-6")],
    );
    assert_eq!(
        several.status(),
        Status::OK,
        "several ranges: the whole file"
    );
}

#[test]
fn head_gets_the_length_of_the_file() {
    let site = site();
    let head = request(&site.app, Method::Head, "/static/all-bytes.bin", &[]);
    assert_eq!(head.status(), Status::OK);
    assert_eq!(head.stream().map(|s| s.len()), Some(100_000));
}

// ANCHOR: hostile_paths
/// Paths that try to leave the folder, or to reach what it hides. Each is refused with the same
/// 404 as a file that is not there, and none returns a byte of the secret beside the folder.
const HOSTILE: &[&str] = &[
    "../secret.txt",
    "..%2fsecret.txt",
    "..%2Fsecret.txt",
    "%2e%2e/secret.txt",
    "%2e%2e%2fsecret.txt",
    "%2E%2E%2Fsecret.txt",
    ".%2e/secret.txt",
    "%2e./secret.txt",
    "..%5csecret.txt",
    "..%5Csecret.txt",
    "%5c..%5csecret.txt",
    "..\\secret.txt",
    "docs/../../secret.txt",
    "docs/%2e%2e/%2e%2e/secret.txt",
    "docs/..%2f..%2fsecret.txt",
    "./../secret.txt",
    "%2e/%2e%2e/secret.txt",
    "....//secret.txt",
    "..../secret.txt",
    "....%2f%2fsecret.txt",
    "%252e%252e%252fsecret.txt",
    "%25%32%65%25%32%65/secret.txt",
    "%c0%ae%c0%ae/secret.txt",
    "%c0%ae%c0%ae%c0%afsecret.txt",
    "%e0%80%ae%e0%80%ae/secret.txt",
    "%c1%9c..%c1%9csecret.txt",
    "..%c0%afsecret.txt",
    "..%c1%9csecret.txt",
    "%2fetc%2fpasswd",
    "%2F..%2Fsecret.txt",
    "/etc/passwd",
    "C:%5cWindows%5cwin.ini",
    "C:/Windows/win.ini",
    "c:secret.txt",
    "%5c%5cserver%5cshare",
    "secret.txt%00.png",
    "page.html%00",
    "%00../secret.txt",
    "page.html%0a",
    "docs%0d%0a/index.html",
    ".env",
    "%2eenv",
    "docs/.env",
    ".git/config",
    ".%2e",
    "..",
    "%2e%2e",
    ".",
    "%2e",
    "link.txt",
    "docs/../link.txt",
    "docs//../../secret.txt",
    "docs/./../../secret.txt",
    "%e2%80%a5/secret.txt",
    "%ef%bc%8e%ef%bc%8e/secret.txt",
    "nothing-here.txt",
    "config.txt",
];
// ANCHOR_END: hostile_paths

#[test]
fn no_path_reaches_outside_the_folder() {
    assert!(HOSTILE.len() >= 50, "{} hostile paths", HOSTILE.len());
    let site = site();
    for path in HOSTILE {
        let target = format!("/static/{path}");
        let Ok(request) = Request::new(Method::Get, &target) else {
            continue; // the parser refuses it before any route: even further from the file
        };
        let mut response = site.app.call(request).wait();
        let status = response.status();
        let bytes = body(&mut response);
        assert_eq!(status, Status::NOT_FOUND, "{target}: {status}");
        assert!(
            !bytes.windows(SECRET.len()).any(|w| w == SECRET) && !bytes.starts_with(b"PASSWORD"),
            "{target} leaked a file"
        );
    }
}

#[test]
fn a_range_of_an_empty_file_is_unsatisfiable() {
    let site = site();
    let public = site._files.path().join("public");
    std::fs::write(public.join("empty.txt"), b"").unwrap();
    for range in ["bytes=0-5", "bytes=-5", "bytes=0-"] {
        let response = get(&site.app, "/static/empty.txt", &[("Range", range)]);
        assert_eq!(response.status(), Status::RANGE_NOT_SATISFIABLE, "{range}");
        assert_eq!(
            response.headers().get("Content-Range").unwrap(),
            "bytes */0"
        );
    }
    assert_eq!(
        get(&site.app, "/static/empty.txt", &[]).status(),
        Status::OK
    );
}

#[test]
fn if_range_for_another_version_gets_the_whole_file_and_an_empty_suffix_is_unsatisfiable() {
    let site = site();
    let stale = [("Range", "bytes=0-9"), ("If-Range", "\"an-old-tag\"")];
    assert_eq!(
        get(&site.app, "/static/all-bytes.bin", &stale).status(),
        Status::OK
    );
    let etag = get(&site.app, "/static/all-bytes.bin", &[]);
    let etag = etag
        .headers()
        .get("ETag")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let current = [("Range", "bytes=0-9"), ("If-Range", etag.as_str())];
    assert_eq!(
        get(&site.app, "/static/all-bytes.bin", &current).status(),
        Status::PARTIAL_CONTENT
    );
    let none = get(&site.app, "/static/all-bytes.bin", &[("Range", "bytes=-0")]);
    assert_eq!(none.status(), Status::RANGE_NOT_SATISFIABLE);
    let upper = get(
        &site.app,
        "/static/all-bytes.bin",
        &[("Range", "Bytes=0-0")],
    );
    assert_eq!(
        upper.status(),
        Status::PARTIAL_CONTENT,
        "the unit is read without case"
    );
}

#[test]
fn a_file_not_served_is_answered_in_the_clients_style() {
    let site = site();
    let browser = get(&site.app, "/static/nope.png", &[("Accept", "text/html")]);
    assert_eq!(browser.status(), Status::NOT_FOUND);
    assert_eq!(
        browser.headers().get("Content-Type").unwrap(),
        "text/html; charset=utf-8"
    );
    let api = get(
        &site.app,
        "/static/../secret.txt",
        &[("Accept", "application/json")],
    );
    assert_eq!(api.status(), Status::NOT_FOUND);
    assert_eq!(api.body(), br#"{"error":"no such file"}"#);
    assert_eq!(api.headers().get("Vary").unwrap(), "Accept");
    let script = get(
        &site.app,
        "/cgi-bin/nope.sh",
        &[("Accept", "application/json")],
    );
    assert_eq!(script.status(), Status::NOT_FOUND);
    assert_eq!(script.body(), br#"{"error":"no such script"}"#);
}

#[test]
fn a_handler_can_answer_with_a_file() {
    use stage05_framework::{Error, Input, NamedFile};
    let files = TempFolder::new("named-file");
    let report = files.path().join("report.csv");
    let rows: String = (0..10_000).map(|i| format!("{i},{}\n", i * i)).collect();
    fs::write(&report, &rows).unwrap();
    let missing = files.path().join("missing.csv");
    let mut app = App::new();
    app.get("/report", move |_: Input| NamedFile::open(&report))
        .get("/missing", move |_: Input| -> Result<NamedFile, Error> {
            NamedFile::open(&missing)
        });
    let mut response = get(&app, "/report", &[]);
    assert_eq!(response.status(), Status::OK);
    assert_eq!(
        response.headers().get("Content-Type").unwrap(),
        "text/csv; charset=utf-8"
    );
    assert!(response.headers().get("Last-Modified").is_some());
    assert!(
        response.stream().is_some(),
        "sent in pieces, not read whole"
    );
    assert_eq!(body(&mut response), rows.as_bytes());
    let missing = get(&app, "/missing", &[("Accept", "application/json")]);
    assert_eq!(missing.status(), Status::NOT_FOUND);
    // The static files' words, and not the server's path.
    assert_eq!(missing.body(), br#"{"error":"no such file"}"#);
}
