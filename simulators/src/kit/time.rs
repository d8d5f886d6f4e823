//! Wall-clock dates without a date crate: Unix seconds, civil dates (Howard Hinnant's algorithms) and
//! the ISO 8601 forms the simulated APIs write and read.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = (if mp < 10 { mp + 3 } else { mp - 9 }) as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// `2026-01-15T10:30:00` in UTC, without a zone: each API adds its own (`Z`, `+00:00`, fractions).
pub fn iso_seconds(secs: i64) -> String {
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    let (h, mi, s) = (rem / 3600, rem % 3600 / 60, rem % 60);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}")
}

/// RFC 3339 in UTC to the second, as Rails renders timestamps: `2026-01-15T10:30:00Z`.
pub fn rfc3339(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    iso_seconds(secs as i64) + "Z"
}

/// An ISO 8601 date-time: `2022-03-01T00:00:00.000+02:00`, `...Z`, no offset (UTC), or a bare date
/// (midnight UTC). A space before the offset reads as `+`, which query decoding makes of an
/// unencoded plus sign.
pub fn parse_iso(text: &str) -> Option<SystemTime> {
    let text = text.trim();
    if !text.is_ascii() {
        return None;
    }
    let date = text.get(..10)?;
    let number = |s: Option<&str>| {
        let s = s?;
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<i64>().ok())
            .flatten()
    };
    if &date[4..5] != "-" || &date[7..8] != "-" {
        return None;
    }
    let (year, month, day) = (
        number(date.get(..4))?,
        number(date.get(5..7))?,
        number(date.get(8..))?,
    );
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return None,
    };
    if !(1..=month_days).contains(&day) {
        return None;
    }
    let mut secs = days_from_civil(year, month, day) * 86_400;
    let mut micros = 0;
    let rest = &text[10..];
    if !rest.is_empty() {
        let rest = rest.strip_prefix(['T', 't'])?;
        let zone_at = rest.find(['Z', 'z', '+', '-', ' ']).unwrap_or(rest.len());
        let (time, zone) = rest.split_at(zone_at);
        let (hms, fraction) = time.split_once('.').unwrap_or((time, "0"));
        let mut parts = hms.split(':');
        let (h, m) = (number(parts.next())?, number(parts.next())?);
        let s = match parts.next() {
            Some(s) => number(Some(s))?,
            None => 0,
        };
        if parts.next().is_some() || h > 23 || m > 59 || s > 59 {
            return None;
        }
        let digits: String = fraction.chars().chain("00000".chars()).take(6).collect();
        micros = number(Some(&digits))?;
        let offset = match zone {
            "" | "Z" | "z" => 0,
            _ => {
                let (sign, hhmm) = zone.split_at(1);
                let (oh, om) = match hhmm.len() {
                    2 => (hhmm, "00"),
                    4 => hhmm.split_at(2),
                    5 if &hhmm[2..3] == ":" => (&hhmm[..2], &hhmm[3..]),
                    _ => return None,
                };
                let (oh, om) = (number(Some(oh))?, number(Some(om))?);
                if oh > 23 || om > 59 {
                    return None;
                }
                let sign = if sign == "-" { -1 } else { 1 };
                sign * (oh * 3600 + om * 60)
            }
        };
        secs += h * 3600 + m * 60 + s - offset;
    }
    let total = u64::try_from(secs.checked_mul(1_000_000)? + micros).ok()?;
    Some(UNIX_EPOCH + Duration::from_micros(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Dates round-trip through the civil-date helpers; ISO text reads with any offset.
    #[test]
    fn dates() {
        let day = days_from_civil(2017, 10, 19);
        assert_eq!(civil_from_days(day), (2017, 10, 19));
        assert_eq!(civil_from_days(days_from_civil(2024, 2, 29)), (2024, 2, 29));
        assert_eq!(iso_seconds(day * 86_400 + 3661), "2017-10-19T01:01:01");
        let plus = parse_iso("2022-03-01T00:00:00.000+02:00");
        assert_eq!(plus, parse_iso("2022-02-28T22:00:00Z"));
        assert_eq!(plus.map(rfc3339).as_deref(), Some("2022-02-28T22:00:00Z"));
        assert_eq!(parse_iso("2022-02-30"), None);
    }
}
