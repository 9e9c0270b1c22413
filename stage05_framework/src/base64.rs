//! Decoding base64 (RFC 4648), which HTTP Basic authentication wraps its credentials in.

/// The bytes `text` encodes, or `None` if it is not base64 (padding `=` required, as Basic
/// authentication sends it).
///
/// # Examples
///
/// ```
/// use stage05_framework::base64::decode;
///
/// assert_eq!(decode("YWRtaW46czNjcmV0").as_deref(), Some(&b"admin:s3cret"[..]));
/// assert_eq!(decode("YQ==").as_deref(), Some(&b"a"[..]));
/// assert_eq!(decode("not base64!"), None);
/// assert_eq!(decode("YR=="), None); // not the one way to write "a"
/// ```
pub fn decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    if bytes.len() % 4 != 0 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    for (index, quad) in bytes.chunks(4).enumerate() {
        let last = index == bytes.len() / 4 - 1;
        let padding = quad.iter().rev().take_while(|b| **b == b'=').count();
        if padding > 2 || (padding > 0 && !last) {
            return None;
        }
        let mut bits: u32 = 0;
        for &byte in &quad[..4 - padding] {
            bits = bits << 6 | u32::from(value(byte)?);
        }
        bits <<= 6 * padding as u32;
        // Bits left over by padding must be zero: `YQ==` is the one way to write "a".
        let unused = [0, 0xff, 0xffff][padding];
        if bits & unused != 0 {
            return None;
        }
        let decoded = [(bits >> 16) as u8, (bits >> 8) as u8, bits as u8];
        out.extend_from_slice(&decoded[..3 - padding]);
    }
    Some(out)
}

/// The six bits one base64 character stands for.
fn value(byte: u8) -> Option<u8> {
    match byte {
        b'A'..=b'Z' => Some(byte - b'A'),
        b'a'..=b'z' => Some(byte - b'a' + 26),
        b'0'..=b'9' => Some(byte - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}
