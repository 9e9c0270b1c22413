//! The bound on files being sent at once. A test binary of its own: the count is the process's,
//! and the other tests' files would share it.

use std::fs;

use stage05_framework::sending::MAX_FILES_SENDING;
use stage05_framework::site::{SiteOptions, demo_app};
use stage05_framework::{Application, Method, NamedFile, Request, Status};
use tests::folder::TempFolder;

#[test]
fn past_the_most_files_sent_at_once_a_file_is_a_503_until_one_is_done() {
    let files = TempFolder::new("sending");
    let public = files.path().join("public");
    fs::create_dir_all(&public).unwrap();
    fs::write(public.join("page.html"), "<p>hi</p>").unwrap();
    let data = TempFolder::new("sending-data");
    let options = SiteOptions {
        data: data.path().to_path_buf(),
        static_dir: public.clone(),
        ..SiteOptions::default()
    };
    let app = demo_app(&options).expect("the site opens");
    let get = || {
        app.call(Request::new(Method::Get, "/static/page.html").unwrap())
            .wait()
    };
    // Answers whose files are still being sent (not yet dropped) hold their places.
    let mut sending: Vec<_> = (0..MAX_FILES_SENDING - 1).map(|_| get()).collect();
    let held = NamedFile::open(public.join("page.html")).expect("the last place");
    assert!(sending.iter().all(|answer| answer.status() == Status::OK));
    let refused = get();
    assert_eq!(refused.status(), Status::SERVICE_UNAVAILABLE);
    assert_eq!(refused.headers().get("Retry-After").unwrap(), "1");
    assert!(NamedFile::open(public.join("page.html")).is_err());
    // A `304` sends no file, and needs no place.
    let etag = sending[0]
        .headers()
        .get("ETag")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let mut revalidate = Request::new(Method::Get, "/static/page.html").unwrap();
    revalidate.headers.append("If-None-Match", etag);
    assert_eq!(app.call(revalidate).wait().status(), Status::NOT_MODIFIED);
    // One done: its place is free again.
    sending.pop();
    assert_eq!(get().status(), Status::OK);
    drop(held);
    drop(sending);
    assert_eq!(get().status(), Status::OK);
}
