//! Taking over a database CloudStack itself made: check it, then record the crate's migrations
//! as applied — no DDL on CloudStack's tables.

use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_migrations::MigrationHarness;

use super::{missing_objects, release_column_problems};
use crate::db::{SchemaRelease, schema_release};
use crate::migrations::{Found, Schema, found};
use crate::{Error, Result};

/// What [`adopt`] recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adoption {
    /// The CloudStack version the `cloud` database says it is (its newest `version` row).
    pub cloudstack_version: String,
    /// Which 4.22 release its columns are.
    pub release: SchemaRelease,
    /// The migrations recorded as applied in `cloud`.
    pub cloud: Vec<String>,
    /// The migrations recorded as applied in `cloud_usage`.
    pub usage: Vec<String>,
}

/// Why `version` cannot be adopted, if it cannot: only a finished CloudStack 4.22 upgrade can.
///
/// ```
/// use cloudstack_db::install::version_refusal;
/// assert_eq!(version_refusal("4.22.1.0", "Complete"), None);
/// assert!(version_refusal("4.20.0.0", "Complete").unwrap().contains("upgrade it to 4.22"));
/// assert!(version_refusal("4.23.0.0", "Complete").unwrap().contains("newer"));
/// assert!(version_refusal("4.22.0.0", "Upgrade").unwrap().contains("not finished"));
/// ```
pub fn version_refusal(version: &str, step: &str) -> Option<String> {
    let numbers: Vec<u32> = version
        .split('.')
        .map(|part| part.trim().parse().unwrap_or(0))
        .collect();
    let major_minor = (
        numbers.first().copied().unwrap_or(0),
        numbers.get(1).copied().unwrap_or(0),
    );
    if major_minor < (4, 22) {
        return Some(format!(
            "the database is CloudStack {version}: let a CloudStack 4.22 management server \
             upgrade it to 4.22 first (it does so at start), then adopt it"
        ));
    }
    if major_minor > (4, 22) {
        return Some(format!(
            "the database is CloudStack {version}, newer than the 4.22 this crate knows"
        ));
    }
    if !step.eq_ignore_ascii_case("Complete") {
        return Some(format!(
            "the upgrade to CloudStack {version} has not finished (step `{step}`): let the \
             management server finish it first"
        ));
    }
    None
}

/// Adopts a CloudStack 4.22 database pair the crate did not make: checks that the newest
/// `version` row is a finished 4.22.x, that every table and view of CloudStack 4.22 is there
/// and that every column the crate uses is there with its type (a 4.22.0 database may lack the `vm_id` columns 4.22.1 added), then records
/// every embedded migration as applied in each database's `__diesel_schema_migrations` — no
/// DDL on CloudStack's tables, no row of CloudStack's changed. When anything does not fit it
/// refuses with [`Error::Migration`] naming what, and changes nothing. A pair the crate manages
/// already is left as it is (nothing recorded).
///
/// ```no_run
/// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
/// let mut cloud = db.cloud().get()?;
/// let mut usage = db.usage().get()?;
/// let adopted = cloudstack_db::install::adopt(&mut cloud, &mut usage)?;
/// println!("adopted CloudStack {}", adopted.cloudstack_version);
/// # Ok(()) }
/// ```
pub fn adopt(cloud: &mut MysqlConnection, usage: &mut MysqlConnection) -> Result<Adoption> {
    let refuse = |why: String| Err(Error::Migration(format!("cannot adopt: {why}")));
    let cloud_found = found(cloud, Schema::Cloud)?;
    let usage_found = found(usage, Schema::Usage)?;
    let (version, step) = match (&cloud_found, &usage_found) {
        (Found::Managed, Found::Managed) => {
            return Ok(Adoption {
                cloudstack_version: newest_version(cloud)?,
                release: schema_release(cloud)?,
                cloud: Vec::new(),
                usage: Vec::new(),
            });
        }
        (Found::CloudStack { version, step }, Found::CloudStack { .. }) => (
            version.clone().unwrap_or_default(),
            step.clone().unwrap_or_default(),
        ),
        (Found::Empty, _) | (_, Found::Empty) => {
            return refuse(
                "a database has none of CloudStack's tables: deploy it with `migrate` (or the \
                 setup tool) instead"
                    .into(),
            );
        }
        _ => {
            return refuse(
                "one database is managed by the crate and the other is not: they are not one \
                 installation"
                    .into(),
            );
        }
    };
    if version.is_empty() {
        return refuse("the `version` table has no row".into());
    }
    if let Some(why) = version_refusal(&version, &step) {
        return refuse(why);
    }
    let release = schema_release(cloud)?;
    let mut problems: Vec<String> = Vec::new();
    for (conn, schema) in [(&mut *cloud, Schema::Cloud), (&mut *usage, Schema::Usage)] {
        problems.extend(
            missing_objects(conn, schema)?
                .into_iter()
                .map(|o| format!("{}: {o} missing", schema.database_name())),
        );
        problems.extend(
            release_column_problems(conn, schema)?
                .into_iter()
                .map(|p| format!("{}.{p}", schema.database_name())),
        );
    }
    if !problems.is_empty() {
        let shown = problems.len().min(20);
        return refuse(format!(
            "{} table(s), view(s) or column(s) of CloudStack 4.22 are missing or different, e.g.:\n  {}",
            problems.len(),
            problems[..shown].join("\n  ")
        ));
    }
    let cloud_recorded = record_all(cloud, Schema::Cloud)?;
    let usage_recorded = record_all(usage, Schema::Usage)?;
    tracing::info!(%version, ?release, "adopted a CloudStack database");
    Ok(Adoption {
        cloudstack_version: version,
        release,
        cloud: cloud_recorded,
        usage: usage_recorded,
    })
}

fn newest_version(conn: &mut MysqlConnection) -> Result<String> {
    Ok(crate::migrations::newest_version(conn)?
        .map(|(version, _)| version)
        .unwrap_or_default())
}

/// Records every embedded migration of `schema` as applied (Diesel's bookkeeping table is made
/// by Diesel itself, in its own format).
fn record_all(conn: &mut MysqlConnection, schema: Schema) -> Result<Vec<String>> {
    let migrations = schema.migrations();
    let pending = conn
        .pending_migrations(migrations)
        .map_err(|e| Error::Migration(e.to_string()))?;
    let versions: Vec<String> = pending
        .iter()
        .map(|m| m.name().version().to_string())
        .collect();
    conn.transaction(|conn| {
        for version in &versions {
            diesel::sql_query("INSERT INTO __diesel_schema_migrations (version) VALUES (?)")
                .bind::<Text, _>(version)
                .execute(conn)?;
        }
        Ok::<_, Error>(())
    })?;
    Ok(versions)
}
