//! Reading CloudStack's settings (`configuration`, `domain_details`) that the aggregates'
//! rules depend on. Plain values only: settings of the `Hidden` and `Secure` categories are
//! stored encrypted and are not read here.

use diesel::prelude::*;

use crate::Result;
use crate::types::DomainId;

crate::db::statement::cached_statement! {
    /// A global setting's value.
    GlobalSetting {
        name: String as diesel::sql_types::Text,
    } -> diesel::sql_types::Nullable<diesel::sql_types::Text> =
        "SELECT `value` FROM `configuration` WHERE `name` = ?"
}

crate::db::statement::cached_statement! {
    /// A domain's own value of a setting.
    DomainSetting {
        domain: u64 as diesel::sql_types::Unsigned<diesel::sql_types::BigInt>,
        name: String as diesel::sql_types::Text,
    } -> diesel::sql_types::Text =
        "SELECT `value` FROM `domain_details` WHERE `domain_id` = ? AND `name` = ? ORDER BY `id` LIMIT 1"
}

/// A global setting's value (`configuration.value`); `None` when the row or its value is
/// missing — a management server adds each setting's row at its start, so a database no Java
/// server has run on lacks most of them and the caller applies CloudStack's default.
///
/// ```no_run
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// let limit = cloudstack_db::repo::settings::global(conn, "max.account.user.vms")?;
/// # Ok(()) }
/// ```
pub fn global(conn: &mut MysqlConnection, name: &str) -> Result<Option<String>> {
    Ok(GlobalSetting {
        name: name.to_owned(),
    }
    .get_result::<Option<String>>(conn)
    .optional()?
    .flatten())
}

/// Settings one [`globals`] statement names (longer lists are read in several).
const NAME_SLOTS: usize = 8;

/// Several global settings' values in one round trip: `(name, value)` for each of `names` that
/// has a row (in no particular order); what [`global`] reads for one.
///
/// ```no_run
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// let names = ["max.account.cpus".to_owned(), "max.account.memory".to_owned()];
/// let values = cloudstack_db::repo::settings::globals(conn, &names)?;
/// # Ok(()) }
/// ```
pub fn globals(
    conn: &mut MysqlConnection,
    names: &[String],
) -> Result<Vec<(String, Option<String>)>> {
    let mut found = Vec::with_capacity(names.len());
    for chunk in names.chunks(NAME_SLOTS) {
        found.extend(GlobalSettings { names: chunk }.load::<(String, Option<String>)>(conn)?);
    }
    Ok(found)
}

/// `name, value` of the settings named (a padded list: one cached statement).
struct GlobalSettings<'a> {
    names: &'a [String],
}

crate::db::statement::padded_statement!(GlobalSettings);

impl diesel::query_builder::Query for GlobalSettings<'_> {
    type SqlType = (
        diesel::sql_types::Text,
        diesel::sql_types::Nullable<diesel::sql_types::Text>,
    );
}

impl diesel::query_builder::QueryFragment<diesel::mysql::Mysql> for GlobalSettings<'_> {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::mysql::Mysql>,
    ) -> diesel::QueryResult<()> {
        out.push_sql("SELECT `name`, `value` FROM `configuration` WHERE `name` IN ");
        crate::db::statement::push_padded::<diesel::sql_types::Text, String>(
            &mut out, self.names, NAME_SLOTS,
        )
    }
}

/// A domain's own value of a domain-scoped setting (`domain_details`), if it has one.
///
/// ```no_run
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// use cloudstack_db::types::DomainId;
/// let own = cloudstack_db::repo::settings::of_domain(conn, DomainId(1), "api.key.access")?;
/// # Ok(()) }
/// ```
pub fn of_domain(
    conn: &mut MysqlConnection,
    domain: DomainId,
    name: &str,
) -> Result<Option<String>> {
    Ok(DomainSetting {
        domain: domain.get(),
        name: name.to_owned(),
    }
    .get_result::<String>(conn)
    .optional()?)
}

/// A domain-scoped setting's value as CloudStack's `ConfigKey.valueIn(domain)` reads it: the
/// domain's own `domain_details` row, its ancestors' rows when the global
/// `enable.domain.settings.for.child.domain` is `true`, then the global value; `None` when
/// none is set (the caller applies CloudStack's default).
///
/// ```no_run
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// use cloudstack_db::types::DomainId;
/// let access = cloudstack_db::repo::settings::for_domain(conn, Some(DomainId(3)), "api.key.access")?;
/// # Ok(()) }
/// ```
pub fn for_domain(
    conn: &mut MysqlConnection,
    domain: Option<DomainId>,
    name: &str,
) -> Result<Option<String>> {
    if let Some(mut at) = domain {
        let walk_up = global(conn, "enable.domain.settings.for.child.domain")?
            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
        loop {
            if let Some(value) = of_domain(conn, at, name)? {
                return Ok(Some(value));
            }
            if !walk_up {
                break;
            }
            match crate::schema::cloud::domain::table
                .find(at)
                .select(crate::schema::cloud::domain::parent)
                .first::<Option<DomainId>>(conn)
                .optional()?
                .flatten()
            {
                Some(parent) => at = parent,
                None => break,
            }
        }
    }
    global(conn, name)
}
