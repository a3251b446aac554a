//! The crate's main job, end to end against a real server: connect to both CloudStack
//! databases, apply the migrations, and show what the pools set up.
//!
//! ```text
//! cargo run --example tour
//! ```
//!
//! With `--db-properties FILE` it opens the databases a CloudStack db.properties names (as
//! written by `cloudstack-setup-databases`; `scripts/main-job` runs both). Otherwise it uses
//! `CLOUD_DATABASE_URL` and `USAGE_DATABASE_URL`, by default the databases `cloudstack_tour` and
//! `cloudstack_tour_usage` on the local server as root, and creates them when they are missing.

use cloudstack_db::db::{ConnectionTarget, DatabaseConfig, ServerInfo, SessionSnapshot};
use cloudstack_db::{Database, Result};
use diesel::connection::SimpleConnection;
use diesel::{Connection, MysqlConnection};

const TOUR_CLOUD_URL: &str = "mysql://root@127.0.0.1:3306/cloudstack_tour";
const TOUR_USAGE_URL: &str = "mysql://root@127.0.0.1:3306/cloudstack_tour_usage";

fn main() {
    if let Err(err) = run() {
        eprintln!("tour failed: {err}");
        std::process::exit(1);
    }
}

fn url(var: &str, default: &str) -> String {
    std::env::var(var)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_owned())
}

fn run() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match args.as_slice() {
        [flag, path] if flag == "--db-properties" => DatabaseConfig::from_db_properties_file(path)?,
        [] => {
            let config = DatabaseConfig::from_urls(
                &url("CLOUD_DATABASE_URL", TOUR_CLOUD_URL),
                &url("USAGE_DATABASE_URL", TOUR_USAGE_URL),
            )?;
            create_if_missing(&config.cloud.target)?;
            create_if_missing(&config.usage.target)?;
            config
        }
        _ => {
            return Err(cloudstack_db::Error::Config(
                "usage: tour [--db-properties FILE]".into(),
            ));
        }
    };
    println!("== cloudstack-db tour");
    println!("cloud database:  {}", config.cloud.target);
    println!("usage database:  {}", config.usage.target);

    let db = Database::connect(&config)?;
    let report = db.run_migrations()?;
    println!(
        "migrations:      {} applied to cloud, {} applied to cloud_usage",
        report.cloud.len(),
        report.usage.len()
    );

    for (label, pool) in [("cloud", db.cloud()), ("cloud_usage", db.usage())] {
        let mut conn = pool.get()?;
        let server = ServerInfo::query(&mut conn)?;
        let session = SessionSnapshot::read(&mut conn)?;
        println!("-- {label}");
        println!(
            "server:          {} ({:?})",
            server.version_string, server.flavor
        );
        println!("sql_mode:        {}", session.sql_mode);
        println!("time_zone:       {}", session.time_zone);
        println!(
            "isolation:       {} (@@{})",
            session.isolation,
            server.isolation_variable()
        );
        println!(
            "pool:            at most {} connections, {:?} open/idle",
            pool.max_size(),
            pool.state()
        );
    }
    show_fresh_install(&db)?;
    println!("== done");
    Ok(())
}

/// What a fresh install holds: schema version, default accounts, roles and templates.
fn show_fresh_install(db: &Database) -> Result<()> {
    use cloudstack_db::identity::{Account, Role};
    use cloudstack_db::schema::cloud::{account, roles, version, vm_template};
    use cloudstack_db::storage::VmTemplate;
    use cloudstack_db::system::Version;
    use diesel::prelude::*;

    let mut conn = db.cloud().get()?;
    let conn: &mut MysqlConnection = &mut conn;
    let latest: Version = version::table
        .order(version::id.desc())
        .select(Version::as_select())
        .first(conn)?;
    println!("-- fresh install");
    println!("schema version:  {} ({})", latest.version, latest.step);
    for a in account::table
        .order(account::id)
        .select(Account::as_select())
        .load(conn)?
    {
        println!(
            "account {}:       {} ({}, state {})",
            a.id,
            a.account_name.unwrap_or_default(),
            a.account_type,
            a.state
        );
    }
    let role_names: Vec<String> = roles::table
        .order(roles::id)
        .select(Role::as_select())
        .load(conn)?
        .into_iter()
        .filter_map(|r| r.name)
        .collect();
    println!("roles:           {}", role_names.join(", "));
    let templates: Vec<VmTemplate> = vm_template::table
        .filter(vm_template::removed.is_null())
        .order(vm_template::id)
        .select(VmTemplate::as_select())
        .load(conn)?;
    println!(
        "templates:       {} live, e.g. {} ({})",
        templates.len(),
        templates[3].name,
        templates[3].format
    );
    println!("admin password:  `password`, as on a fresh CloudStack install: change it");
    Ok(())
}

/// Creates the database of `target` (utf8mb3, as CloudStack's tables) when it does not exist.
fn create_if_missing(target: &ConnectionTarget) -> Result<()> {
    let server = target.with_database("mysql");
    let mut conn = MysqlConnection::establish(server.diesel_url().expose())?;
    conn.batch_execute(&format!(
        "CREATE DATABASE IF NOT EXISTS `{}` CHARACTER SET utf8mb3 COLLATE utf8mb3_general_ci",
        target.database.replace('`', "``")
    ))?;
    Ok(())
}
