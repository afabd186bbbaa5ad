//! Article dates: read from a record's date field, a file's path, a dateline or the settings, kept as a
//! [`PartialDate`] (a year, a month of a year, or a day) and indexed as a number `YYYYMMDD` ([`PartialDate::key`])
//! that filters and sorts (`20230105`; an unknown month or day is `00`: `20230100` is "January 2023").

use std::fmt;
use std::sync::LazyLock;

use regex::Regex;

/// A date as precise as its source: a year, a month of a year, or a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PartialDate {
    /// The year, 1000–9999.
    pub year: u16,
    /// The month, 1–12, if known.
    pub month: Option<u8>,
    /// The day of the month, if known (then the month is known too, and the day exists in it).
    pub day: Option<u8>,
}

/// The forms of a date that [`PartialDate::parse`] reads (after full-width digits become ASCII and a time of
/// day is cut off): `2023-01-05`, `2023/1/5`, `2023.01.05`, `2023年1月5日`, `20230105`, `2023-01`, `2023年1月`,
/// `2023`.
static DATE_FORMS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?P<y>[0-9]{4})(?:(?:[-/.年](?P<m>[0-9]{1,2})(?:[-/.月](?P<d>[0-9]{1,2})日?|月)?)|(?P<m8>[0-9]{2})(?P<d8>[0-9]{2}))?年?$",
    )
    .expect("the date pattern is valid")
});

impl PartialDate {
    /// A day, month or year if it exists (a month 1–12; a day that the month has, 29 February in leap years).
    pub fn new(year: u16, month: Option<u8>, day: Option<u8>) -> Option<PartialDate> {
        if !(1000..=9999).contains(&year) {
            return None;
        }
        match (month, day) {
            (None, Some(_)) => None,
            (Some(m), _) if !(1..=12).contains(&m) => None,
            (Some(m), Some(d)) if d == 0 || d > days_in_month(year, m) => None,
            _ => Some(PartialDate { year, month, day }),
        }
    }

    /// Reads a date in one of the usual forms: `2023-01-05`, `2023/1/5`, `2023.01.05`, `2023年1月5日`,
    /// `20230105`, a month (`2023-01`, `2023年1月`) or a year (`2023`, `2023年`); full-width digits too, and a
    /// time of day after the date (`2023-01-05T08:00:00+08:00`, `2023-01-05 08:00`) is ignored. `None` for
    /// anything else, and for a day or month that does not exist.
    pub fn parse(s: &str) -> Option<PartialDate> {
        let ascii: String = s
            .trim()
            .chars()
            .map(|c| match c {
                '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
                '－' => '-',
                '／' => '/',
                '．' => '.',
                c => c,
            })
            .collect();
        // A time of day: after a `T` or a space that follows the date.
        let date = ascii
            .split(['T', ' '])
            .next()
            .unwrap_or_default()
            .trim_end_matches(['Z', 'z']);
        let c = DATE_FORMS.captures(date)?;
        let num = |name: &str| c.name(name).and_then(|m| m.as_str().parse::<u16>().ok());
        let year = num("y")?;
        let month = num("m").or(num("m8")).map(|m| m as u8);
        let day = num("d").or(num("d8")).map(|d| d as u8);
        PartialDate::new(year, month, day)
    }

    /// The index's number for the date: `YYYYMMDD`, with `00` for an unknown month or day (so that all of
    /// a year's dates sort after the year alone and before the next year).
    pub fn key(&self) -> u64 {
        u64::from(self.year) * 10_000
            + u64::from(self.month.unwrap_or(0)) * 100
            + u64::from(self.day.unwrap_or(0))
    }

    /// The date of an index number ([`PartialDate::key`]); `None` for a number that is no date.
    pub fn from_key(key: u64) -> Option<PartialDate> {
        let year = u16::try_from(key / 10_000).ok()?;
        let (m, d) = ((key / 100 % 100) as u8, (key % 100) as u8);
        PartialDate::new(year, (m > 0).then_some(m), (d > 0).then_some(d))
    }

    /// The last index number that the date covers: `20230199` for January 2023, `20239999` for 2023 (the
    /// upper bound of `--until 2023-01`).
    pub fn last_key(&self) -> u64 {
        u64::from(self.year) * 10_000
            + u64::from(self.month.unwrap_or(99)) * 100
            + u64::from(self.day.unwrap_or(99))
    }
}

impl fmt::Display for PartialDate {
    /// `2023-01-05`, `2023-01` or `2023`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
        }
        if let Some(d) = self.day {
            write!(f, "-{d:02}")?;
        }
        Ok(())
    }
}

/// The number of days of `month` (1–12) in `year`.
pub fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 31,
    }
}

/// How a date is found in a file's path when the settings name no pattern ([`date_from_path`]), most
/// precise first: a day written as one piece (`20230105-…`, `2023-01-05`, `2023_01_05`, `2023/01/05/`), a
/// day as folders with one-digit months or days (`2023/1/5/`), then a month as folders (`2023/01/`), then a
/// year folder (`2023/`). Only years 1900–2099 count, so that other four-digit numbers in names do not.
static DEFAULT_PATH_DATES: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        r"(?:^|[^0-9])(?P<y>(?:19|20)[0-9]{2})[-_./]?(?P<m>0[1-9]|1[0-2])[-_./]?(?P<d>0[1-9]|[12][0-9]|3[01])(?:[^0-9]|$)",
        r"(?:^|/)(?P<y>(?:19|20)[0-9]{2})/(?P<m>[1-9]|1[0-2])/(?P<d>[1-9]|[12][0-9]|3[01])/",
        r"(?:^|/)(?P<y>(?:19|20)[0-9]{2})[-_/]?(?P<m>0[1-9]|1[0-2])/",
        r"(?:^|/)(?P<y>(?:19|20)[0-9]{2})/",
    ]
    .iter()
    .map(|p| Regex::new(p).expect("the default path-date patterns are valid"))
    .collect()
});

/// A pattern for dates in paths: a regular expression (Rust `regex` syntax) with a group named `y` (the
/// year) and optionally `m` and `d` (month and day), matched against the path relative to the corpus root.
/// Errors: the expression does not compile, or has no group `y`, or a group `d` without `m`.
pub fn path_date_pattern(pattern: &str) -> Result<Regex, String> {
    let re = Regex::new(pattern).map_err(|e| {
        format!(
            "path_date {pattern:?} is no regular expression: {}",
            e.to_string().lines().last().unwrap_or("invalid")
        )
    })?;
    let names: Vec<&str> = re.capture_names().flatten().collect();
    if !names.contains(&"y") {
        return Err(format!(
            "path_date {pattern:?} has no group named y (write the year as (?P<y>[0-9]{{4}}))"
        ));
    }
    if names.contains(&"d") && !names.contains(&"m") {
        return Err(format!(
            "path_date {pattern:?} has a day (d) but no month (m)"
        ));
    }
    Ok(re)
}

/// The date in a file's path (`/`-separated, relative to the corpus root): by `pattern` if given (see
/// [`path_date_pattern`]; `None` for a pattern that does not match or names no real date), else by the
/// default forms (a day as `2023/01/05/` or `20230105`, a month as `2023/01/`, a year as `2023/`). Within a pattern the last match counts: the file's name says
/// more than its folders.
pub fn date_from_path(rel: &str, pattern: Option<&Regex>) -> Option<PartialDate> {
    let read = |re: &Regex, hay: &str| {
        let c = re.captures_iter(hay).last()?;
        let num = |name: &str| c.name(name).and_then(|m| m.as_str().parse::<u16>().ok());
        PartialDate::new(
            num("y")?,
            num("m").and_then(|m| u8::try_from(m).ok()),
            num("d").and_then(|d| u8::try_from(d).ok()),
        )
    };
    match pattern {
        Some(re) => read(re, rel),
        // The file's name first: `2023/01/05/20220101-e.txt` is of 2022-01-01.
        None => {
            let name = rel.rsplit('/').next().unwrap_or(rel);
            DEFAULT_PATH_DATES
                .iter()
                .find_map(|re| read(re, name))
                .or_else(|| DEFAULT_PATH_DATES.iter().find_map(|re| read(re, rel)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Option<String> {
        PartialDate::parse(s).map(|d| d.to_string())
    }

    #[test]
    fn reads_the_usual_forms() {
        for (s, want) in [
            ("2023-01-05", "2023-01-05"),
            ("2023/1/5", "2023-01-05"),
            ("2023.01.05", "2023-01-05"),
            ("2023年1月5日", "2023-01-05"),
            ("２０２３年１月５日", "2023-01-05"),
            ("20230105", "2023-01-05"),
            ("2023-01-05T08:00:00+08:00", "2023-01-05"),
            ("2023-01-05 08:00", "2023-01-05"),
            ("2023-01-05Z", "2023-01-05"),
            ("2023-01", "2023-01"),
            ("2023年1月", "2023-01"),
            ("2023", "2023"),
            ("2023年", "2023"),
            (" 2016-12-31 ", "2016-12-31"),
        ] {
            assert_eq!(p(s).as_deref(), Some(want), "{s}");
        }
    }

    #[test]
    fn refuses_what_is_no_date() {
        for s in [
            "",
            "2023-13-01",
            "2023-02-29",
            "2023-04-31",
            "2023-1-",
            "23-01-05",
            "yesterday",
            "2023-01-05-07",
            "202301",
            "0999",
        ] {
            assert_eq!(p(s), None, "{s}");
        }
        assert_eq!(p("2024-02-29").as_deref(), Some("2024-02-29"));
        assert_eq!(p("2000-02-29").as_deref(), Some("2000-02-29"));
        assert_eq!(p("1900-02-29"), None);
    }

    #[test]
    fn keys_order_and_bound_dates() {
        let d = |s| PartialDate::parse(s).unwrap();
        assert_eq!(d("2023-01-05").key(), 20230105);
        assert_eq!(d("2023-01").key(), 20230100);
        assert_eq!(d("2023").key(), 20230000);
        assert_eq!(d("2023-01").last_key(), 20230199);
        assert_eq!(d("2023").last_key(), 20239999);
        assert!(d("2023").key() < d("2023-01").key());
        assert!(d("2023-12-31").last_key() < d("2024").key());
        for s in ["2023-01-05", "2023-01", "2023"] {
            assert_eq!(PartialDate::from_key(d(s).key()), Some(d(s)));
        }
        assert_eq!(PartialDate::from_key(20231301), None);
        assert_eq!(PartialDate::from_key(0), None);
    }

    #[test]
    fn dates_in_paths() {
        let d = |rel| date_from_path(rel, None).map(|d| d.to_string());
        assert_eq!(d("2023/01/05/story.txt").as_deref(), Some("2023-01-05"));
        assert_eq!(d("20230105-xinhua.txt").as_deref(), Some("2023-01-05"));
        assert_eq!(d("wires/2023-01-05_1.txt").as_deref(), Some("2023-01-05"));
        assert_eq!(d("2023/1/5/story.txt").as_deref(), Some("2023-01-05"));
        assert_eq!(d("2023/01/story.txt").as_deref(), Some("2023-01"));
        assert_eq!(d("2023/story.txt").as_deref(), Some("2023"));
        // The name says more than the folders.
        assert_eq!(
            d("2022/12/20230105-late.txt").as_deref(),
            Some("2023-01-05")
        );
        assert_eq!(
            d("2023/01/05/20220101-e.txt").as_deref(),
            Some("2022-01-01")
        );
        // Numbers that are no date.
        assert_eq!(d("report-20231305.txt"), None);
        assert_eq!(d("id-1234567890.txt"), None);
        assert_eq!(d("notes/3023/a.txt"), None);
        assert_eq!(d("keji-ribao-high-tech-zones-2023.txt"), None);

        let re = path_date_pattern(r"rmrb(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})").unwrap();
        assert_eq!(
            date_from_path("rmrb20230105.txt", Some(&re)).map(|d| d.to_string()),
            Some("2023-01-05".into())
        );
        assert_eq!(date_from_path("2023/01/05/a.txt", Some(&re)), None);
        assert!(path_date_pattern("(").is_err());
        assert!(path_date_pattern(r"(?P<m>\d\d)").is_err());
        assert!(path_date_pattern(r"(?P<y>\d{4})(?P<d>\d\d)").is_err());
    }
}
