//! The `cloudstack-db migrate` command against real, empty databases.

use std::process::Command;

use cloudstack_db_testing::{TestDatabases, count, test_pool_settings};

/// `cloudstack-db <subcommand>` on the databases at `cloud` and `usage`.
fn cli(subcommand: &str, cloud: &str, usage: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_cloudstack-db"))
        .arg(subcommand)
        .env("CLOUD_DATABASE_URL", cloud)
        .env("USAGE_DATABASE_URL", usage)
        .output()
        .unwrap()
}

fn migrate(cloud: &str, usage: &str) -> std::process::Output {
    cli("migrate", cloud, usage)
}

#[test]
fn migrate_applies_everything_once_and_reports_it() {
    let test = TestDatabases::empty().unwrap();
    let config = test.config_with(test_pool_settings());
    let (cloud, usage) = (
        config.cloud.target.diesel_url(),
        config.usage.target.diesel_url(),
    );

    let first = migrate(cloud.expose(), usage.expose());
    let out = String::from_utf8_lossy(&first.stdout);
    assert!(
        first.status.success(),
        "{out}\n{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(out.contains("cloud: applied 4 migration(s)"), "{out}");
    assert!(out.contains("cloud_usage: applied 3 migration(s)"), "{out}");

    let second = migrate(cloud.expose(), usage.expose());
    let out = String::from_utf8_lossy(&second.stdout);
    assert!(second.status.success());
    assert!(out.contains("cloud: up to date"), "{out}");
    assert!(out.contains("cloud_usage: up to date"), "{out}");

    // Migrating leaves no user, as CloudStack's own tool; `first-start` writes them once.
    let users = |test: &TestDatabases| {
        test.database()
            .cloud()
            .run(|c| {
                count(
                    c,
                    "SELECT COUNT(*) FROM user WHERE id = 2 AND state = 'enabled'",
                )
            })
            .unwrap()
    };
    assert_eq!(users(&test), 0);
    let first_start = || cli("first-start", cloud.expose(), usage.expose());
    let started = first_start();
    let out = String::from_utf8_lossy(&started.stdout);
    assert!(started.status.success(), "{out}");
    assert!(
        out.contains("wrote 2 account(s), 2 user(s), 2 compute, 4 disk and 6 network offering(s)")
            && out.contains("enabled user admin"),
        "{out}"
    );
    assert_eq!(users(&test), 1);
    let again = first_start();
    let out = String::from_utf8_lossy(&again.stdout);
    assert!(
        again.status.success() && out.contains("nothing to write"),
        "{out}"
    );
}

#[test]
fn migrate_fails_with_a_message_and_a_non_zero_exit() {
    let bad = migrate(
        "mysql://nobody:wrongpass@127.0.0.1:3306/cloud",
        "mysql://nobody:wrongpass@127.0.0.1:3306/cloud_usage",
    );
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("cannot connect"), "{err}");
    assert!(!err.contains("wrongpass"), "{err}");
    let invalid = migrate("postgres://x@y/z", "mysql://x@y/z");
    assert!(!invalid.status.success());
    assert!(String::from_utf8_lossy(&invalid.stderr).contains("configuration error"));
}

#[test]
fn migrate_reports_a_table_dropped_after_the_migrations_ran() {
    use diesel::connection::SimpleConnection;
    let test = TestDatabases::new().unwrap();
    let config = test.config_with(test_pool_settings());
    let (cloud, usage) = (
        config.cloud.target.diesel_url(),
        config.usage.target.diesel_url(),
    );
    test.database()
        .cloud()
        .run(|c| Ok(c.batch_execute("SET FOREIGN_KEY_CHECKS = 0; DROP TABLE role_permissions")?))
        .unwrap();
    let out = migrate(cloud.expose(), usage.expose());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stdout}");
    assert!(!stdout.contains("cloud: up to date"), "{stdout}");
    assert!(
        stdout.contains("role_permissions.rule: missing"),
        "{stdout}"
    );
    assert!(stderr.contains("missing or different"), "{stderr}");
    assert!(stdout.contains("cloud_usage: up to date"), "{stdout}");
}

/// A database with CloudStack 4.22.0's columns (no `vm_id` in the usage event and volume
/// tables, as after adopting one) is up to date: `migrate` judges the columns as `status` does.
#[test]
fn migrate_finds_a_4_22_0_database_up_to_date() {
    use diesel::connection::SimpleConnection;
    let test = TestDatabases::new().unwrap();
    let config = test.config_with(test_pool_settings());
    let (cloud, usage) = (
        config.cloud.target.diesel_url(),
        config.usage.target.diesel_url(),
    );
    test.database()
        .cloud()
        .run(|c| Ok(c.batch_execute("ALTER TABLE usage_event DROP COLUMN vm_id")?))
        .unwrap();
    test.database()
        .usage()
        .run(|c| {
            Ok(c.batch_execute(
                "ALTER TABLE usage_event DROP COLUMN vm_id; ALTER TABLE usage_volume DROP COLUMN vm_id",
            )?)
        })
        .unwrap();
    let out = migrate(cloud.expose(), usage.expose());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("cloud: up to date"), "{stdout}");
    assert!(stdout.contains("cloud_usage: up to date"), "{stdout}");
}
