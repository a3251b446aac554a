//! `cloud`.`configuration`: ConfigurationVO.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::schema::cloud::configuration;
use crate::types::{OptionOf, UtcDateTime};

/// A row of `cloud`.`configuration`: one setting, its global value and what describes it. The
/// values of the `Hidden` and `Secure` categories are stored encrypted (see
/// [`Setting::is_encrypted`]); this row holds them as stored.
///
/// ```no_run
/// use cloudstack_db::settings::Setting;
/// use cloudstack_db::schema::cloud::configuration;
/// use diesel::prelude::*;
/// # fn demo(conn: &mut diesel::MysqlConnection) -> QueryResult<()> {
/// let rows: Vec<Setting> = configuration::table.select(Setting::as_select()).limit(10).load(conn)?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = configuration, check_for_backend(diesel::mysql::Mysql))]
pub struct Setting {
    /// `category` varchar(255), default 'Advanced'.
    pub category: String,
    /// `instance` varchar(255).
    pub instance: String,
    /// `component` varchar(255), default 'management-server'.
    pub component: String,
    /// The key. `name` varchar(255).
    pub name: String,
    /// The global value as stored. `value` varchar(8191), nullable.
    pub value: Option<String>,
    /// `description` varchar(1024), nullable.
    pub description: Option<String>,
    /// `default_value` varchar(8191), nullable.
    pub default_value: Option<String>,
    /// `updated` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub updated: Option<DateTime<Utc>>,
    /// Read anew on every use by the Java servers. `is_dynamic` tinyint(1), default 0.
    pub is_dynamic: bool,
    /// `group_id` bigint(20) unsigned, nullable, default 1.
    pub group_id: Option<u64>,
    /// `subgroup_id` bigint(20) unsigned, nullable, default 1.
    pub subgroup_id: Option<u64>,
    /// `parent` varchar(255), nullable.
    pub parent: Option<String>,
    /// `display_text` varchar(255), nullable.
    pub display_text: Option<String>,
    /// `kind` varchar(255), nullable.
    pub kind: Option<String>,
    /// `options` varchar(255), nullable.
    pub options: Option<String>,
    /// The scopes it can be overridden at, a bitmask of [`super::Scope::bit`]; 0 = global only.
    /// `scope` bigint(20), default 0.
    pub scope: i64,
}

impl Setting {
    /// Whether CloudStack stores this setting's values encrypted with the database secret
    /// (`ConfigurationVO.isEncrypted`: categories `Hidden` and `Secure`).
    ///
    /// ```no_run
    /// # fn demo(s: &cloudstack_db::settings::Setting) {
    /// if s.is_encrypted() {
    ///     // its values need the database secret
    /// }
    /// # }
    /// ```
    pub fn is_encrypted(&self) -> bool {
        is_encrypted_category(&self.category)
    }
}

/// `Hidden` and `Secure` settings are stored encrypted.
pub(super) fn is_encrypted_category(category: &str) -> bool {
    category == "Hidden" || category == "Secure"
}
