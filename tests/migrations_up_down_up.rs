//! All migrations up, all down, all up again: the schema comes back identical.

mod common;

use cloudstack_db::migrations::{self, Schema};
use cloudstack_db_testing::{TestDatabases, count};
use diesel::prelude::*;
use diesel::sql_types::Text;

#[derive(QueryableByName, PartialEq, Eq, Debug)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

/// Columns, indexes and constraints of `db` as sorted text lines (table names included).
fn shape(conn: &mut MysqlConnection, db: &str) -> Vec<String> {
    let sql = format!(
        "SELECT CONCAT_WS('|', 'col', table_name, column_name, ordinal_position, column_type, is_nullable, \
                COALESCE(column_default, '<none>'), extra, COALESCE(character_set_name, ''), \
                COALESCE(collation_name, ''), column_comment) AS line
           FROM information_schema.columns WHERE table_schema = '{db}'
         UNION ALL
         SELECT CONCAT_WS('|', 'idx', table_name, index_name, non_unique, seq_in_index, column_name) AS line
           FROM information_schema.statistics WHERE table_schema = '{db}'
         UNION ALL
         SELECT CONCAT_WS('|', 'fk', k.table_name, k.constraint_name, k.column_name, k.referenced_table_name,
                k.referenced_column_name, r.update_rule, r.delete_rule) AS line
           FROM information_schema.key_column_usage k
           JOIN information_schema.referential_constraints r
             ON r.constraint_schema = k.constraint_schema AND r.constraint_name = k.constraint_name
          WHERE k.table_schema = '{db}'
         UNION ALL
         SELECT CONCAT_WS('|', 'tbl', table_name, engine, table_collation) AS line
           FROM information_schema.tables WHERE table_schema = '{db}'
         ORDER BY line"
    );
    diesel::sql_query(sql)
        .load::<Line>(conn)
        .unwrap()
        .into_iter()
        .map(|l| l.line)
        .collect()
}

#[test]
fn up_down_up_restores_the_same_schema() {
    let test = TestDatabases::empty().unwrap();
    let db = test.database();
    for (pool, schema, name) in [
        (db.cloud(), Schema::Cloud, test.cloud_name()),
        (db.usage(), Schema::Usage, test.usage_name()),
    ] {
        let mut conn = pool.get().unwrap();
        let applied = migrations::run_pending(&mut conn, schema).unwrap();
        assert!(!applied.is_empty());
        assert!(migrations::pending(&mut conn, schema).unwrap().is_empty());
        let first = shape(&mut conn, name);

        let reverted = migrations::revert_all(&mut conn, schema).unwrap();
        assert_eq!(reverted.len(), applied.len());
        let left = count(
            &mut conn,
            &format!(
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '{name}' \
                 AND table_name <> '__diesel_schema_migrations'"
            ),
        )
        .unwrap();
        assert_eq!(
            left, 0,
            "every table of {name} is dropped by the down migrations"
        );
        assert_eq!(
            migrations::pending(&mut conn, schema).unwrap().len(),
            applied.len()
        );

        let again = migrations::run_pending(&mut conn, schema).unwrap();
        assert_eq!(again, applied);
        let second = shape(&mut conn, name);
        assert!(first.len() > 5, "{first:?}");
        assert_eq!(first, second, "{name} differs after up/down/up");
    }
}

#[test]
fn the_template_clones_have_the_migrated_schema() {
    // A full clone looks exactly like a pair migrated from scratch; the default clone holds a
    // part of its tables, each exactly as migrated.
    let migrated = TestDatabases::empty().unwrap();
    let full = TestDatabases::full().unwrap();
    let fresh = common::fresh();
    for (schema, name) in [
        (Schema::Cloud, migrated.cloud_name().to_owned()),
        (Schema::Usage, migrated.usage_name().to_owned()),
    ] {
        let pool = |t: &TestDatabases| match schema {
            Schema::Cloud => t.database().cloud().clone(),
            Schema::Usage => t.database().usage().clone(),
        };
        let db_name = |t: &TestDatabases| match schema {
            Schema::Cloud => t.cloud_name().to_owned(),
            Schema::Usage => t.usage_name().to_owned(),
        };
        let mut a = pool(&migrated).get().unwrap();
        migrations::run_pending(&mut a, schema).unwrap();
        let want = shape(&mut a, &name);
        let mut b = pool(&full).get().unwrap();
        assert!(migrations::pending(&mut b, schema).unwrap().is_empty());
        assert_eq!(shape(&mut b, &db_name(&full)), want);
        let mut c = pool(&fresh).get().unwrap();
        assert!(migrations::pending(&mut c, schema).unwrap().is_empty());
        let part = shape(&mut c, &db_name(&fresh));
        assert!(part.len() > 20 && part.len() < want.len(), "{}", part.len());
        let missing: Vec<_> = part.iter().filter(|line| !want.contains(line)).collect();
        assert!(missing.is_empty(), "{missing:?}");
    }
}

#[test]
fn migrating_writes_no_account_and_the_first_start_is_explicit() {
    use cloudstack_db::identity::first_start::first_start;
    let test = TestDatabases::empty().unwrap();
    let db = test.database();
    db.run_migrations().unwrap();
    let rows = |db: &cloudstack_db::Database| {
        db.read(|c| {
            cloudstack_db_testing::count(
                c,
                "SELECT (SELECT COUNT(*) FROM account) + (SELECT COUNT(*) FROM user) + \
                 (SELECT COUNT(*) FROM service_offering) + (SELECT COUNT(*) FROM disk_offering)",
            )
        })
        .unwrap()
    };
    assert_eq!(
        rows(db),
        0,
        "migrating leaves what CloudStack's own setup tool leaves: no account, user or offering"
    );
    let wrote = db.write(first_start).unwrap();
    assert!(wrote.admin_enabled && wrote.accounts == 2 && wrote.users == 2);
    assert_eq!(rows(db), 2 + 2 + 2 + 6);
    assert_eq!(
        db.write(first_start).unwrap(),
        Default::default(),
        "a second call changes nothing"
    );
}

#[test]
fn a_database_made_by_an_earlier_migration_set_is_refused_and_left_as_it_is() {
    use diesel::connection::SimpleConnection;
    let test = TestDatabases::empty().unwrap();
    let mut conn = test.database().cloud().get().unwrap();
    // What the 26-table migration set of earlier builds left.
    conn.batch_execute(
        "CREATE TABLE __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY NOT NULL, \
         run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP); \
         INSERT INTO __diesel_schema_migrations (version) VALUES ('20251125000001'), ('20251125000010'); \
         CREATE TABLE version (id bigint unsigned PRIMARY KEY)",
    )
    .unwrap();
    let err = migrations::migrate(&mut conn, Schema::Cloud).unwrap_err();
    let message = err.to_string();
    assert!(
        matches!(err, cloudstack_db::Error::Migration(_))
            && message.contains("20251125000001, 20251125000010")
            && message.contains("deploy it anew"),
        "{message}"
    );
    assert_eq!(
        cloudstack_db_testing::count(
            &mut conn,
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()"
        )
        .unwrap(),
        2,
        "nothing created"
    );
}
