//! After `cloudstack-setup-databases`, both databases equal a fresh CloudStack install as the
//! schema facts describe it (`../shared/cloudstack-schema/full/`, with 4.22.1's changes): every
//! table, column, index, foreign key, view (its columns and what it returns on the default
//! rows) and default row — 0 differences. The comparison is shown to catch each kind of
//! difference by making one of each and expecting exactly those.

mod sandbox;

use cloudstack_db_testing::facts::{Facts, facts_dir};
use cloudstack_db_testing::{TestDatabases, admin_connection, test_pool_settings};
use diesel::connection::SimpleConnection;
use sandbox::{Sandbox, text};

#[test]
fn a_deployed_database_pair_equals_a_fresh_cloudstack_4_22_1_install() {
    let Some(dir) = facts_dir() else { return };
    let facts = Facts::load(&dir).with_4_22_1();
    let sandbox = Sandbox::new();
    let out = sandbox.setup(&["-m", "mgmt-key", "-k", "db-key"]);
    assert!(out.status.success(), "setup failed:\n{}", text(&out));

    let mut admin = admin_connection().unwrap();
    let mut diffs = facts.compare(&mut admin, &sandbox.cloud, "cloud");
    diffs.extend(facts.compare(&mut admin, &sandbox.usage, "cloud_usage"));

    // What every view returns on the default rows, against a pair built from the facts alone
    // (the same 4.22.1 changes made by hand, so only what the migrations did is compared).
    let reference = TestDatabases::empty().unwrap();
    let config = reference.config_with(test_pool_settings());
    let mut cloud = config.cloud.target.connect().unwrap();
    facts.build(&mut cloud, "cloud", None);
    diffs.extend(facts.compare_view_results(
        &mut admin,
        &sandbox.cloud,
        reference.cloud_name(),
        "cloud",
    ));
    assert_eq!(diffs, Vec::<String>::new(), "differences from the facts");
    // The view comparison compares something: some views return the default rows.
    let with_rows = facts.views_with_rows(&mut admin, &sandbox.cloud, "cloud");
    assert!(
        with_rows.len() >= 2,
        "views returning rows on a fresh install: {with_rows:?}"
    );

    // Each kind of difference is reported: a column's default, an index, a foreign key, a
    // default row, a view, an extra table.
    admin
        .batch_execute(&format!(
            "USE `{db}`; \
             ALTER TABLE vlan ALTER COLUMN vlan_type SET DEFAULT 'DirectAttached'; \
             ALTER TABLE account DROP INDEX i_account__removed; \
             ALTER TABLE user_ip_address DROP FOREIGN KEY fk_user_ip_address__vpc_id; \
             UPDATE roles SET description = 'changed' WHERE id = 4; \
             CREATE OR REPLACE VIEW domain_view AS SELECT * FROM domain WHERE 1 = 0; \
             CREATE TABLE not_cloudstacks (id int PRIMARY KEY)",
            db = sandbox.cloud
        ))
        .unwrap();
    let diffs = facts.compare(&mut admin, &sandbox.cloud, "cloud");
    let expect = [
        "cloud.vlan.vlan_type: default",
        "index missing or different: (\"account\", \"i_account__removed\"",
        "foreign key missing or different: [\"user_ip_address\", \"fk_user_ip_address__vpc_id\"",
        "cloud.roles row 3 (4): description = Some(\"changed\")",
        "cloud.domain_view: columns",
        "cloud.not_cloudstacks: a table a fresh install does not have",
    ];
    for e in expect {
        assert!(
            diffs.iter().any(|d| d.contains(e)),
            "{e:?} not reported; got {diffs:#?}"
        );
    }
    let views =
        facts.compare_view_results(&mut admin, &sandbox.cloud, reference.cloud_name(), "cloud");
    assert!(
        views
            .iter()
            .any(|d| d.starts_with("cloud.domain_view returns")),
        "{views:#?}"
    );
}
