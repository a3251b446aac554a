//! Conversions between MySQL column values and the Rust types the models expose.

use std::io::Write;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::deserialize::{self, FromSql, Queryable};
use diesel::expression::AsExpression;
use diesel::mysql::{Mysql, MysqlValue};
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::{
    BigInt, Datetime, Integer, Nullable, SingleValue, SmallInt, SqlType, Text, Timestamp, TinyInt,
    Unsigned,
};
use uuid::Uuid;

use super::UnknownEnumValue;

/// A `datetime` column read and written as UTC (CloudStack stores naive UTC times).
///
/// ```
/// use chrono::{TimeZone, Utc};
/// let t = cloudstack_db::types::UtcDateTime::from(Utc.with_ymd_and_hms(2025, 1, 2, 3, 4, 5).unwrap());
/// assert_eq!(t.0.to_rfc3339(), "2025-01-02T03:04:05+00:00");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, AsExpression)]
#[diesel(sql_type = Datetime)]
#[diesel(sql_type = Timestamp)]
pub struct UtcDateTime(pub DateTime<Utc>);

impl From<DateTime<Utc>> for UtcDateTime {
    fn from(value: DateTime<Utc>) -> Self {
        Self(value)
    }
}

impl From<UtcDateTime> for DateTime<Utc> {
    fn from(value: UtcDateTime) -> Self {
        value.0
    }
}

impl FromSql<Datetime, Mysql> for UtcDateTime {
    fn from_sql(bytes: MysqlValue<'_>) -> deserialize::Result<Self> {
        let naive = <NaiveDateTime as FromSql<Datetime, Mysql>>::from_sql(bytes)?;
        Ok(Self(naive.and_utc()))
    }
}

impl ToSql<Datetime, Mysql> for UtcDateTime {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Mysql>) -> serialize::Result {
        let naive = self.0.naive_utc();
        <NaiveDateTime as ToSql<Datetime, Mysql>>::to_sql(&naive, &mut out.reborrow())
    }
}

// `timestamp` columns (`nics.update_time`) read and written in the session's time zone, which
// every connection of the crate sets to UTC.
impl FromSql<Timestamp, Mysql> for UtcDateTime {
    fn from_sql(bytes: MysqlValue<'_>) -> deserialize::Result<Self> {
        let naive = <NaiveDateTime as FromSql<Timestamp, Mysql>>::from_sql(bytes)?;
        Ok(Self(naive.and_utc()))
    }
}

impl ToSql<Timestamp, Mysql> for UtcDateTime {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Mysql>) -> serialize::Result {
        let naive = self.0.naive_utc();
        <NaiveDateTime as ToSql<Timestamp, Mysql>>::to_sql(&naive, &mut out.reborrow())
    }
}

/// A UUID stored as text (`varchar(40)`, CloudStack's `uuid` columns), lower-case hyphenated.
///
/// ```
/// let u = uuid::Uuid::nil();
/// assert_eq!(uuid::Uuid::from(cloudstack_db::types::UuidText::from(u)), u);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, AsExpression)]
#[diesel(sql_type = Text)]
pub struct UuidText(pub Uuid);

impl From<Uuid> for UuidText {
    fn from(value: Uuid) -> Self {
        Self(value)
    }
}

impl From<UuidText> for Uuid {
    fn from(value: UuidText) -> Self {
        value.0
    }
}

impl FromSql<Text, Mysql> for UuidText {
    fn from_sql(bytes: MysqlValue<'_>) -> deserialize::Result<Self> {
        let text = <String as FromSql<Text, Mysql>>::from_sql(bytes)?;
        Uuid::parse_str(text.trim())
            .map(Self)
            .map_err(|_| UnknownEnumValue::boxed("uuid", text))
    }
}

impl ToSql<Text, Mysql> for UuidText {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Mysql>) -> serialize::Result {
        let mut buffer = Uuid::encode_buffer();
        out.write_all(self.0.hyphenated().encode_lower(&mut buffer).as_bytes())?;
        Ok(IsNull::No)
    }
}

/// The id of an AUTO_INCREMENT column when inserting: `Some(id)` stores that id, `None` stores
/// NULL, which makes the server take the next AUTO_INCREMENT value — so an INSERT with or
/// without an explicit id has the same text (and prepared statement), where Diesel would send
/// the `DEFAULT` keyword for a `None`.
///
/// ```
/// use cloudstack_db::types::{AutoIncrement, UsageEventId};
/// assert_eq!(AutoIncrement::from(Some(UsageEventId(7))).0, Some(UsageEventId(7)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, AsExpression)]
#[diesel(sql_type = Unsigned<BigInt>)]
pub struct AutoIncrement<I: ToSql<Unsigned<BigInt>, Mysql> + std::fmt::Debug>(pub Option<I>);

impl<I: ToSql<Unsigned<BigInt>, Mysql> + std::fmt::Debug> From<Option<I>> for AutoIncrement<I> {
    fn from(id: Option<I>) -> Self {
        Self(id)
    }
}

impl<I: ToSql<Unsigned<BigInt>, Mysql> + std::fmt::Debug> ToSql<Unsigned<BigInt>, Mysql>
    for AutoIncrement<I>
{
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Mysql>) -> serialize::Result {
        match &self.0 {
            Some(id) => id.to_sql(out),
            None => Ok(IsNull::Yes),
        }
    }
}

/// A boolean stored as an integer: `int(1) unsigned`, `smallint(1)`, `tinyint(4)` (CloudStack's
/// older flags). Any non-zero value reads as `true`; `true` is written as 1.
///
/// ```
/// assert!(bool::from(cloudstack_db::types::IntBool::from(true)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, AsExpression)]
#[diesel(sql_type = Unsigned<Integer>)]
#[diesel(sql_type = Integer)]
#[diesel(sql_type = SmallInt)]
#[diesel(sql_type = TinyInt)]
#[diesel(sql_type = Unsigned<TinyInt>)]
pub struct IntBool(pub bool);

impl From<bool> for IntBool {
    fn from(value: bool) -> Self {
        Self(value)
    }
}

impl From<IntBool> for bool {
    fn from(value: IntBool) -> Self {
        value.0
    }
}

macro_rules! int_bool_sql {
    ($($sql:ty => $int:ty),* $(,)?) => {$(
        impl FromSql<$sql, Mysql> for IntBool {
            fn from_sql(bytes: MysqlValue<'_>) -> deserialize::Result<Self> {
                Ok(Self(<$int as FromSql<$sql, Mysql>>::from_sql(bytes)? != 0))
            }
        }

        impl ToSql<$sql, Mysql> for IntBool {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Mysql>) -> serialize::Result {
                let value: $int = self.0.into();
                <$int as ToSql<$sql, Mysql>>::to_sql(&value, &mut out.reborrow())
            }
        }

    )*};
}

int_bool_sql!(
    Unsigned<Integer> => u32,
    Integer => i32,
    SmallInt => i16,
    TinyInt => i8,
    Unsigned<TinyInt> => u8,
);

/// Each wrapper is read as itself from any single SQL value it converts from.
macro_rules! queryable_as_itself {
    ($($wrapper:ty),*) => {$(
        impl<ST> Queryable<ST, Mysql> for $wrapper
        where
            ST: SingleValue,
            Self: FromSql<ST, Mysql>,
        {
            type Row = Self;
            fn build(row: Self) -> deserialize::Result<Self> {
                Ok(row)
            }
        }
    )*};
}

queryable_as_itself!(IntBool, UtcDateTime, UuidText);

/// A nullable column through one of the wrappers above: `OptionOf<UtcDateTime>` reads a
/// `Nullable<Datetime>` into `Option<DateTime<Utc>>`.
///
/// ```
/// use cloudstack_db::types::{OptionOf, IntBool};
/// let none: Option<bool> = OptionOf::<IntBool>(None).into();
/// assert_eq!(none, None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptionOf<W>(pub Option<W>);

impl<W, ST> FromSql<Nullable<ST>, Mysql> for OptionOf<W>
where
    W: FromSql<ST, Mysql>,
    ST: SqlType + diesel::sql_types::SqlType<IsNull = diesel::sql_types::is_nullable::NotNull>,
{
    fn from_sql(bytes: MysqlValue<'_>) -> deserialize::Result<Self> {
        Ok(Self(Some(W::from_sql(bytes)?)))
    }

    fn from_nullable_sql(bytes: Option<MysqlValue<'_>>) -> deserialize::Result<Self> {
        match bytes {
            Some(bytes) => Self::from_sql(bytes),
            None => Ok(Self(None)),
        }
    }
}

impl<W, ST> Queryable<Nullable<ST>, Mysql> for OptionOf<W>
where
    ST: SqlType<IsNull = diesel::sql_types::is_nullable::NotNull>,
    Nullable<ST>: SingleValue,
    Self: FromSql<Nullable<ST>, Mysql>,
{
    type Row = Self;
    fn build(row: Self) -> deserialize::Result<Self> {
        Ok(row)
    }
}

impl<W, ST> AsExpression<Nullable<ST>> for OptionOf<W>
where
    Option<W>: AsExpression<Nullable<ST>>,
    ST: SqlType<IsNull = diesel::sql_types::is_nullable::NotNull>,
    Nullable<ST>: diesel::expression::TypedExpressionType,
{
    type Expression = <Option<W> as AsExpression<Nullable<ST>>>::Expression;
    fn as_expression(self) -> Self::Expression {
        self.0.as_expression()
    }
}

macro_rules! option_conversions {
    ($($wrapper:ty => $inner:ty),*) => {$(
        impl From<OptionOf<$wrapper>> for Option<$inner> {
            fn from(value: OptionOf<$wrapper>) -> Self {
                value.0.map(Into::into)
            }
        }

        impl From<Option<$inner>> for OptionOf<$wrapper> {
            fn from(value: Option<$inner>) -> Self {
                Self(value.map(Into::into))
            }
        }
    )*};
}

option_conversions!(UtcDateTime => DateTime<Utc>, UuidText => Uuid, IntBool => bool);
