//! `GET /hello` answered with `Hello, World!` by tiny_http, a small, widely used synchronous HTTP
//! server crate with a thread per connection. It prints its address as the chapters' servers do,
//! so the benchmark can start it the same way.

use tiny_http::{Header, Response, Server};

fn main() {
    let server = Server::http("127.0.0.1:0").expect("bind a free port");
    println!("listening on http://{}", server.server_addr());
    let text: Header = "Content-Type: text/plain; charset=utf-8"
        .parse()
        .expect("a valid header");
    for request in server.incoming_requests() {
        let response = if request.url() == "/hello" {
            Response::from_string("Hello, World!").with_header(text.clone())
        } else {
            Response::from_string("Not Found").with_status_code(404)
        };
        let _ = request.respond(response);
    }
}
