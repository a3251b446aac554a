//! Macros for enum columns stored as text or as ordinals, and the error an unknown value gives.

/// A value in an enum column that the crate does not know; it becomes
/// [`crate::Error::InvalidValue`] naming the column and the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown value `{value}` in {column}")]
pub struct UnknownEnumValue {
    /// The column(s) the enum is stored in.
    pub column: &'static str,
    /// The value found.
    pub value: String,
}

impl UnknownEnumValue {
    /// Boxed, as Diesel's deserialization error.
    pub(crate) fn boxed(
        column: &'static str,
        value: impl Into<String>,
    ) -> Box<dyn std::error::Error + Send + Sync> {
        Box::new(Self {
            column,
            value: value.into(),
        })
    }
}

/// An enum stored as a string (`varchar`/`char`). Reading compares case-insensitively, as
/// CloudStack does; writing stores the exact spelling given.
macro_rules! text_enum {
    (
        $(#[$doc:meta])*
        $name:ident in $column:literal {
            $($(#[$vdoc:meta])* $variant:ident = $text:literal),* $(,)?
        }
    ) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash,
            diesel::expression::AsExpression, diesel::deserialize::FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::Text)]
        pub enum $name {
            $($(#[$vdoc])* #[doc = concat!("Stored as `", $text, "`.")] $variant,)*
        }

        impl $name {
            /// Every value, in CloudStack's declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),*];
            /// The column(s) this enum is stored in.
            pub const COLUMN: &'static str = $column;

            /// The text CloudStack stores.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)*
                }
            }

            /// Parses stored text (case-insensitively).
            pub fn parse(text: &str) -> Option<Self> {
                let text = text.trim();
                $(if text.eq_ignore_ascii_case($text) { return Some(Self::$variant); })*
                None
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::types::UnknownEnumValue;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Self::parse(text).ok_or_else(|| $crate::types::UnknownEnumValue {
                    column: $column,
                    value: text.to_owned(),
                })
            }
        }

        impl diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::mysql::Mysql> for $name {
            fn from_sql(bytes: diesel::mysql::MysqlValue<'_>) -> diesel::deserialize::Result<Self> {
                let text = <String as diesel::deserialize::FromSql<
                    diesel::sql_types::Text,
                    diesel::mysql::Mysql,
                >>::from_sql(bytes)?;
                Self::parse(&text)
                    .ok_or_else(|| $crate::types::UnknownEnumValue::boxed($column, text))
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::mysql::Mysql> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::mysql::Mysql>,
            ) -> diesel::serialize::Result {
                use std::io::Write;
                out.write_all(self.as_str().as_bytes())?;
                Ok(diesel::serialize::IsNull::No)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

/// An enum stored as an integer (Java ordinals and CloudStack's integer constants).
macro_rules! ordinal_enum {
    (
        $(#[$doc:meta])*
        $name:ident as $int:ty, $sql:ty, in $column:literal {
            $($(#[$vdoc:meta])* $variant:ident = $value:literal as $java:literal),* $(,)?
        }
    ) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash,
            diesel::expression::AsExpression, diesel::deserialize::FromSqlRow,
        )]
        #[diesel(sql_type = $sql)]
        pub enum $name {
            $($(#[$vdoc])* #[doc = concat!("`", $java, "`, stored as `", stringify!($value), "`.")] $variant,)*
        }

        impl $name {
            /// Every value, in CloudStack's declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),*];
            /// The column(s) this enum is stored in.
            pub const COLUMN: &'static str = $column;

            /// The integer CloudStack stores.
            pub fn value(self) -> $int {
                match self {
                    $(Self::$variant => $value,)*
                }
            }

            /// The Java constant name, e.g. `IN_PROGRESS`.
            pub fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $java,)*
                }
            }

            /// The enum for a stored integer.
            pub fn from_value(value: $int) -> Option<Self> {
                match value {
                    $($value => Some(Self::$variant),)*
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl diesel::deserialize::FromSql<$sql, diesel::mysql::Mysql> for $name {
            fn from_sql(bytes: diesel::mysql::MysqlValue<'_>) -> diesel::deserialize::Result<Self> {
                let value = <$int as diesel::deserialize::FromSql<$sql, diesel::mysql::Mysql>>::from_sql(bytes)?;
                Self::from_value(value)
                    .ok_or_else(|| $crate::types::UnknownEnumValue::boxed($column, value.to_string()))
            }
        }

        impl diesel::serialize::ToSql<$sql, diesel::mysql::Mysql> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::mysql::Mysql>,
            ) -> diesel::serialize::Result {
                let value = self.value();
                <$int as diesel::serialize::ToSql<$sql, diesel::mysql::Mysql>>::to_sql(&value, &mut out.reborrow())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.name())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.name().eq_ignore_ascii_case(&text))
                    .ok_or_else(|| serde::de::Error::custom(format!("unknown value `{text}` in {}", $column)))
            }
        }
    };
}

pub(crate) use {ordinal_enum, text_enum};
