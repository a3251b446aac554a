//! Typed values of settings: how a stored text becomes a number, a flag, a list or a duration.

use std::time::Duration;

use crate::{Error, Result};

/// A type a setting's text can be read as. A text that is not one is
/// [`Error::InvalidValue`] naming `configuration.<key>` and the text.
///
/// ```
/// use cloudstack_db::settings::SettingValue;
/// assert_eq!(i64::parse_setting("max.account.user.vms", " 20 ").unwrap(), 20);
/// assert_eq!(bool::parse_setting("api.key.access", "TRUE").unwrap(), true);
/// assert_eq!(Vec::<String>::parse_setting("resource.limit.host.tags", "gpu, fast,").unwrap(), ["gpu", "fast"]);
/// assert!(i64::parse_setting("max.account.user.vms", "twenty").is_err());
/// ```
pub trait SettingValue: Sized {
    /// Reads `raw`, the value of `key`.
    fn parse_setting(key: &str, raw: &str) -> Result<Self>;
}

fn bad(key: &str, raw: &str, reason: &str) -> Error {
    Error::invalid_value(format!("configuration.{key}"), raw, reason)
}

macro_rules! numbers {
    ($($t:ty => $what:literal),* $(,)?) => {$(
        impl SettingValue for $t {
            fn parse_setting(key: &str, raw: &str) -> Result<Self> {
                raw.trim().parse::<$t>().map_err(|_| bad(key, raw, $what))
            }
        }
    )*};
}

numbers!(
    i32 => "not a whole number (32-bit)",
    i64 => "not a whole number",
    u32 => "not a whole number of 0 or more (32-bit)",
    u64 => "not a whole number of 0 or more",
    f32 => "not a number",
    f64 => "not a number",
);

/// `true` or `false`, in any case (CloudStack's `Boolean.valueOf` reads anything else as
/// `false`; here anything else is an error, so a typo is seen).
impl SettingValue for bool {
    fn parse_setting(key: &str, raw: &str) -> Result<Self> {
        match raw.trim() {
            t if t.eq_ignore_ascii_case("true") => Ok(true),
            f if f.eq_ignore_ascii_case("false") => Ok(false),
            _ => Err(bad(key, raw, "neither true nor false")),
        }
    }
}

impl SettingValue for String {
    fn parse_setting(_key: &str, raw: &str) -> Result<Self> {
        Ok(raw.to_owned())
    }
}

/// A comma-separated list, each item trimmed, empty items dropped.
impl SettingValue for Vec<String> {
    fn parse_setting(_key: &str, raw: &str) -> Result<Self> {
        Ok(raw
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect())
    }
}

/// A whole number of seconds (most of CloudStack's intervals, e.g. `expunge.interval`,
/// `storage.cleanup.delay`); see [`Millis`] for those in milliseconds.
impl SettingValue for Duration {
    fn parse_setting(key: &str, raw: &str) -> Result<Self> {
        u64::parse_setting(key, raw)
            .map(Duration::from_secs)
            .map_err(|_| bad(key, raw, "not a whole number of seconds"))
    }
}

/// A duration stored as whole milliseconds (some timeouts are; the setting's description
/// says which unit it uses).
///
/// ```
/// use cloudstack_db::settings::{Millis, SettingValue};
/// assert_eq!(Millis::parse_setting("k", "1500").unwrap().0.as_millis(), 1500);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Millis(pub Duration);

impl SettingValue for Millis {
    fn parse_setting(key: &str, raw: &str) -> Result<Self> {
        u64::parse_setting(key, raw)
            .map(|ms| Millis(Duration::from_millis(ms)))
            .map_err(|_| bad(key, raw, "not a whole number of milliseconds"))
    }
}
