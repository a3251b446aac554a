//! The `cloudstack-db` command line: `migrate`, `setup` (also installed as
//! `cloudstack-setup-databases`), `status`, `doctor` and `usage`.
//!
//! Exit status: 0 success; 1 failure (or, for `status`, a schema that does not match; for
//! `doctor --strict`, a setting to fix; for `setup`, existing databases without
//! `--force-recreate`); 2 bad command line.

mod doctor;
pub mod setup;
pub mod setup_args;
pub mod sql_files;
mod status;
mod usage;

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use cloudstack_db::db::DatabaseConfig;
use cloudstack_db::migrations::Schema;
use cloudstack_db::{Database, Result};

/// Operate Apache CloudStack's `cloud` and `cloud_usage` databases.
#[derive(Parser)]
#[command(name = "cloudstack-db", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the databases are: a db.properties file, or CLOUD_DATABASE_URL / USAGE_DATABASE_URL.
#[derive(clap::Args, Debug)]
struct DatabaseArgs {
    /// Read the databases from this CloudStack db.properties (its `key` file or CLOUD_SECRET_KEY
    /// decrypts ENC(...) values) instead of CLOUD_DATABASE_URL and USAGE_DATABASE_URL.
    #[arg(long, value_name = "FILE")]
    db_properties: Option<PathBuf>,
}

impl DatabaseArgs {
    fn config(&self) -> Result<DatabaseConfig> {
        match &self.db_properties {
            Some(path) => DatabaseConfig::from_db_properties_file(path),
            None => DatabaseConfig::from_env(),
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Apply the pending migrations to both databases.
    Migrate(DatabaseArgs),
    /// Take over databases CloudStack made (4.22.x): check them, then record the crate's
    /// migrations as applied without changing any of CloudStack's tables (exit 1 and nothing
    /// changed when they do not fit).
    Adopt(DatabaseArgs),
    /// Write what a CloudStack management server's first start writes of the rows the crate
    /// models (system and admin accounts and users, default offerings, admin enabled with the
    /// password `password`), each only when missing — for deployments with no Java server.
    FirstStart(DatabaseArgs),
    /// Create the databases and user, deploy the schema and default data, write db.properties
    /// (what cloudstack-setup-databases does).
    Setup(Box<setup_args::SetupArgs>),
    /// Say what each database is: CloudStack version and release, whether cloudstack-db manages
    /// it, whether the columns the crate uses fit (exit 1 if not; --verbose lists them).
    Status {
        #[command(flatten)]
        databases: DatabaseArgs,
        /// List every column that does not fit and every pending migration.
        #[arg(long, short = 'v')]
        verbose: bool,
    },
    /// Check the server against CloudStack's recommended settings.
    Doctor {
        #[command(flatten)]
        databases: DatabaseArgs,
        /// Exit with status 1 when a setting should be fixed.
        #[arg(long)]
        strict: bool,
    },
    /// Run the usage job: copy new usage events into cloud_usage, apply them to the helper
    /// tables and write the billing records of a period (default: the last full UTC day).
    Usage(usage::UsageArgs),
}

/// Runs the command line `args` (program name first) and returns the exit status.
pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() { 2 } else { 0 });
        }
    };
    let result = match cli.command {
        Command::Migrate(databases) => migrate(&databases).map(|()| ExitCode::SUCCESS),
        Command::Adopt(databases) => adopt(&databases).map(|()| ExitCode::SUCCESS),
        Command::FirstStart(databases) => first_start(&databases).map(|()| ExitCode::SUCCESS),
        Command::Setup(args) => return setup_exit(&args),
        Command::Status { databases, verbose } => {
            databases.config().and_then(|c| status::run(&c, verbose))
        }
        Command::Doctor { databases, strict } => {
            databases.config().and_then(|c| doctor::run(&c, strict))
        }
        Command::Usage(args) => usage::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("cloudstack-db: {err}");
            ExitCode::FAILURE
        }
    }
}

/// `cloudstack-setup-databases`: the `setup` subcommand under the name operators know.
#[derive(Parser)]
#[command(
    name = "cloudstack-setup-databases",
    version,
    about = "Create CloudStack's databases and user, deploy the schema and default data, and write db.properties"
)]
struct SetupCli {
    #[command(flatten)]
    args: setup_args::SetupArgs,
}

/// `cloudstack-setup-databases ARGS`, which is exactly `cloudstack-db setup ARGS`.
pub fn run_setup_databases(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    match SetupCli::try_parse_from(args) {
        Ok(cli) => setup_exit(&cli.args),
        Err(err) => {
            let _ = err.print();
            ExitCode::from(if err.use_stderr() { 2 } else { 0 })
        }
    }
}

fn setup_exit(args: &setup_args::SetupArgs) -> ExitCode {
    match setup::run_setup(args, std::io::stdout()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("cloudstack-setup-databases: {failure}");
            ExitCode::from(failure.exit_code())
        }
    }
}

fn first_start(databases: &DatabaseArgs) -> Result<()> {
    let config = databases.config()?;
    println!("cloud:       {}", config.cloud.target);
    let db = Database::connect(&config)?;
    let wrote = db.write(cloudstack_db::identity::first_start::first_start)?;
    if wrote == Default::default() {
        println!("first start: nothing to write (it has run: every row is there)");
        return Ok(());
    }
    println!(
        "first start: wrote {} account(s), {} user(s), {} compute, {} disk and {} network offering(s){}",
        wrote.accounts,
        wrote.users,
        wrote.compute_offerings,
        wrote.disk_offerings,
        wrote.network_offerings,
        if wrote.security_group {
            ", the admin's default security group"
        } else {
            ""
        }
    );
    if wrote.admin_enabled {
        println!("first start: enabled user admin with the default password (change it)");
    }
    Ok(())
}

fn adopt(databases: &DatabaseArgs) -> Result<()> {
    let config = databases.config()?;
    println!("cloud:       {}", config.cloud.target);
    println!("cloud_usage: {}", config.usage.target);
    let db = Database::connect(&config)?;
    let mut cloud = db.cloud().get()?;
    let mut usage = db.usage().get()?;
    let adopted = cloudstack_db::install::adopt(&mut cloud, &mut usage)?;
    if adopted.cloud.is_empty() && adopted.usage.is_empty() {
        println!("already managed by cloudstack-db: nothing to record");
    } else {
        println!(
            "adopted CloudStack {} ({:?} columns): recorded {} cloud and {} cloud_usage migration(s) as applied; no table was changed",
            adopted.cloudstack_version,
            adopted.release,
            adopted.cloud.len(),
            adopted.usage.len()
        );
    }
    Ok(())
}

fn migrate(databases: &DatabaseArgs) -> Result<()> {
    let config = databases.config()?;
    println!("cloud:       {}", config.cloud.target);
    println!("cloud_usage: {}", config.usage.target);
    let db = Database::connect(&config)?;
    let report = db.run_migrations()?;
    let mut drifted = 0;
    for (applied, schema, pool) in [
        (&report.cloud, Schema::Cloud, db.cloud()),
        (&report.usage, Schema::Usage, db.usage()),
    ] {
        let name = schema.database_name();
        // Applied migrations only say what was done once: the tables must still be there (as
        // `status` judges them: a 4.22.0 database may lack 4.22.1's columns).
        let problems = pool.run(|c| cloudstack_db::install::release_column_problems(c, schema))?;
        if !problems.is_empty() {
            drifted += problems.len();
            println!(
                "{name}: every migration is recorded as applied, but the database differs from them in {} column(s):",
                problems.len()
            );
            for problem in problems.iter().take(10) {
                println!("  {problem}");
            }
            if problems.len() > 10 {
                println!(
                    "  … and {} more (cloudstack-db status --db-properties … lists all)",
                    problems.len() - 10
                );
            }
        } else if applied.is_empty() {
            println!("{name}: up to date, nothing to apply");
        } else {
            println!(
                "{name}: applied {} migration(s): {}",
                applied.len(),
                applied.join(", ")
            );
        }
    }
    if drifted > 0 {
        return Err(cloudstack_db::Error::Migration(format!(
            "{drifted} column(s) that the applied migrations created are missing or different"
        )));
    }
    Ok(())
}
