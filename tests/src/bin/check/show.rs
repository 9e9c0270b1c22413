//! Bytes made visible: `\r` and `\n` written out, anything unprintable as `\xNN`, one line of
//! output per line of the exchange, and a caret under the byte a failure is about. A missing `\r`
//! or a stray space is the commonest mistake in a hand-written server, and invisible in a terminal.

/// How many lines of an exchange are shown, and how many characters of each.
const MAX_LINES: usize = 12;
const MAX_WIDTH: usize = 96;

/// One byte as it is shown.
pub fn escape(byte: u8) -> String {
    match byte {
        b'\r' => "\\r".into(),
        b'\n' => "\\n".into(),
        b'\t' => "\\t".into(),
        b'\\' => "\\\\".into(),
        b' '..=b'~' => char::from(byte).to_string(),
        _ => format!("\\x{byte:02x}"),
    }
}

/// All of `bytes` on one line, escaped.
pub fn visible(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| escape(b)).collect()
}

/// A line of the exchange as shown: its text, and the column each of its bytes starts at.
struct ShownLine {
    /// Where the line starts in the bytes.
    start: usize,
    text: String,
    columns: Vec<usize>,
}

fn shown_lines(bytes: &[u8]) -> Vec<ShownLine> {
    let mut lines = Vec::new();
    let mut start = 0;
    while start < bytes.len() {
        let end = bytes[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |i| start + i + 1);
        let mut text = String::new();
        let mut columns = Vec::new();
        for &byte in &bytes[start..end] {
            columns.push(text.chars().count());
            text.push_str(&escape(byte));
        }
        lines.push(ShownLine {
            start,
            text,
            columns,
        });
        start = end;
    }
    lines
}

/// `bytes` as lines of text, with a line holding `^` under the byte at `caret`. Long exchanges
/// are cut around the caret, saying how much was left out.
pub fn render(bytes: &[u8], caret: Option<usize>) -> Vec<String> {
    if bytes.is_empty() {
        let mut out = vec!["(nothing)".to_string()];
        if caret.is_some() {
            out.push("^".into());
        }
        return out;
    }
    let lines = shown_lines(bytes);
    // The caret's line and column; a caret past the end goes after the last byte.
    let target = caret.map(|at| {
        let index = lines.iter().rposition(|line| line.start <= at).unwrap_or(0);
        let line = &lines[index];
        let column = line
            .columns
            .get(at - line.start)
            .copied()
            .unwrap_or(line.text.chars().count());
        (index, column)
    });
    let first = match target {
        Some((index, _)) if index >= MAX_LINES => index + 1 - MAX_LINES / 2,
        _ => 0,
    };
    let last = (first + MAX_LINES).min(lines.len());
    let mut out = Vec::new();
    if first > 0 {
        out.push(format!("… ({} lines before)", first));
    }
    for (index, line) in lines.iter().enumerate().take(last).skip(first) {
        let caret_column = target.filter(|(i, _)| *i == index).map(|(_, c)| c);
        let (text, shift) = clip(&line.text, caret_column);
        out.push(text);
        if let Some(column) = caret_column {
            out.push(format!("{}^", " ".repeat(column - shift)));
        }
    }
    if last < lines.len() {
        let rest: usize = bytes.len() - lines[last].start;
        out.push(format!(
            "… ({} more lines, {rest} bytes)",
            lines.len() - last
        ));
    }
    out
}

/// A line cut to [`MAX_WIDTH`] characters, keeping the caret's column in view; returns the text
/// and how many columns were cut from its start.
fn clip(text: &str, caret: Option<usize>) -> (String, usize) {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= MAX_WIDTH {
        return (text.to_string(), 0);
    }
    let start = match caret {
        Some(column) if column >= MAX_WIDTH - 8 => column - MAX_WIDTH / 2,
        _ => 0,
    };
    let end = (start + MAX_WIDTH).min(chars.len());
    let mut shown = String::new();
    let mut shift = start;
    if start > 0 {
        shown.push('…');
        // The ellipsis takes one column where `start` characters were.
        shift = start - 1;
    }
    shown.extend(&chars[start..end]);
    if end < chars.len() {
        shown.push_str(&format!("… (+{} more)", chars.len() - end));
    }
    (shown, shift)
}

#[cfg(test)]
mod tests {
    use super::{render, visible};

    #[test]
    fn line_ends_and_odd_bytes_are_visible() {
        assert_eq!(visible(b"a\r\nb\x00\\"), "a\\r\\nb\\x00\\\\");
    }

    #[test]
    fn the_caret_goes_under_the_byte() {
        let lines = render(b"HTTP/1.1 200 OK\nX: y\r\n\r\n", Some(15));
        assert_eq!(
            lines,
            [
                "HTTP/1.1 200 OK\\n",
                "               ^",
                "X: y\\r\\n",
                "\\r\\n"
            ]
        );
        let past_end = render(b"ab\r\n", Some(4));
        assert_eq!(past_end, ["ab\\r\\n", "      ^"]);
    }

    #[test]
    fn long_exchanges_are_cut_around_the_caret() {
        let long = format!("X-Huge: {}\r\n", "h".repeat(500));
        let lines = render(long.as_bytes(), Some(300));
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with('…'), "{}", lines[0]);
        let caret = lines[1].chars().count() - 1;
        assert_eq!(lines[0].chars().nth(caret), Some('h'));
        let many: String = (0..40).map(|i| format!("line {i}\n")).collect();
        let lines = render(many.as_bytes(), Some(many.len() - 3));
        assert!(lines[0].starts_with("… ("), "{lines:?}");
        assert!(lines.iter().any(|l| l == "line 39\\n"), "{lines:?}");
    }
}
