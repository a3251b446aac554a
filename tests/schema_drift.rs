//! `src/schema/*.rs` is exactly what `diesel print-schema` makes of the migrated databases.

mod common;

use std::process::Command;

#[test]
fn generated_schema_matches_the_migrations() {
    let test = common::fresh();
    let config = test.config_with(cloudstack_db_testing::test_pool_settings());
    // The test admin has no password (the URLs carry no secret); see CSDB_TEST_ADMIN_URL.
    let cloud = config.cloud.target.diesel_url();
    let usage = config.usage.target.diesel_url();
    let output = Command::new("bash")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/print-schema"))
        .args(["--check", cloud.expose(), usage.expose()])
        .output()
        .expect("bash runs scripts/print-schema");
    assert!(
        output.status.success(),
        "schema drift (or no Diesel CLI: scripts/prepare-machine installs it):\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
