//! The `Date` header: a time in the HTTP date format, computed with the standard library alone.
//!
//! HTTP sends one fixed format, the IMF-fixdate of RFC 9110 §5.6.7: `Sun, 06 Nov 1994 08:49:37 GMT`,
//! always in GMT (that is, UTC), English day and month names, two-digit day, four-digit year.
//! `std` has no calendar, only seconds since the Unix epoch, so turning seconds into a year, month
//! and day is done here, with Howard Hinnant's `civil_from_days` — about ten lines of integer
//! arithmetic, exact for every day in the proleptic Gregorian calendar (no loops over years, no
//! floating point, no table of month lengths).

use std::cell::RefCell;
use std::time::{SystemTime, UNIX_EPOCH};

const DAY_NAMES: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTH_NAMES: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `time` as an IMF-fixdate, the format of HTTP's `Date` header.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use stage03_parser::date::http_date;
///
/// let time = UNIX_EPOCH + Duration::from_secs(784_111_777);
/// assert_eq!(http_date(time), "Sun, 06 Nov 1994 08:49:37 GMT");
/// ```
pub fn http_date(time: SystemTime) -> String {
    from_unix_seconds(unix_seconds(time))
}

thread_local! {
    /// The second this thread formatted last, and its text.
    static LAST_FORMATTED: RefCell<(i64, String)> = const { RefCell::new((i64::MIN, String::new())) };
}

/// Appends `time` as an IMF-fixdate to `out`, as [`http_date`] would give it. A server writes the
/// same `Date` on every response within one second, so each thread remembers the last second it
/// formatted and formats again only when the second changes (hyper keeps its date the same way).
pub fn write_http_date(out: &mut Vec<u8>, time: SystemTime) {
    let seconds = unix_seconds(time);
    LAST_FORMATTED.with_borrow_mut(|(second, text)| {
        if *second != seconds {
            *text = from_unix_seconds(seconds);
            *second = seconds;
        }
        out.extend_from_slice(text.as_bytes());
    });
}

/// Whole seconds since the Unix epoch, rounded down. A clock set before 1970 is unusual, not
/// impossible: it counts back from the epoch, rounding down to the second the instant falls in.
fn unix_seconds(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => after.as_secs() as i64,
        Err(before) => {
            let before = before.duration();
            -(before.as_secs() as i64) - i64::from(before.subsec_nanos() > 0)
        }
    }
}

// ANCHOR: imf_fixdate
/// Seconds since 1970-01-01 00:00:00 UTC as an IMF-fixdate.
///
/// The format has four digits for the year; a time past year 9999 prints more, which no client
/// will ever need to read.
pub fn from_unix_seconds(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let second_of_day = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    // 1970-01-01 was a Thursday (index 4 in DAY_NAMES).
    let weekday = (days + 4).rem_euclid(7) as usize;
    format!(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
        DAY_NAMES[weekday],
        day,
        MONTH_NAMES[(month - 1) as usize],
        year,
        second_of_day / 3600,
        second_of_day % 3600 / 60,
        second_of_day % 60,
    )
}

/// The (year, month 1–12, day 1–31) of a count of days since 1970-01-01.
///
/// Howard Hinnant, "chrono-Compatible Low-Level Date Algorithms", `civil_from_days`
/// (<https://howardhinnant.github.io/date_algorithms.html>), the inverse of his `days_from_civil`.
/// The trick: count years from 1 March, so the leap day is the last day of the year and months
/// March..February have lengths that a straight line `(153 * m + 2) / 5` reproduces; and count in
/// 400-year eras, since the Gregorian calendar repeats every 146,097 days.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468; // days since 0000-03-01
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097); // [0, 146096]
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365; // [0, 399]
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100); // [0, 365]
    let march_month = (5 * day_of_year + 2) / 153; // [0, 11], 0 is March
    let day = day_of_year - (153 * march_month + 2) / 5 + 1; // [1, 31]
    let month = if march_month < 10 {
        march_month + 3
    } else {
        march_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}
// ANCHOR_END: imf_fixdate

#[cfg(test)]
mod tests {
    use super::{civil_from_days, from_unix_seconds, http_date, write_http_date};
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn the_remembered_date_changes_with_the_second() {
        // Twice in one second, the next second, then back: each as `http_date` says.
        let times = [
            784_111_777_100,
            784_111_777_900,
            784_111_778_000,
            784_111_777_000,
        ];
        for millis in times {
            let time = UNIX_EPOCH + Duration::from_millis(millis);
            let mut out = b"Date: ".to_vec();
            write_http_date(&mut out, time);
            assert_eq!(
                out,
                format!("Date: {}", http_date(time)).as_bytes(),
                "{millis}"
            );
        }
    }

    #[test]
    fn known_timestamps() {
        // Expected values printed by `date -u -d @SECONDS '+%a, %d %b %Y %H:%M:%S GMT'`.
        let cases = [
            (0, "Thu, 01 Jan 1970 00:00:00 GMT"),
            (784_111_777, "Sun, 06 Nov 1994 08:49:37 GMT"),
            (951_782_400, "Tue, 29 Feb 2000 00:00:00 GMT"),
            (1_709_164_800, "Thu, 29 Feb 2024 00:00:00 GMT"),
            (4_107_456_000, "Sun, 28 Feb 2100 00:00:00 GMT"),
            (4_107_542_400, "Mon, 01 Mar 2100 00:00:00 GMT"),
            (68_256_000_000, "Fri, 12 Dec 4132 00:00:00 GMT"),
            (253_402_300_799, "Fri, 31 Dec 9999 23:59:59 GMT"),
            (-1, "Wed, 31 Dec 1969 23:59:59 GMT"),
        ];
        for (seconds, expected) in cases {
            assert_eq!(from_unix_seconds(seconds), expected, "{seconds}");
        }
    }

    #[test]
    fn system_time_before_and_after_the_epoch() {
        let after = UNIX_EPOCH + Duration::from_millis(784_111_777_999);
        assert_eq!(http_date(after), "Sun, 06 Nov 1994 08:49:37 GMT");
        let before = UNIX_EPOCH - Duration::from_millis(500);
        assert_eq!(http_date(before), "Wed, 31 Dec 1969 23:59:59 GMT");
    }

    #[test]
    fn days_walk_the_calendar_one_at_a_time() {
        // Walk every day from 1600 to 2400 and check each step against the month lengths, so
        // every leap rule (4, 100, 400) is crossed.
        let leap = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let length = |y: i64, m: i64| match m {
            2 if leap(y) => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        let mut expected = (1600, 1, 1);
        for days in -135_140..157_000 {
            assert_eq!(civil_from_days(days), expected, "day {days}");
            let (y, m, d) = expected;
            expected = match (d == length(y, m), m == 12) {
                (false, _) => (y, m, d + 1),
                (true, false) => (y, m + 1, 1),
                (true, true) => (y + 1, 1, 1),
            };
        }
    }
}
