//! `cloudstack-db`: operate CloudStack's databases with the crate's migrations.
//!
//! ```text
//! cloudstack-db migrate [--db-properties FILE]
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use cloudstack_db::db::DatabaseConfig;
use cloudstack_db::{Database, Result};

/// Operate Apache CloudStack's `cloud` and `cloud_usage` databases.
#[derive(Parser)]
#[command(name = "cloudstack-db", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Apply the pending migrations to both databases.
    ///
    /// The databases are named by CLOUD_DATABASE_URL and USAGE_DATABASE_URL
    /// (mysql://user:password@host:port/database), or by a CloudStack db.properties file.
    Migrate {
        /// Read the databases from this db.properties instead of the environment.
        #[arg(long, value_name = "FILE")]
        db_properties: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Migrate { db_properties } => migrate(db_properties),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("cloudstack-db: {err}");
            ExitCode::FAILURE
        }
    }
}

fn config(db_properties: Option<PathBuf>) -> Result<DatabaseConfig> {
    match db_properties {
        Some(path) => DatabaseConfig::from_db_properties_file(path),
        None => DatabaseConfig::from_env(),
    }
}

fn migrate(db_properties: Option<PathBuf>) -> Result<()> {
    let config = config(db_properties)?;
    println!("cloud:       {}", config.cloud.target);
    println!("cloud_usage: {}", config.usage.target);
    let db = Database::connect(&config)?;
    let report = db.run_migrations()?;
    for (name, applied) in [("cloud", &report.cloud), ("cloud_usage", &report.usage)] {
        if applied.is_empty() {
            println!("{name}: up to date, nothing to apply");
        } else {
            println!(
                "{name}: applied {} migration(s): {}",
                applied.len(),
                applied.join(", ")
            );
        }
    }
    Ok(())
}
