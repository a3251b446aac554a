//! Reading and writing CloudStack's `db.properties` (Java properties format).

use std::path::Path;

use crate::{Error, Result};

/// The largest db.properties file read (CloudStack's are a few KB).
pub const MAX_FILE_BYTES: u64 = 256 * 1024;

/// A CloudStack `db.properties` file: its entries in file order, with comments and layout kept
/// so that rewriting a few values leaves the rest of the file as it was.
///
/// Java properties rules apply when reading: `#` and `!` start comments, `=`, `:` or white space
/// separate key and value, a trailing backslash continues the line, and `\uXXXX`, `\t`, `\n`,
/// `\=` escapes are understood. A later key overrides an earlier one. Values written by
/// [`DbProperties::set`] are escaped so Java reads them back (non-ASCII as `\uXXXX`, since Java
/// reads the file as ISO-8859-1).
///
/// ```
/// use cloudstack_db::db::DbProperties;
///
/// let mut p = DbProperties::parse("# CloudStack\ndb.cloud.host = db1\ndb.cloud.port: 3307\n");
/// assert_eq!(p.get("db.cloud.host"), Some("db1"));
/// p.set("db.cloud.host", "db2");
/// p.set("region.id", "1");
/// assert_eq!(p.to_text(), "# CloudStack\ndb.cloud.host=db2\ndb.cloud.port: 3307\nregion.id=1\n");
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct DbProperties {
    lines: Vec<Line>,
}

#[derive(Clone, PartialEq, Eq)]
enum Line {
    /// A key and value; `raw` is the original text while the entry is unchanged.
    Entry {
        key: String,
        value: String,
        raw: Option<String>,
    },
    /// A comment or blank line.
    Other(String),
}

impl std::fmt::Debug for DbProperties {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Values may be passwords or keys: show the keys only.
        f.debug_struct("DbProperties")
            .field("keys", &self.iter().map(|(k, _)| k).collect::<Vec<_>>())
            .finish()
    }
}

impl DbProperties {
    /// Reads and parses a file.
    ///
    /// ```no_run
    /// let p = cloudstack_db::db::DbProperties::read("/etc/cloudstack/management/db.properties")?;
    /// # Ok::<(), cloudstack_db::Error>(())
    /// ```
    pub fn read(path: impl AsRef<Path>) -> Result<Self> {
        use std::io::Read;
        let path = path.as_ref();
        let cannot =
            |e: std::io::Error| Error::Config(format!("cannot read {}: {e}", path.display()));
        // A real db.properties is a few KB: read at most one byte more than the bound.
        let mut text = String::new();
        std::fs::File::open(path)
            .map_err(cannot)?
            .take(MAX_FILE_BYTES + 1)
            .read_to_string(&mut text)
            .map_err(cannot)?;
        if text.len() as u64 > MAX_FILE_BYTES {
            return Err(Error::Config(format!(
                "{} is larger than {} KiB: not a db.properties file",
                path.display(),
                MAX_FILE_BYTES / 1024
            )));
        }
        Ok(Self::parse(&text))
    }

    /// The 1-based line on which the effective entry of `key` starts.
    ///
    /// ```
    /// let p = cloudstack_db::db::DbProperties::parse("# c\na=1\nb=2\\\n 3\na=4\n");
    /// assert_eq!(p.line_of("a"), Some(5));
    /// assert_eq!(p.line_of("b"), Some(3));
    /// assert_eq!(p.line_of("z"), None);
    /// ```
    pub fn line_of(&self, key: &str) -> Option<usize> {
        let mut line = 1;
        let mut found = None;
        for entry in &self.lines {
            let height = match entry {
                Line::Entry { key: k, raw, .. } => {
                    if k == key {
                        found = Some(line);
                    }
                    raw.as_deref().map_or(1, |r| r.lines().count().max(1))
                }
                Line::Other(_) => 1,
            };
            line += height;
        }
        found
    }

    /// Parses properties text.
    ///
    /// ```
    /// let p = cloudstack_db::db::DbProperties::parse("a=1\\\n  2\nb=x\\=y");
    /// assert_eq!(p.get("a"), Some("12"));
    /// assert_eq!(p.get("b"), Some("x=y"));
    /// ```
    pub fn parse(text: &str) -> Self {
        let mut lines = Vec::new();
        let mut pending: Option<(String, String)> = None; // (logical text, raw text)
        for physical in text.lines() {
            let trimmed = physical.trim_start();
            if pending.is_none()
                && (trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with('!'))
            {
                lines.push(Line::Other(physical.to_owned()));
                continue;
            }
            let (mut logical, mut raw) = pending.take().unwrap_or_default();
            if !raw.is_empty() {
                raw.push('\n');
            }
            raw.push_str(physical);
            let continues = ends_with_odd_backslashes(trimmed);
            logical.push_str(if continues {
                &trimmed[..trimmed.len() - 1]
            } else {
                trimmed
            });
            if continues {
                pending = Some((logical, raw));
            } else {
                let (key, value) = split_entry(&logical);
                lines.push(Line::Entry {
                    key,
                    value,
                    raw: Some(raw),
                });
            }
        }
        if let Some((logical, raw)) = pending {
            let (key, value) = split_entry(&logical);
            lines.push(Line::Entry {
                key,
                value,
                raw: Some(raw),
            });
        }
        Self { lines }
    }

    /// The value of `key`, if present (the last one wins, as in Java).
    ///
    /// ```
    /// let p = cloudstack_db::db::DbProperties::parse("db.cloud.name=cloud");
    /// assert_eq!(p.get("db.cloud.name"), Some("cloud"));
    /// ```
    pub fn get(&self, key: &str) -> Option<&str> {
        self.lines.iter().rev().find_map(|line| match line {
            Line::Entry { key: k, value, .. } if k == key => Some(value.as_str()),
            _ => None,
        })
    }

    /// Sets `key` to `value`: replaces the existing entry in place (dropping earlier duplicates),
    /// or appends one.
    ///
    /// ```
    /// let mut p = cloudstack_db::db::DbProperties::parse("a=1\nb=2\na=3\n");
    /// p.set("a", "4");
    /// assert_eq!(p.to_text(), "b=2\na=4\n");
    /// ```
    pub fn set(&mut self, key: &str, value: &str) {
        let positions: Vec<usize> = self
            .lines
            .iter()
            .enumerate()
            .filter(|(_, l)| matches!(l, Line::Entry { key: k, .. } if k == key))
            .map(|(i, _)| i)
            .collect();
        let entry = Line::Entry {
            key: key.to_owned(),
            value: value.to_owned(),
            raw: None,
        };
        match positions.split_last() {
            Some((&last, earlier)) => {
                self.lines[last] = entry;
                for &i in earlier.iter().rev() {
                    self.lines.remove(i);
                }
            }
            None => self.lines.push(entry),
        }
    }

    /// The text of the file, unchanged lines as they were.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for line in &self.lines {
            match line {
                Line::Other(raw) | Line::Entry { raw: Some(raw), .. } => out.push_str(raw),
                Line::Entry {
                    key,
                    value,
                    raw: None,
                } => {
                    out.push_str(&escape(key, true));
                    out.push('=');
                    out.push_str(&escape(value, false));
                }
            }
            out.push('\n');
        }
        out
    }

    /// Writes the file (see [`DbProperties::to_text`]).
    pub fn write(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        std::fs::write(path, self.to_text())
            .map_err(|e| Error::Config(format!("cannot write {}: {e}", path.display())))
    }

    /// The value of `key`, or a [`Error::Config`] naming the missing key.
    ///
    /// ```
    /// let p = cloudstack_db::db::DbProperties::parse("");
    /// assert!(p.require("db.cloud.host").is_err());
    /// ```
    pub fn require(&self, key: &str) -> Result<&str> {
        self.get(key)
            .ok_or_else(|| Error::Config(format!("db.properties has no `{key}`")))
    }

    /// The value of `key` parsed as a number, `None` when absent or empty.
    ///
    /// ```
    /// let p = cloudstack_db::db::DbProperties::parse("db.cloud.maxActive=250");
    /// assert_eq!(p.number::<u32>("db.cloud.maxActive").unwrap(), Some(250));
    /// ```
    pub fn number<T: std::str::FromStr>(&self, key: &str) -> Result<Option<T>> {
        match self.get(key).map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => v
                .parse()
                .map(Some)
                .map_err(|_| Error::Config(format!("db.properties `{key}` is not a number"))),
        }
    }

    /// Every key and its effective value, in file order (a key overridden later is listed once).
    ///
    /// ```
    /// let p = cloudstack_db::db::DbProperties::parse("a=1\nb=2");
    /// assert_eq!(p.iter().map(|(k, _)| k).collect::<Vec<_>>(), ["a", "b"]);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        let mut seen = std::collections::HashSet::new();
        let mut entries: Vec<(&str, &str)> = Vec::new();
        for line in &self.lines {
            if let Line::Entry { key, .. } = line {
                if seen.insert(key.as_str()) {
                    entries.push((key.as_str(), self.get(key).unwrap_or_default()));
                }
            }
        }
        entries.into_iter()
    }
}

fn ends_with_odd_backslashes(line: &str) -> bool {
    line.chars().rev().take_while(|&c| c == '\\').count() % 2 == 1
}

fn escape(text: &str, is_key: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.chars().enumerate() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\u{c}' => out.push_str("\\f"),
            ' ' if is_key || i == 0 => out.push_str("\\ "),
            '=' | ':' | '#' | '!' if is_key => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_ascii() => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04X}"));
                }
            }
        }
    }
    out
}

fn split_entry(line: &str) -> (String, String) {
    let mut key = String::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(escaped) = chars.next() {
                    push_escape(&mut key, escaped, &mut chars);
                }
            }
            '=' | ':' => break,
            c if c.is_whitespace() => {
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
                if matches!(chars.peek(), Some('=') | Some(':')) {
                    chars.next();
                }
                break;
            }
            c => key.push(c),
        }
    }
    while chars.peek().is_some_and(|c| c.is_whitespace()) {
        chars.next();
    }
    let mut value = String::new();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(escaped) = chars.next() {
                push_escape(&mut value, escaped, &mut chars);
            }
        } else {
            value.push(c);
        }
    }
    (key, value)
}

fn push_escape(out: &mut String, escaped: char, rest: &mut impl Iterator<Item = char>) {
    match escaped {
        't' => out.push('\t'),
        'n' => out.push('\n'),
        'r' => out.push('\r'),
        'f' => out.push('\u{c}'),
        'u' => {
            let hex: String = rest.take(4).collect();
            match u32::from_str_radix(&hex, 16).ok() {
                Some(unit) => push_utf16_unit(out, unit),
                None => out.push_str(&hex),
            }
        }
        other => out.push(other),
    }
}

/// Appends one UTF-16 code unit, joining a surrogate pair written as two `\u` escapes.
fn push_utf16_unit(out: &mut String, unit: u32) {
    if let Some(c) = char::from_u32(unit) {
        out.push(c);
        return;
    }
    // A low surrogate following a high one that was kept as a placeholder.
    if (0xDC00..0xE000).contains(&unit) {
        if let Some(high) = out.pop().and_then(|p| HIGH_SURROGATE_MARK.get(p)) {
            let c = 0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00);
            if let Some(c) = char::from_u32(c) {
                out.push(c);
                return;
            }
        }
    }
    if (0xD800..0xDC00).contains(&unit) {
        out.push(HIGH_SURROGATE_MARK.mark(unit));
    }
}

/// High surrogates are parked in the private use area until their low half arrives.
struct SurrogateMark;
const HIGH_SURROGATE_MARK: SurrogateMark = SurrogateMark;

impl SurrogateMark {
    const BASE: u32 = 0xF0000;
    fn mark(&self, high: u32) -> char {
        char::from_u32(Self::BASE + (high - 0xD800)).unwrap_or('\u{FFFD}')
    }
    fn get(&self, c: char) -> Option<u32> {
        let v = c as u32;
        (Self::BASE..Self::BASE + 0x400)
            .contains(&v)
            .then(|| v - Self::BASE + 0xD800)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_properties_rules() {
        let text = "! comment\n  # comment\nkey1 value one\nkey2:value2\nkey3 = a\\\n    b\\\\\n\
                    key\\ 4=\\u0041\\t\nempty=\nkey1=override\n";
        let p = DbProperties::parse(text);
        assert_eq!(p.get("key1"), Some("override"));
        assert_eq!(p.get("key2"), Some("value2"));
        assert_eq!(p.get("key3"), Some("ab\\"));
        assert_eq!(p.get("key 4"), Some("A\t"));
        assert_eq!(p.get("empty"), Some(""));
        assert_eq!(p.iter().count(), 5);
        // Unchanged text is written back byte for byte.
        assert_eq!(p.to_text(), text);
    }

    #[test]
    fn written_values_read_back_the_same() {
        let mut p = DbProperties::default();
        let tricky = [
            ("plain", "cloud"),
            ("spaces", "  leading and trailing "),
            ("escapes", "back\\slash\ttab\nnewline = : # !"),
            ("unicode", "päss ✓ 😀"),
            ("key with = and :", "v"),
        ];
        for (k, v) in tricky {
            p.set(k, v);
        }
        let text = p.to_text();
        assert!(text.is_ascii(), "{text}");
        let back = DbProperties::parse(&text);
        for (k, v) in tricky {
            assert_eq!(back.get(k), Some(v), "{k}");
        }
    }

    #[test]
    fn a_file_larger_than_any_db_properties_is_refused() {
        let dir = std::env::temp_dir().join(format!("csdb-props-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let big = dir.join("db.properties");
        let line = "db.cloud.host=localhost\n";
        let mut text = String::new();
        while (text.len() as u64) <= MAX_FILE_BYTES {
            text.push_str(line);
        }
        std::fs::write(&big, &text).unwrap();
        let err = DbProperties::read(&big).unwrap_err();
        assert!(err.to_string().contains("larger than"), "{err}");
        std::fs::write(&big, &text[..line.len() * 10]).unwrap();
        assert_eq!(
            DbProperties::read(&big).unwrap().get("db.cloud.host"),
            Some("localhost")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn debug_shows_no_values() {
        let p = DbProperties::parse("db.cloud.password=hunter2");
        let shown = format!("{p:?}");
        assert!(shown.contains("db.cloud.password"));
        assert!(!shown.contains("hunter2"));
    }
}
