//! `cloudstack-db status`: what each database is, in a few lines — which CloudStack version and
//! release, whether every table and view of CloudStack 4.22 is there, whether the crate manages
//! it (or why it cannot adopt it yet), whether the columns it uses fit; `--verbose` lists the
//! details.

use std::process::ExitCode;

use cloudstack_db::db::{DatabaseConfig, SchemaRelease, SessionSettings, schema_release};
use cloudstack_db::install::{
    cloudstack_object_count, missing_objects, release_column_problems, version_refusal,
};
use cloudstack_db::migrations::{self, Found, Schema, found};
use cloudstack_db::{Error, Result};

pub(super) fn run(config: &DatabaseConfig, verbose: bool) -> Result<ExitCode> {
    let mut problems = 0;
    // Why the pair cannot be adopted (from `cloud`'s version), said for both databases.
    let mut refusal: Option<String> = None;
    for (schema, pool) in [
        (Schema::Cloud, &config.cloud),
        (Schema::Usage, &config.usage),
    ] {
        println!("{} ({})", pool.target.database, pool.target);
        let mut conn = pool.target.connect()?;
        SessionSettings::default().apply(&mut conn)?;
        let state = found(&mut conn, schema)?;
        if state == Found::Empty {
            println!("  empty: `cloudstack-db migrate` (or the setup tool) deploys it");
            continue;
        }
        let release = match schema_release(&mut conn)? {
            SchemaRelease::V4_22_0 => "4.22.0",
            SchemaRelease::V4_22_1 => "4.22.1",
        };
        if schema == Schema::Cloud {
            match migrations::newest_version(&mut conn)? {
                Some((version, step)) => {
                    refusal = version_refusal(&version, &step);
                    if refusal.is_some() {
                        println!("  CloudStack {version} (upgrade step {step})");
                    } else {
                        println!("  CloudStack {version} (upgrade step {step}), {release} columns");
                    }
                }
                None => {
                    refusal = Some("the `version` table has no row".into());
                    println!("  CloudStack version unknown: `version` has no row");
                }
            }
        } else if refusal.is_none() {
            println!("  {release} columns");
        }
        let missing = missing_objects(&mut conn, schema)?;
        let all = cloudstack_object_count(schema);
        if missing.is_empty() {
            println!("  every table and view of CloudStack 4.22 is there ({all})");
        } else {
            println!(
                "  {} of CloudStack 4.22's {all} tables and views missing{}",
                missing.len(),
                if verbose {
                    ":"
                } else {
                    " (--verbose lists them)"
                }
            );
            if verbose {
                for object in &missing {
                    println!("    {object}");
                }
            }
        }
        match state {
            Found::Managed => {
                let pending = migrations::pending(&mut conn, schema)?;
                let known = migration_count(schema)?;
                println!(
                    "  managed by cloudstack-db: {} of {known} migration(s) applied",
                    known - pending.len()
                );
                if !pending.is_empty() {
                    println!("  pending: {}", pending.join(", "));
                }
            }
            _ => match &refusal {
                Some(why) => println!("  made by CloudStack, not adoptable yet: {why}"),
                None => println!(
                    "  made by CloudStack, not adopted: `cloudstack-db adopt` takes it over"
                ),
            },
        }
        let unfit = release_column_problems(&mut conn, schema)?;
        if unfit.is_empty() {
            println!("  every column the crate uses is there and fits");
        } else {
            println!(
                "  {} column(s) the crate uses are missing or different{}",
                unfit.len(),
                if verbose {
                    ":"
                } else {
                    " (--verbose lists them)"
                }
            );
            if verbose {
                for problem in &unfit {
                    println!("    {problem}");
                }
            }
        }
        problems += unfit.len() + missing.len();
    }
    Ok(if problems == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn migration_count(schema: Schema) -> Result<usize> {
    use diesel::migration::MigrationSource;
    MigrationSource::<diesel::mysql::Mysql>::migrations(&schema.migrations())
        .map(|m| m.len())
        .map_err(|e| Error::Migration(e.to_string()))
}
