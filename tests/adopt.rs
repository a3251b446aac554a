//! Taking over databases CloudStack itself made. The databases are built here from the schema
//! facts (`../shared/cloudstack-schema/full/`: every table's CREATE TABLE as the server renders
//! it, every view, the rows a fresh install holds) — not by the crate's migrations — then
//! adopted and used; an older CloudStack is refused and left untouched.

mod common;

use std::path::Path;

use cloudstack_db::db::{SchemaRelease, schema_release};
use cloudstack_db::install::adopt;
use cloudstack_db::migrations::{self, Found, Schema, found};
use cloudstack_db::prelude::*;
use cloudstack_db_testing::facts::{Facts, facts_dir};
use cloudstack_db_testing::{TestDatabases, count, test_pool_settings};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

/// Two empty databases with the facts' `cloud` and `cloud_usage` built in them.
fn cloudstack_made(dir: &Path, version_limit: Option<u64>) -> TestDatabases {
    let facts = Facts::load(dir);
    let test = TestDatabases::empty().unwrap();
    let config = test.config_with(test_pool_settings());
    let mut cloud = config.cloud.target.connect().unwrap();
    let mut usage = config.usage.target.connect().unwrap();
    facts.build(&mut cloud, "cloud", version_limit);
    facts.build(&mut usage, "cloud_usage", version_limit);
    test
}

#[derive(QueryableByName)]
struct Text {
    #[diesel(sql_type = diesel::sql_types::Text)]
    text: String,
}

/// Every column of both databases, as `db table column type nullable`, without Diesel's
/// bookkeeping table.
fn shape(conn: &mut MysqlConnection, test: &TestDatabases) -> Vec<String> {
    diesel::sql_query(format!(
        "SELECT CONCAT_WS(' ', TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE) AS text \
         FROM information_schema.COLUMNS WHERE TABLE_SCHEMA IN ('{}', '{}') \
         AND TABLE_NAME <> '__diesel_schema_migrations' \
         ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION",
        test.cloud_name(),
        test.usage_name()
    ))
    .load::<Text>(conn)
    .unwrap()
    .into_iter()
    .map(|t| t.text)
    .collect()
}

#[test]
fn a_cloudstack_4_22_0_database_is_adopted_without_ddl_and_the_repositories_work_on_it() {
    let Some(dir) = facts_dir() else { return };
    let test = cloudstack_made(&dir, None);
    let config = test.config_with(test_pool_settings());
    let db = Database::connect(&config).unwrap();
    let mut cloud = db.cloud().get().unwrap();
    let mut usage = db.usage().get().unwrap();
    assert_eq!(
        found(&mut cloud, Schema::Cloud).unwrap(),
        Found::CloudStack {
            version: Some("4.22.0.0".into()),
            step: Some("Complete".into())
        }
    );

    // Migrating it is refused, and not even Diesel's bookkeeping table is left behind.
    let err = migrations::migrate(&mut cloud, Schema::Cloud).unwrap_err();
    assert!(err.to_string().contains("adopt"), "{err}");
    assert!(matches!(
        found(&mut cloud, Schema::Cloud).unwrap(),
        Found::CloudStack { .. }
    ));
    let before = shape(&mut cloud, &test);

    let adopted = adopt(&mut cloud, &mut usage).unwrap();
    assert_eq!(adopted.cloudstack_version, "4.22.0.0");
    assert_eq!(adopted.release, SchemaRelease::V4_22_0);
    // Every migration is recorded, 4.22.1's too: the crate reads and writes both releases,
    // and never upgrades CloudStack's database behind its management server's back.
    assert_eq!(adopted.cloud.len(), 4);
    assert_eq!(adopted.usage.len(), 3);
    assert_eq!(
        shape(&mut cloud, &test),
        before,
        "no CloudStack column changed"
    );
    assert!(
        migrations::pending(&mut cloud, Schema::Cloud)
            .unwrap()
            .is_empty()
    );
    assert!(
        migrations::pending(&mut usage, Schema::Usage)
            .unwrap()
            .is_empty()
    );
    assert_eq!(found(&mut usage, Schema::Usage).unwrap(), Found::Managed);
    // A second adoption records nothing.
    let again = adopt(&mut cloud, &mut usage).unwrap();
    assert!(again.cloud.is_empty() && again.usage.is_empty());
    assert_eq!(
        count(&mut cloud, "SELECT COUNT(*) FROM version").unwrap(),
        48,
        "CloudStack's version rows untouched"
    );
    drop((cloud, usage));

    // The repositories on it: its ROOT domain and templates, a new account, an event and a
    // usage event (4.22.0: written without vm_id).
    let root = db.read(|c| domains::find(c, DomainId(1))).unwrap();
    assert_eq!(root.name.as_deref(), Some("ROOT"));
    let account = db
        .write(|tx| {
            accounts::create(
                tx,
                &accounts::AccountSpec::new(
                    DomainId(1),
                    "adopted",
                    cloudstack_db::identity::AccountType::Normal,
                ),
            )
        })
        .unwrap();
    assert_eq!(
        db.read(|c| accounts::find(c, account.id))
            .unwrap()
            .account_name,
        Some("adopted".to_owned())
    );
    db.write(|tx| {
        cloudstack_db::events::record_usage_event(
            tx,
            cloudstack_db::events::usage_event_for(
                "VM.START",
                account.id,
                ZoneId(1),
                7,
                "on-an-adopted-database",
            ),
        )
    })
    .unwrap();
    assert_eq!(
        db.cloud()
            .run(|c| count(
                c,
                "SELECT COUNT(*) FROM usage_event WHERE resource_name = 'on-an-adopted-database'"
            ))
            .unwrap(),
        1
    );

    // The usage job on it: a volume's helper row goes into 4.22.0's `usage_volume`, which has
    // no `vm_id`, and is billed.
    use common::usage_rows::{JavaEvent, at, day, run};
    JavaEvent {
        offering: Some(3),
        size: Some(1 << 30),
        ..JavaEvent::new("VOLUME.CREATE", account.id.get(), at(23, 1, 0), 700, "root")
    }
    .insert(&db);
    run(&db, day(23), chrono::Duration::hours(24));
    let usage_count = |sql: &str| db.usage().run(|c| count(c, sql)).unwrap();
    assert_eq!(
        usage_count(
            "SELECT COUNT(*) FROM usage_volume WHERE volume_id = 700 AND size = 1073741824"
        ),
        1
    );
    assert_eq!(
        usage_count("SELECT COUNT(*) FROM cloud_usage WHERE usage_type = 6 AND usage_id = 700"),
        1,
        "the volume is billed for the day"
    );
}

#[test]
fn a_cloudstack_4_22_1_database_is_adopted_as_4_22_1() {
    let Some(dir) = facts_dir() else { return };
    let test = cloudstack_made(&dir, None);
    let config = test.config_with(test_pool_settings());
    // What 4.22.1's upgrade adds.
    let mut raw_cloud = config.cloud.target.connect().unwrap();
    raw_cloud
        .batch_execute(
            "ALTER TABLE usage_event ADD COLUMN vm_id bigint(20) unsigned DEFAULT NULL; \
             ALTER TABLE backups DROP COLUMN backup_interval_type; \
             INSERT INTO version (version, updated, step) VALUES ('4.22.1.0', NOW(), 'Complete')",
        )
        .unwrap();
    let mut raw_usage = config.usage.target.connect().unwrap();
    raw_usage
        .batch_execute(
            "ALTER TABLE usage_event ADD COLUMN vm_id bigint(20) unsigned DEFAULT NULL; \
             ALTER TABLE usage_volume ADD COLUMN vm_id bigint(20) unsigned DEFAULT NULL",
        )
        .unwrap();
    let db = Database::connect(&config).unwrap();
    let mut cloud = db.cloud().get().unwrap();
    let mut usage = db.usage().get().unwrap();
    let adopted = adopt(&mut cloud, &mut usage).unwrap();
    assert_eq!(adopted.cloudstack_version, "4.22.1.0");
    assert_eq!(adopted.release, SchemaRelease::V4_22_1);
    assert_eq!(schema_release(&mut usage).unwrap(), SchemaRelease::V4_22_1);
    drop((cloud, usage));

    // The repositories on it: the crate's first start (no Java server here) writes the
    // accounts, users and offerings a fresh install lacks; a usage event keeps its VM (4.22.1).
    let wrote = db
        .write(cloudstack_db::identity::first_start::first_start)
        .unwrap();
    assert!(wrote.admin_enabled && wrote.accounts == 2 && wrote.network_offerings == 6);
    let admin = db.read(|c| accounts::find(c, AccountId(2))).unwrap();
    assert_eq!(admin.account_name.as_deref(), Some("admin"));
    let mut event = cloudstack_db::events::usage_event_for(
        "VOLUME.CREATE",
        admin.id,
        ZoneId(1),
        9,
        "vol-on-4.22.1",
    );
    event.vm_id = Some(VmId(77));
    db.write(|tx| cloudstack_db::events::record_usage_event(tx, event.clone()))
        .unwrap();
    assert_eq!(
        db.cloud()
            .run(|c| count(
                c,
                "SELECT COUNT(*) FROM usage_event WHERE resource_name = 'vol-on-4.22.1' AND vm_id = 77"
            ))
            .unwrap(),
        1
    );
}

#[test]
fn a_cloudstack_4_20_database_is_refused_and_left_untouched() {
    let Some(dir) = facts_dir() else { return };
    // The version rows up to 4.20.0.0 (id 45).
    let test = cloudstack_made(&dir, Some(45));
    let config = test.config_with(test_pool_settings());
    let db = Database::connect(&config).unwrap();
    let mut cloud = db.cloud().get().unwrap();
    let mut usage = db.usage().get().unwrap();
    let before = shape(&mut cloud, &test);
    let err = adopt(&mut cloud, &mut usage).unwrap_err();
    let message = err.to_string();
    assert!(
        matches!(err, cloudstack_db::Error::Migration(_))
            && message.contains("4.20.0.0")
            && message.contains("upgrade it to 4.22"),
        "{message}"
    );
    assert_eq!(shape(&mut cloud, &test), before);
    for conn in [&mut cloud, &mut usage] {
        assert_eq!(
            count(
                conn,
                "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() \
                 AND TABLE_NAME = '__diesel_schema_migrations'"
            )
            .unwrap(),
            0,
            "no bookkeeping table created"
        );
    }
    assert_eq!(
        count(&mut cloud, "SELECT COUNT(*) FROM version").unwrap(),
        45
    );
}

#[test]
fn a_database_missing_a_table_cloudstack_4_22_has_is_refused_naming_it() {
    let Some(dir) = facts_dir() else { return };
    let test = cloudstack_made(&dir, None);
    let config = test.config_with(test_pool_settings());
    let mut raw = config.cloud.target.connect().unwrap();
    // A table the crate does not model, and a view: adoption checks CloudStack's whole schema.
    raw.batch_execute("DROP TABLE nic_details; DROP VIEW host_view")
        .unwrap();
    let db = Database::connect(&config).unwrap();
    let mut cloud = db.cloud().get().unwrap();
    let mut usage = db.usage().get().unwrap();
    let before = shape(&mut cloud, &test);
    let message = adopt(&mut cloud, &mut usage).unwrap_err().to_string();
    assert!(
        message.contains("cloud: table nic_details missing")
            && message.contains("cloud: view host_view missing"),
        "{message}"
    );
    assert_eq!(shape(&mut cloud, &test), before);
    assert!(matches!(
        found(&mut cloud, Schema::Cloud).unwrap(),
        Found::CloudStack { .. }
    ));
}
