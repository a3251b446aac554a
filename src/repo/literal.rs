//! Rows as SQL text for the multi-row INSERTs of bulk writes (events, usage records, helper
//! rows). Diesel binds every parameter of a multi-row INSERT into a buffer of its own and
//! prepares the statement anew for every call (its text depends on the row count), which makes
//! tens of thousands of parameters the slow part of a bulk write on both client and server;
//! these INSERTs go as text instead, one round trip per statement, one statement in memory at a
//! time.
//!
//! No value can become SQL: a string of printable ASCII without `'` and `\` is written between
//! single quotes as it is (it means the same under every `sql_mode`); any other string goes as
//! a hexadecimal literal with a `_utf8mb4` introducer (`_utf8mb4 X'…'`). Numbers are written
//! by this module, datetimes as quoted `YYYY-MM-DD HH:MM:SS[.ffffff]` (microseconds, as Diesel
//! sends them), doubles in exponent form (a DOUBLE literal, read back to the same value), and
//! a `None` is `DEFAULT` (what Diesel's insert of the struct sends).

use chrono::{Datelike, NaiveDateTime, Timelike};
use diesel::MysqlConnection;
use diesel::connection::SimpleConnection;

use crate::{Error, Result};

/// Writes one row's `(…)` of values into a statement.
pub(crate) type RowWriter<'f, T> = dyn FnMut(&mut Values, &T) -> Result<()> + 'f;

/// The text of one multi-row INSERT being built.
pub(crate) struct Values {
    sql: String,
    first_in_row: bool,
}

impl Values {
    /// Starts a row: `(` (after `, ` when it is not the statement's first).
    pub(crate) fn row(&mut self, first: bool) {
        if !first {
            self.sql.push_str(", ");
        }
        self.sql.push('(');
        self.first_in_row = true;
    }

    /// Ends a row: `)`.
    pub(crate) fn end_row(&mut self) {
        self.sql.push(')');
    }

    fn next(&mut self) -> &mut String {
        if !self.first_in_row {
            self.sql.push_str(", ");
        }
        self.first_in_row = false;
        &mut self.sql
    }

    /// A string.
    pub(crate) fn text(&mut self, value: &str) {
        let sql = self.next();
        push_text(sql, value);
    }

    /// A uuid in its hyphenated lower-case text.
    pub(crate) fn uuid(&mut self, value: uuid::Uuid) {
        let mut buf = uuid::Uuid::encode_buffer();
        self.text(value.hyphenated().encode_lower(&mut buf));
    }

    /// A string, or `DEFAULT`.
    pub(crate) fn opt_text(&mut self, value: Option<&str>) {
        match value {
            Some(v) => self.text(v),
            None => self.next().push_str("DEFAULT"),
        }
    }

    /// An unsigned integer.
    pub(crate) fn uint(&mut self, value: u64) {
        let mut buf = itoa::Buffer::new();
        self.next().push_str(buf.format(value));
    }

    /// An unsigned integer, or `DEFAULT`.
    pub(crate) fn opt_uint(&mut self, value: Option<u64>) {
        match value {
            Some(v) => self.uint(v),
            None => self.next().push_str("DEFAULT"),
        }
    }

    /// A signed integer, or `DEFAULT`.
    pub(crate) fn opt_int(&mut self, value: Option<i64>) {
        match value {
            Some(v) => {
                let mut buf = itoa::Buffer::new();
                self.next().push_str(buf.format(v));
            }
            None => self.next().push_str("DEFAULT"),
        }
    }

    /// A flag as 0 or 1.
    pub(crate) fn flag(&mut self, value: bool) {
        self.next().push(if value { '1' } else { '0' });
    }

    /// A flag as 0 or 1, or `DEFAULT`.
    pub(crate) fn opt_flag(&mut self, value: Option<bool>) {
        match value {
            Some(v) => self.flag(v),
            None => self.next().push_str("DEFAULT"),
        }
    }

    /// A double, in exponent form; NaN and the infinities (which no column stores) are
    /// [`Error::InvalidValue`] naming `column`.
    pub(crate) fn double(&mut self, column: &'static str, value: f64) -> Result<()> {
        if !value.is_finite() {
            return Err(Error::invalid_value(
                column,
                value.to_string(),
                "a DOUBLE column stores finite numbers only",
            ));
        }
        use std::fmt::Write;
        write!(self.next(), "{value:e}").expect("writing to a String");
        Ok(())
    }

    /// A datetime (UTC wall clock), with microseconds when it has any.
    pub(crate) fn datetime(&mut self, value: NaiveDateTime) {
        push_datetime(self.next(), value);
    }

    /// `NULL`.
    pub(crate) fn null(&mut self) {
        self.next().push_str("NULL");
    }

    /// A datetime, or `NULL`.
    pub(crate) fn opt_datetime(&mut self, value: Option<NaiveDateTime>) {
        match value {
            Some(t) => self.datetime(t),
            None => self.next().push_str("NULL"),
        }
    }
}

/// Inserts `rows` with statements `head` + `VALUES (…), (…)` of at most `per_statement` rows
/// each, `write_row` writing one row's values; returns how many rows were written. The rows go
/// in the caller's transaction: run it in one to make it all-or-nothing.
pub(crate) fn insert_rows<T>(
    conn: &mut MysqlConnection,
    head: &str,
    rows: &[T],
    per_statement: usize,
    write_row: &mut RowWriter<'_, T>,
) -> Result<usize> {
    let mut values = Values {
        sql: String::new(),
        first_in_row: true,
    };
    for chunk in rows.chunks(per_statement.max(1)) {
        values.sql.clear();
        values.sql.push_str(head);
        values.sql.push_str(" VALUES ");
        for (i, row) in chunk.iter().enumerate() {
            values.row(i == 0);
            write_row(&mut values, row)?;
            values.end_row();
        }
        conn.batch_execute(&values.sql)?;
    }
    Ok(rows.len())
}

/// Whether `value` can go between single quotes as it is: printable ASCII without `'` or `\`.
fn verbatim(value: &str) -> bool {
    value
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) && b != b'\'' && b != b'\\')
}

/// `'value'` when [`verbatim`], else `_utf8mb4 X'<hex of the UTF-8 bytes>'`.
pub(crate) fn push_text(sql: &mut String, value: &str) {
    if verbatim(value) {
        sql.reserve(value.len() + 2);
        sql.push('\'');
        sql.push_str(value);
        sql.push('\'');
        return;
    }
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut hex = Vec::with_capacity(value.len() * 2);
    for b in value.bytes() {
        hex.push(HEX[usize::from(b >> 4)]);
        hex.push(HEX[usize::from(b & 15)]);
    }
    sql.push_str("_utf8mb4 X'");
    sql.push_str(std::str::from_utf8(&hex).expect("hex digits are ASCII"));
    sql.push('\'');
}

/// `'YYYY-MM-DD HH:MM:SS'`, then `.ffffff` when the time has microseconds.
fn push_datetime(sql: &mut String, t: NaiveDateTime) {
    let mut out = [0u8; 28];
    let digits = |out: &mut [u8], mut v: u32| {
        for slot in out.iter_mut().rev() {
            *slot = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    out[0] = b'\'';
    let year = t.year();
    digits(&mut out[1..5], year.clamp(0, 9999) as u32);
    out[5] = b'-';
    digits(&mut out[6..8], t.month());
    out[8] = b'-';
    digits(&mut out[9..11], t.day());
    out[11] = b' ';
    digits(&mut out[12..14], t.hour());
    out[14] = b':';
    digits(&mut out[15..17], t.minute());
    out[17] = b':';
    digits(&mut out[18..20], t.second());
    let micros = t.and_utc().timestamp_subsec_micros();
    let end = if micros == 0 {
        20
    } else {
        out[20] = b'.';
        digits(&mut out[21..27], micros);
        27
    };
    out[end] = b'\'';
    sql.push_str(std::str::from_utf8(&out[..=end]).expect("ASCII"));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(write: impl FnOnce(&mut Values)) -> String {
        let mut v = Values {
            sql: String::new(),
            first_in_row: true,
        };
        v.row(true);
        write(&mut v);
        v.end_row();
        v.sql
    }

    #[test]
    fn plain_strings_go_as_they_are_and_the_rest_as_hex() {
        assert_eq!(one(|v| v.text("VM.STOP")), "('VM.STOP')");
        assert_eq!(one(|v| v.text("it's")), "(_utf8mb4 X'69742773')");
        assert_eq!(one(|v| v.text("a\\b")), "(_utf8mb4 X'615C62')");
        assert_eq!(one(|v| v.text("é")), "(_utf8mb4 X'C3A9')");
        assert_eq!(one(|v| v.text("")), "('')");
        assert_eq!(one(|v| v.opt_text(None)), "(DEFAULT)");
    }

    #[test]
    fn numbers_flags_datetimes_and_doubles() {
        let t = chrono::NaiveDate::from_ymd_opt(2026, 1, 2)
            .unwrap()
            .and_hms_micro_opt(3, 4, 5, 60)
            .unwrap();
        let row = one(|v| {
            v.uint(u64::MAX);
            v.flag(true);
            v.opt_uint(None);
            v.opt_int(Some(-7));
            v.opt_datetime(None);
            v.datetime(t);
            v.datetime(t.with_nanosecond(0).unwrap());
            v.double("c", 0.1).unwrap();
        });
        assert_eq!(
            row,
            "(18446744073709551615, 1, DEFAULT, -7, NULL, '2026-01-02 03:04:05.000060', '2026-01-02 03:04:05', 1e-1)"
        );
        let mut v = Values {
            sql: String::new(),
            first_in_row: true,
        };
        assert!(matches!(
            v.double("cloud_usage.raw_usage", f64::NAN),
            Err(Error::InvalidValue { .. })
        ));
    }
}
