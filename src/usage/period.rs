//! The time span an aggregation covers, to the millisecond, and its cut into windows.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, SubsecRound, TimeZone, Utc};

use crate::{Error, Result};

/// A closed span of time `[start, end]` to the millisecond, as CloudStack's usage job uses it:
/// a day is `00:00:00.000`–`23:59:59.999`.
///
/// ```
/// use chrono::NaiveDate;
/// use cloudstack_db::usage::UsagePeriod;
/// let day = UsagePeriod::day(NaiveDate::from_ymd_opt(2026, 11, 24).unwrap());
/// assert_eq!(day.end_millis() - day.start_millis(), 86_399_999);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsagePeriod {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

/// CloudStack's default `usage.stats.job.aggregation.range`: one day.
pub const DEFAULT_AGGREGATION_RANGE: Duration = Duration::days(1);

impl UsagePeriod {
    /// The span from `start` to `end`, both included; [`Error::Config`] unless `start < end`.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use cloudstack_db::usage::UsagePeriod;
    /// let t = Utc.with_ymd_and_hms(2026, 11, 24, 0, 0, 0).unwrap();
    /// assert!(UsagePeriod::new(t, t).is_err());
    /// ```
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Self> {
        let (start, end) = (start.trunc_subsecs(3), end.trunc_subsecs(3));
        if start >= end {
            return Err(Error::Config(format!(
                "usage period must end after it starts: {start} .. {end}"
            )));
        }
        Ok(Self { start, end })
    }

    /// The UTC calendar day `date`.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use cloudstack_db::usage::UsagePeriod;
    /// let d = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    /// assert_eq!(UsagePeriod::day(d).to_string(), "2026-11-24 00:00:00.000 .. 2026-11-24 23:59:59.999 UTC");
    /// ```
    pub fn day(date: NaiveDate) -> Self {
        Self::days(date, date)
    }

    /// The UTC calendar days `first` to `last`, both included (`last` before `first` is taken
    /// as `first`).
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use cloudstack_db::usage::UsagePeriod;
    /// let d = |n| NaiveDate::from_ymd_opt(2026, 11, n).unwrap();
    /// assert_eq!(UsagePeriod::days(d(23), d(24)).windows(chrono::Duration::days(1)).len(), 2);
    /// ```
    pub fn days(first: NaiveDate, last: NaiveDate) -> Self {
        let last = last.max(first);
        let start = Utc.from_utc_datetime(&first.and_time(chrono::NaiveTime::MIN));
        let end = Utc.from_utc_datetime(&last.and_time(chrono::NaiveTime::MIN)) + Duration::days(1)
            - Duration::milliseconds(1);
        Self { start, end }
    }

    /// The last full UTC day before `now` — the default of `cloudstack-db usage`.
    ///
    /// ```
    /// use chrono::{NaiveDate, TimeZone, Utc};
    /// use cloudstack_db::usage::UsagePeriod;
    /// let now = Utc.with_ymd_and_hms(2026, 11, 25, 0, 15, 0).unwrap();
    /// assert_eq!(UsagePeriod::last_full_day(now), UsagePeriod::day(NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()));
    /// ```
    pub fn last_full_day(now: DateTime<Utc>) -> Self {
        Self::day(now.date_naive() - Duration::days(1))
    }

    /// The window CloudStack's recurring job nominally covers when it runs at `now` with
    /// `range` (`UsageManagerImpl#runInContextInternal`, UTC): the previous full day for one
    /// day, the previous full hour for one hour, otherwise `range` back from `now` (seconds
    /// dropped).
    ///
    /// ```
    /// use chrono::{Duration, TimeZone, Utc};
    /// use cloudstack_db::usage::UsagePeriod;
    /// let now = Utc.with_ymd_and_hms(2026, 11, 25, 0, 15, 7).unwrap();
    /// assert_eq!(UsagePeriod::nominal(now, Duration::hours(1)).to_string(),
    ///            "2026-11-24 23:00:00.000 .. 2026-11-24 23:59:59.999 UTC");
    /// assert_eq!(UsagePeriod::nominal(now, Duration::minutes(30)).to_string(),
    ///            "2026-11-24 23:45:00.000 .. 2026-11-25 00:14:59.999 UTC");
    /// ```
    pub fn nominal(now: DateTime<Utc>, range: Duration) -> Self {
        if range == Duration::days(1) {
            return Self::last_full_day(now);
        }
        let start = if range == Duration::hours(1) {
            now.trunc_subsecs(0)
                - Duration::seconds(now.timestamp().rem_euclid(3600))
                - Duration::hours(1)
        } else {
            now.trunc_subsecs(0) - Duration::seconds(now.timestamp().rem_euclid(60)) - range
        };
        Self {
            start,
            end: start + range - Duration::milliseconds(1),
        }
    }

    /// Parses the command line's `--start`/`--end`: a date (`2026-11-24`, the whole day) or a
    /// UTC date and time (`2026-11-24 13:00:00`, that second; the end includes its last
    /// millisecond).
    ///
    /// ```
    /// use cloudstack_db::usage::UsagePeriod;
    /// let p = UsagePeriod::parse("2026-11-23", "2026-11-24 11:59:59")?;
    /// assert_eq!(p.to_string(), "2026-11-23 00:00:00.000 .. 2026-11-24 11:59:59.999 UTC");
    /// # Ok::<(), cloudstack_db::Error>(())
    /// ```
    pub fn parse(start: &str, end: &str) -> Result<Self> {
        let start = parse_bound(start, false)?;
        let end = parse_bound(end, true)?;
        Self::new(start, end)
    }

    /// The first millisecond.
    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    /// The last millisecond (included).
    pub fn end(&self) -> DateTime<Utc> {
        self.end
    }

    /// The first millisecond since the Unix epoch (`usage_job.start_millis`).
    pub fn start_millis(&self) -> i64 {
        self.start.timestamp_millis()
    }

    /// The last millisecond since the Unix epoch (`usage_job.end_millis`).
    pub fn end_millis(&self) -> i64 {
        self.end.timestamp_millis()
    }

    /// Whether the two spans share a millisecond.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use cloudstack_db::usage::UsagePeriod;
    /// let d = |n| UsagePeriod::day(NaiveDate::from_ymd_opt(2026, 11, n).unwrap());
    /// assert!(!d(23).overlaps(&d(24)));
    /// ```
    pub fn overlaps(&self, other: &UsagePeriod) -> bool {
        self.start <= other.end && other.start <= self.end
    }

    /// The windows CloudStack's job cuts the span into (`UsageManagerImpl#parse`): stepping
    /// back from the end by `range` while more than 60 s remain, so a leading remainder of 60 s
    /// or less joins the first window; each later window starts one millisecond after the
    /// previous one ends and lasts `range`, the last one ending with the span.
    ///
    /// ```
    /// use chrono::{Duration, NaiveDate};
    /// use cloudstack_db::usage::UsagePeriod;
    /// let day = UsagePeriod::day(NaiveDate::from_ymd_opt(2026, 11, 24).unwrap());
    /// let hours = day.windows(Duration::hours(1));
    /// assert_eq!((hours.len(), hours[0].to_string().as_str()),
    ///            (24, "2026-11-24 00:00:00.000 .. 2026-11-24 00:59:59.999 UTC"));
    /// ```
    pub fn windows(&self, range: Duration) -> Vec<UsagePeriod> {
        let step = range.max(Duration::minutes(1));
        let minute = Duration::seconds(60);
        let mut first_end = self.end;
        let mut probe = self.end;
        while probe > self.start && probe - self.start > minute {
            first_end = probe;
            probe -= step;
        }
        let mut windows = Vec::new();
        let (mut start, mut end) = (self.start, first_end);
        while end <= self.end {
            windows.push(UsagePeriod { start, end });
            start = end + Duration::milliseconds(1);
            end += step;
        }
        windows
    }
}

impl std::fmt::Display for UsagePeriod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const FORMAT: &str = "%Y-%m-%d %H:%M:%S%.3f";
        write!(
            f,
            "{} .. {} UTC",
            self.start.format(FORMAT),
            self.end.format(FORMAT)
        )
    }
}

fn parse_bound(text: &str, is_end: bool) -> Result<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let midnight = Utc.from_utc_datetime(&date.and_time(chrono::NaiveTime::MIN));
        return Ok(if is_end {
            midnight + Duration::days(1) - Duration::milliseconds(1)
        } else {
            midnight
        });
    }
    for format in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(at) = NaiveDateTime::parse_from_str(text, format) {
            let at = Utc.from_utc_datetime(&at);
            return Ok(if is_end {
                at + Duration::milliseconds(999)
            } else {
                at
            });
        }
    }
    Err(Error::Config(format!(
        "not a UTC date (YYYY-MM-DD) or date and time (YYYY-MM-DD HH:MM:SS): {text:?}"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 24, h, m, s).unwrap()
    }

    fn cut(start: DateTime<Utc>, end: DateTime<Utc>, range: Duration) -> Vec<(String, String)> {
        UsagePeriod::new(start, end)
            .unwrap()
            .windows(range)
            .iter()
            .map(|w| {
                let f = |d: DateTime<Utc>| d.format("%H:%M:%S%.3f").to_string();
                (f(w.start()), f(w.end()))
            })
            .collect()
    }

    #[test]
    fn a_leading_remainder_of_a_minute_or_less_joins_the_first_window() {
        let hour = Duration::hours(1);
        // 30 s more than an hour: one window.
        assert_eq!(
            cut(t(0, 0, 0), t(1, 0, 30), hour),
            vec![("00:00:00.000".into(), "01:00:30.000".into())]
        );
        // Exactly 60 s more: still one window (Java steps back only while more than 60 s remain).
        assert_eq!(cut(t(0, 0, 0), t(1, 1, 0), hour).len(), 1);
        // 61 s more: the remainder is its own window.
        assert_eq!(
            cut(t(0, 0, 0), t(1, 1, 1), hour),
            vec![
                ("00:00:00.000".into(), "00:01:01.000".into()),
                ("00:01:01.001".into(), "01:01:01.000".into())
            ]
        );
        // A span of a minute or less is one window.
        assert_eq!(cut(t(0, 0, 0), t(0, 0, 45), hour).len(), 1);
    }
}
