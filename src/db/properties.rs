//! Reading CloudStack's `db.properties` (Java properties format).

use std::path::Path;

use crate::{Error, Result};

/// The parsed contents of a CloudStack `db.properties` file, in file order.
///
/// Java properties rules apply: `#` and `!` start comments, `=`, `:` or white space separate key
/// and value, a trailing backslash continues the line, and `\uXXXX`, `\t`, `\n`, `\=` escapes are
/// understood. Later keys override earlier ones.
///
/// ```
/// use cloudstack_db::db::DbProperties;
///
/// let p = DbProperties::parse("# CloudStack\ndb.cloud.host = db1\ndb.cloud.port: 3307\n");
/// assert_eq!(p.get("db.cloud.host"), Some("db1"));
/// assert_eq!(p.get("db.cloud.port"), Some("3307"));
/// assert_eq!(p.get("db.usage.host"), None);
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct DbProperties {
    entries: Vec<(String, String)>,
}

impl std::fmt::Debug for DbProperties {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Values may be passwords or keys: show the keys only.
        f.debug_struct("DbProperties")
            .field(
                "keys",
                &self.entries.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
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
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Config(format!("cannot read {}: {e}", path.display())))?;
        Ok(Self::parse(&text))
    }

    /// Parses properties text.
    ///
    /// ```
    /// let p = cloudstack_db::db::DbProperties::parse("a=1\\\n  2\nb=x\\=y");
    /// assert_eq!(p.get("a"), Some("12"));
    /// assert_eq!(p.get("b"), Some("x=y"));
    /// ```
    pub fn parse(text: &str) -> Self {
        let mut entries: Vec<(String, String)> = Vec::new();
        for logical in logical_lines(text) {
            let (key, value) = split_entry(&logical);
            if let Some(slot) = entries.iter_mut().find(|(k, _)| *k == key) {
                slot.1 = value;
            } else {
                entries.push((key, value));
            }
        }
        Self { entries }
    }

    /// The value of `key`, if present.
    ///
    /// ```
    /// let p = cloudstack_db::db::DbProperties::parse("db.cloud.name=cloud");
    /// assert_eq!(p.get("db.cloud.name"), Some("cloud"));
    /// ```
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
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

    /// Every key and value in file order.
    ///
    /// ```
    /// let p = cloudstack_db::db::DbProperties::parse("a=1\nb=2");
    /// assert_eq!(p.iter().map(|(k, _)| k).collect::<Vec<_>>(), ["a", "b"]);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

/// Joins continuation lines and drops comments and blank lines.
fn logical_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for raw in text.lines() {
        let line = raw.trim_start();
        if current.is_none() && (line.is_empty() || line.starts_with('#') || line.starts_with('!'))
        {
            continue;
        }
        let mut piece = current.take().unwrap_or_default();
        let continues = ends_with_odd_backslashes(line);
        piece.push_str(if continues {
            &line[..line.len() - 1]
        } else {
            line
        });
        if continues {
            current = Some(piece);
        } else {
            out.push(piece);
        }
    }
    out.extend(current);
    out
}

fn ends_with_odd_backslashes(line: &str) -> bool {
    line.chars().rev().take_while(|&c| c == '\\').count() % 2 == 1
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
            match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                Some(c) => out.push(c),
                None => out.push_str(&hex),
            }
        }
        other => out.push(other),
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
    }

    #[test]
    fn debug_shows_no_values() {
        let p = DbProperties::parse("db.cloud.password=hunter2");
        let shown = format!("{p:?}");
        assert!(shown.contains("db.cloud.password"));
        assert!(!shown.contains("hunter2"));
    }
}
