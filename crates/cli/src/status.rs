//! `cloudstack-db status`: migrations, schema version, and whether the live tables fit the crate.

use std::process::ExitCode;

use diesel::prelude::*;
use diesel::sql_types::Text;

use cloudstack_db::db::{DatabaseConfig, SessionSettings};
use cloudstack_db::install::check_columns;
use cloudstack_db::migrations::{self, Schema};
use cloudstack_db::{Error, Result};

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    text: String,
}

pub(super) fn run(config: &DatabaseConfig) -> Result<ExitCode> {
    let mut problems = 0;
    for (schema, pool) in [
        (Schema::Cloud, &config.cloud),
        (Schema::Usage, &config.usage),
    ] {
        println!("{} ({})", pool.target.database, pool.target);
        let mut conn = pool.target.connect()?;
        SessionSettings::default().apply(&mut conn)?;
        let has_history = has_table(&mut conn, "__diesel_schema_migrations")?;
        if has_history {
            let pending = migrations::pending(&mut conn, schema)?;
            let known = schema_migration_count(schema)?;
            println!(
                "  migrations:     {} applied, {} pending{}",
                known - pending.len(),
                pending.len(),
                list(&pending)
            );
        } else {
            println!(
                "  migrations:     no history (not created by cloudstack-db; columns checked below)"
            );
        }
        if schema == Schema::Cloud && has_table(&mut conn, "version")? {
            let latest: Vec<Row> = diesel::sql_query(
                "SELECT CONCAT(version, ' (', step, ', ', DATE_FORMAT(updated, '%Y-%m-%d %H:%i'), ' UTC)') AS text \
                   FROM version ORDER BY id DESC LIMIT 1",
            )
            .load(&mut conn)?;
            let shown = latest.first().map(|r| r.text.as_str()).unwrap_or("no rows");
            println!("  schema version: {shown}");
        }
        let found = check_columns(&mut conn, schema)?;
        if found.is_empty() {
            println!("  columns:        every column the crate uses is there and matches");
        } else {
            println!("  columns:        {} problem(s):", found.len());
            for problem in &found {
                println!("    {problem}");
            }
        }
        problems += found.len();
    }
    Ok(if problems == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn list(versions: &[String]) -> String {
    if versions.is_empty() {
        String::new()
    } else {
        format!(" ({})", versions.join(", "))
    }
}

fn schema_migration_count(schema: Schema) -> Result<usize> {
    use diesel::migration::MigrationSource;
    MigrationSource::<diesel::mysql::Mysql>::migrations(&schema.migrations())
        .map(|m| m.len())
        .map_err(|e| Error::Migration(e.to_string()))
}

fn has_table(conn: &mut MysqlConnection, table: &str) -> Result<bool> {
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT table_name AS text FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?",
    )
    .bind::<Text, _>(table)
    .load(conn)?;
    Ok(!rows.is_empty())
}
