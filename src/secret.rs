//! A wrapper that keeps secrets (passwords, keys) out of `Debug`, `Display`, logs and errors.

use std::fmt;
use std::io::Write;

use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::mysql::{Mysql, MysqlValue};
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::Text;

/// A secret value — a password or a key — that never prints itself.
///
/// `Debug` shows `Secret(***)` and there is no `Display`; the only way to read the value is
/// [`Secret::expose`], so every place that uses the plaintext is easy to find.
///
/// ```
/// use cloudstack_db::Secret;
///
/// let password = Secret::new("cloud");
/// assert_eq!(format!("{password:?}"), "Secret(***)");
/// assert_eq!(password.expose(), "cloud");
/// ```
#[derive(Clone, Default, PartialEq, Eq, AsExpression, FromSqlRow)]
#[diesel(sql_type = Text)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    ///
    /// ```
    /// let key = cloudstack_db::Secret::new(String::from("management-key"));
    /// assert!(!key.is_empty());
    /// ```
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The plaintext. Call it only where the value is handed to the server or a cipher.
    ///
    /// ```
    /// assert_eq!(cloudstack_db::Secret::new("x").expose(), "x");
    /// ```
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is the empty string (CloudStack allows an empty database password).
    ///
    /// ```
    /// assert!(cloudstack_db::Secret::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

/// Secret columns (`user.password`, `user.secret_key`, `vm_instance.vnc_password`) read into a
/// `Secret` so a model's `Debug` never shows them.
impl FromSql<Text, Mysql> for Secret {
    fn from_sql(bytes: MysqlValue<'_>) -> deserialize::Result<Self> {
        <String as FromSql<Text, Mysql>>::from_sql(bytes).map(Self)
    }
}

impl ToSql<Text, Mysql> for Secret {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Mysql>) -> serialize::Result {
        out.write_all(self.0.as_bytes())?;
        Ok(IsNull::No)
    }
}
