//! Chapter 2, HTTP by hand: a whole head is read however it arrives, and every answer is a
//! well-formed response whose `Content-Length` says where its body ends. Every later chapter
//! keeps these, except `Hello, World!` at every path (chapter 3 mirrors instead; chapter 4 brings
//! it back at `/hello`) and closing after each answer (chapter 6 keeps connections open).

use crate::check::{Check, FROM_2, Hint, Target};
use crate::http::{Exchange, exchange, exchange_refused, get, request};
use crate::outcome::Outcome;
use crate::wire::Wire;

const PART: &str = "Chapter 2 — HTTP is text over TCP";
const READING: Hint = Hint {
    part: PART,
    section: "Reading a whole head",
};
const ANSWERING: Hint = Hint {
    part: PART,
    section: "Answering",
};

pub const CHECKS: &[Check] = &[
    Check {
        name: "GET / gets a 200 with a Content-Type and a Content-Length that matches its body",
        chapters: FROM_2,
        hostile: false,
        hint: ANSWERING,
        run: a_page,
    },
    Check {
        name: "GET /hello says Hello, World! in text/plain; charset=utf-8",
        chapters: &[2, 4, 5, 6, 7],
        hostile: false,
        hint: ANSWERING,
        run: hello,
    },
    Check {
        name: "a head longer than 1024 bytes is read whole before the answer",
        chapters: FROM_2,
        hostile: false,
        hint: READING,
        run: long_head,
    },
    Check {
        name: "a request sent one byte at a time is answered as if sent whole",
        chapters: FROM_2,
        hostile: false,
        hint: READING,
        run: byte_at_a_time,
    },
    Check {
        name: "what is not HTTP still gets a whole answer, and the next client is served",
        chapters: FROM_2,
        hostile: false,
        hint: READING,
        run: garbage_is_answered,
    },
    Check {
        name: "the connection closes after each answer and says Connection: close, even with a \
               second request sent",
        chapters: &[2, 3, 4, 5],
        hostile: false,
        hint: ANSWERING,
        run: closes_after_each_answer,
    },
    Check {
        name: "a head over the size limit gets 431",
        chapters: FROM_2,
        hostile: true,
        hint: READING,
        run: head_over_the_limit,
    },
];

/// The request curl sends for `curl http://HOST/`, asking to close after the answer.
fn curl_get(path: &str) -> Vec<u8> {
    request(
        "GET",
        path,
        &[
            ("User-Agent", "curl/8.5.0"),
            ("Accept", "*/*"),
            ("Connection", "close"),
        ],
        b"",
    )
}

/// What every page is: a `200`, a type, a body, and a `Content-Length` that a client can trust.
pub fn assert_a_page(exchange: &Exchange) -> Outcome {
    exchange.status(200)?;
    let response = &exchange.response;
    if response.header("Content-Length").is_none() {
        return Err(exchange
            .fail(
                "the answer has no Content-Length: without it a client can only read to the \
                 close, and cannot tell a whole body from a cut one",
            )
            .with_expected(format!("Content-Length: {}", response.body().len()))
            .with_caret(response.end_of_fields())
            .of_kind(&crate::check::NO_CONTENT_LENGTH));
    }
    exchange.header_starts("Content-Type", "")?;
    if response.body().is_empty() {
        return Err(exchange
            .fail("the page has an empty body")
            .with_caret(response.head_len));
    }
    Ok(())
}

fn a_page(target: &Target) -> Outcome {
    assert_a_page(&exchange(target, &curl_get("/"))?)
}

pub fn hello(target: &Target) -> Outcome {
    let answer = exchange(target, &get("/hello"))?;
    answer.status(200)?;
    answer.header_is("Content-Length", "13")?;
    answer.media_type("text/plain; charset=utf-8")?;
    answer.body_is(b"Hello, World!")
}

fn long_head(target: &Target) -> Outcome {
    let cookie = "c".repeat(3000);
    let bytes = request(
        "GET",
        "/",
        &[("Cookie", &cookie), ("Connection", "close")],
        b"",
    );
    let answer = exchange(target, &bytes).map_err(|f| {
        f.explained(
            "(The head sent is 3 KiB: one recv(1024), or one read of 1024 bytes, takes a third \
             of it.)",
        )
    })?;
    assert_a_page(&answer)
}

fn byte_at_a_time(target: &Target) -> Outcome {
    let bytes = curl_get("/");
    let mut wire = Wire::connect(target.addr, target.timeout)?;
    // An answer or a close seen before the last byte is sent is a failure, told by `trickle`.
    wire.trickle(&bytes)?;
    let response = wire.response(false)?;
    wire.expect_close("after the answer to a request that said Connection: close")?;
    assert_a_page(&Exchange {
        sent: wire.sent().to_vec(),
        response,
    })
}

/// Not HTTP at all: the start of a TLS handshake (`https://` to an `http://` port), a word, and
/// a request line with no target.
const GARBAGE: [&[u8]; 3] = [
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not HTTP at all\r\n\r\n",
    b"hello\r\n\r\n",
    b"GET\r\n\r\n",
];

fn garbage_is_answered(target: &Target) -> Outcome {
    for input in GARBAGE {
        exchange_refused(target, input)?;
    }
    a_page(target).map_err(|f| f.within("after garbage, the next client"))
}

fn closes_after_each_answer(target: &Target) -> Outcome {
    let two = [
        request("GET", "/", &[], b""),
        request("GET", "/?second", &[], b""),
    ]
    .concat();
    let mut wire = Wire::connect(target.addr, target.timeout)?;
    wire.send(&two)?;
    let first = wire.response(false)?;
    let answer = Exchange {
        sent: two.clone(),
        response: first,
    };
    answer.connection_says("close")?;
    // One connection at a time: a connection kept open would keep every other client waiting.
    wire.expect_close("after the first answer").map_err(|f| {
        f.with_expected("one answer, then the close: this chapter's server closes after each")
    })
}

fn head_over_the_limit(target: &Target) -> Outcome {
    let huge = "h".repeat(200 * 1024);
    let bytes = request("GET", "/", &[("X-Huge", &huge)], b"");
    let answer = exchange_refused(target, &bytes).map_err(|f| {
        f.explained(
            "(A 200 KiB head was sent: a server stops reading at its limit, 8 KiB in the book, \
             and answers 431 rather than read or wait for ever.)",
        )
    })?;
    answer.status(431)
}
