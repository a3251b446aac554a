//! Checks a text value against its column before anything is written, so a value the column
//! cannot hold is refused without side effects (an id taken from `sequence` is not rolled back
//! with the transaction that failed).

use crate::{Error, Result};

/// What a text column can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    /// `utf8mb3` (CloudStack's default): characters of the Basic Multilingual Plane only, no
    /// 4-byte UTF-8 (emoji and the like).
    Utf8mb3,
    /// `utf8mb4`: every Unicode character.
    Utf8mb4,
}

/// Refuses `value` for `column` (`table.column`) when it is longer than `max_chars`
/// characters (MySQL counts `varchar(n)` in characters) or has a character `charset` cannot
/// store, with [`Error::InvalidValue`] naming the column.
///
/// ```
/// use cloudstack_db::repo::{Charset, check_text};
/// assert!(check_text("volumes.name", "data-1", 255, Charset::Utf8mb4).is_ok());
/// assert!(check_text("vm_instance.name", "vm-\u{1F600}", 255, Charset::Utf8mb3).is_err());
/// assert!(check_text("vm_instance.name", &"x".repeat(256), 255, Charset::Utf8mb3).is_err());
/// ```
pub fn check_text(column: &str, value: &str, max_chars: usize, charset: Charset) -> Result<()> {
    let mut chars = 0;
    for c in value.chars() {
        chars += 1;
        if charset == Charset::Utf8mb3 && u32::from(c) > 0xFFFF {
            return Err(Error::InvalidValue {
                column: column.to_owned(),
                value: None,
                reason: format!(
                    "the character U+{:X} needs utf8mb4; the column is utf8mb3",
                    u32::from(c)
                ),
            });
        }
    }
    if chars > max_chars {
        return Err(Error::InvalidValue {
            column: column.to_owned(),
            value: None,
            reason: format!("{chars} characters, the column holds {max_chars}"),
        });
    }
    Ok(())
}

/// Whether every character of `value` can be stored in (and so compared with) a column of
/// `charset`. A lookup by a value that does not fit cannot match any row — and MySQL refuses to
/// compare a 4-byte character with a utf8mb3 column ("Illegal mix of collations") — so lookups
/// answer "not found" without asking.
///
/// ```
/// use cloudstack_db::repo::{Charset, fits_charset};
/// assert!(fits_charset("admin", Charset::Utf8mb3));
/// assert!(!fits_charset("\u{1F600}", Charset::Utf8mb3));
/// assert!(fits_charset("\u{1F600}", Charset::Utf8mb4));
/// ```
pub fn fits_charset(value: &str, charset: Charset) -> bool {
    charset == Charset::Utf8mb4 || value.chars().all(|c| u32::from(c) <= 0xFFFF)
}

/// [`check_text`] for a field of an update's change set: `None` (leave the column alone) and
/// `Some(None)` (set it to NULL) always pass.
///
/// ```
/// use cloudstack_db::repo::{check_text_change, Charset};
/// assert!(check_text_change("networks.name", &Some(None), 255, Charset::Utf8mb4).is_ok());
/// assert!(check_text_change("networks.name", &Some(Some("x".repeat(256))), 255, Charset::Utf8mb4).is_err());
/// ```
pub fn check_text_change(
    column: &str,
    change: &Option<Option<String>>,
    max_chars: usize,
    charset: Charset,
) -> Result<()> {
    match change {
        Some(Some(value)) => check_text(column, value, max_chars, charset),
        _ => Ok(()),
    }
}
