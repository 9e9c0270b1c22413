//! Making the invisible characters of HTTP visible.

// ANCHOR: visible
/// Shows `\r` and `\n` as the two characters a programmer writes for them (and still breaks the
/// line after each `\n`, so the request stays readable). Other control bytes and bytes that are
/// not UTF-8 appear as `\xNN`.
pub fn make_visible(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\r' => out.push_str("\\r"),
                '\n' => out.push_str("\\n\n"),
                '\t' => out.push_str("\\t"),
                c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
                c => out.push(c),
            }
        }
        for byte in chunk.invalid() {
            out.push_str(&format!("\\x{byte:02x}"));
        }
    }
    out
}
// ANCHOR_END: visible

#[cfg(test)]
mod tests {
    use super::make_visible;

    #[test]
    fn line_ends_and_odd_bytes_become_visible() {
        let cases: &[(&[u8], &str)] = &[
            (b"GET / HTTP/1.1\r\n\r\n", "GET / HTTP/1.1\\r\\n\n\\r\\n\n"),
            (b"a\tb\x00", "a\\tb\\x00"),
            (b"caf\xc3\xa9 \xff", "caf\u{e9} \\xff"),
        ];
        for (bytes, shown) in cases {
            assert_eq!(make_visible(bytes), *shown);
        }
    }
}
