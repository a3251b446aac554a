//! The crate's first start (`identity::first_start`) writes what CloudStack's management server
//! writes at its first start of the rows the crate models, with Java's values and unique names
//! (`../shared/cloudstack-schema/FIRST-START.md` §2), leaves `configuration.init` to Java, and
//! writes nothing a second time. Every default row of the modelled tables loads into its model.

mod common;

use cloudstack_db::catalog::{DiskOffering, ServiceOffering, VmTemplate};
use cloudstack_db::identity::first_start::{FirstStart, first_start};
use cloudstack_db::identity::password::verify_password;
use cloudstack_db::identity::{
    Account, AccountState, AccountType, Domain, Role, RolePermission, User,
};
use cloudstack_db::install::{Sequence, Version};
use cloudstack_db::schema::cloud::*;
use cloudstack_db::types::*;
use cloudstack_db_testing::{TestDatabases, count};
use diesel::prelude::*;

#[test]
fn the_first_start_writes_javas_rows_with_javas_values_once() {
    common::log_to_file();
    let test = TestDatabases::full().unwrap();
    let db = test.database();
    let mut conn = db.cloud().get().unwrap();
    let conn: &mut MysqlConnection = &mut conn;

    // Accounts and users 1 and 2 (ConfigurationServerImpl.saveUser).
    let accounts: Vec<Account> = account::table
        .order(account::id)
        .select(Account::as_select())
        .load(conn)
        .unwrap();
    let summary: Vec<_> = accounts
        .iter()
        .map(|a| {
            (
                a.id.get(),
                a.account_name.clone().unwrap(),
                a.account_type,
                a.role_id,
                a.domain_id,
                a.default,
                a.state,
                a.created,
            )
        })
        .collect();
    let account = |id, name: &str| {
        (
            id,
            name.to_owned(),
            AccountType::Admin,
            Some(RoleId(1)),
            Some(DomainId(1)),
            true,
            AccountState::Enabled,
            None,
        )
    };
    assert_eq!(summary, vec![account(1, "system"), account(2, "admin")]);
    let users: Vec<User> = user::table
        .order(user::id)
        .select(User::as_select())
        .load(conn)
        .unwrap();
    let summary: Vec<_> = users
        .iter()
        .map(|u| {
            (
                u.id,
                u.username.clone(),
                u.account_id,
                u.firstname.clone(),
                u.lastname.clone(),
                u.default,
                u.created <= chrono::Utc::now(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                UserId(1),
                "system".into(),
                AccountId(1),
                Some("system".into()),
                Some("cloud".into()),
                true,
                true
            ),
            (
                UserId(2),
                "admin".into(),
                AccountId(2),
                Some("admin".into()),
                Some("cloud".into()),
                true,
                true
            ),
        ]
    );
    // The admin is enabled with the PBKDF2 hash of "password" (enableAdminUser); the system
    // user's password is the text of RAND(), which no login matches.
    assert_eq!(users[1].state, AccountState::Enabled);
    assert!(verify_password("password", users[1].password.expose()).unwrap());
    assert!(!verify_password("Password", users[1].password.expose()).unwrap());
    assert!(users[0].password.expose().parse::<f64>().is_ok());
    assert_eq!(
        count(
            conn,
            "SELECT COUNT(*) FROM security_group WHERE account_id = 2 AND domain_id = 1 \
             AND name = 'default' AND description = 'Default Security Group'"
        )
        .unwrap(),
        1
    );

    // Offerings, found by Java's check-first lookups (unique_name), with Java's values.
    let disks: Vec<DiskOffering> = disk_offering::table
        .order(disk_offering::id)
        .select(DiskOffering::as_select())
        .load(conn)
        .unwrap();
    let gib = 1u64 << 30;
    let got: Vec<_> = disks
        .iter()
        .map(|d| {
            (
                d.id.get(),
                d.name.as_str(),
                d.unique_name.as_deref(),
                d.display_text.as_deref(),
                d.disk_size / gib,
                d.customized,
                d.compute_only,
                d.cache_mode,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                1,
                "Small Instance",
                Some("Cloud.Com-Small Instance"),
                Some("Small Instance"),
                0,
                true,
                true,
                None
            ),
            (
                2,
                "Medium Instance",
                Some("Cloud.Com-Medium Instance"),
                Some("Medium Instance"),
                0,
                true,
                true,
                None
            ),
            (
                3,
                "Small",
                Some("Cloud.Com-Small"),
                Some("Small Disk, 5 GB"),
                5,
                false,
                false,
                None
            ),
            (
                4,
                "Medium",
                Some("Cloud.Com-Medium"),
                Some("Medium Disk, 20 GB"),
                20,
                false,
                false,
                None
            ),
            (
                5,
                "Large",
                Some("Cloud.Com-Large"),
                Some("Large Disk, 100 GB"),
                100,
                false,
                false,
                None
            ),
            (
                6,
                "Custom",
                Some("Cloud.Com-Custom"),
                Some("Custom Disk"),
                0,
                true,
                false,
                None
            ),
        ]
    );
    assert!(
        disks
            .iter()
            .all(|d| d.provisioning_type == ProvisioningType::Thin
                && d.state == OfferingState::Active)
    );
    let services: Vec<ServiceOffering> = service_offering::table
        .order(service_offering::id)
        .select(ServiceOffering::as_select())
        .load(conn)
        .unwrap();
    let got: Vec<_> = services
        .iter()
        .map(|s| {
            (
                s.id.get(),
                s.name.as_str(),
                s.unique_name.as_deref(),
                s.cpu,
                s.ram_size,
                s.speed,
                s.disk_offering_id.map(|d| d.get()),
                s.nw_rate,
                s.mc_rate,
                s.system_use,
                s.dynamic_scaling_enabled,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                1,
                "Small Instance",
                Some("Cloud.Com-Small Instance"),
                Some(1),
                Some(512),
                Some(500),
                Some(1),
                None,
                None,
                false,
                true
            ),
            (
                2,
                "Medium Instance",
                Some("Cloud.Com-Medium Instance"),
                Some(1),
                Some(1024),
                Some(1000),
                Some(2),
                None,
                None,
                false,
                true
            ),
        ]
    );
    assert_eq!(
        count(
            conn,
            "SELECT COUNT(*) FROM network_offerings WHERE id = 1 AND unique_name = 'System-Public-Network' \
             AND traffic_type = 'Public' AND system_only = 1 AND specify_ip_ranges = 1 AND state = 'Enabled' \
             AND availability = 'Required' AND guest_type IS NULL"
        )
        .unwrap(),
        1
    );
    assert_eq!(
        count(
            conn,
            "SELECT COUNT(*) FROM network_offerings WHERE unique_name LIKE 'System-%' \
             AND display_text = CONCAT('System Offering for ', name)"
        )
        .unwrap(),
        6
    );
    assert_eq!(
        count(conn, "SELECT COUNT(*) FROM ntwk_offering_service_map").unwrap(),
        0,
        "no service map: Java writes those of the offerings it creates"
    );
    // `init` stays NULL: Java still runs the part of its first start the crate does not write.
    assert_eq!(
        count(
            conn,
            "SELECT COUNT(*) FROM configuration WHERE name = 'init' AND value IS NULL"
        )
        .unwrap(),
        1
    );

    // A second first start finds every row and writes nothing.
    let before = count(
        conn,
        "SELECT (SELECT COUNT(*) FROM account) + (SELECT COUNT(*) FROM user) + \
         (SELECT COUNT(*) FROM disk_offering) + (SELECT COUNT(*) FROM service_offering) + \
         (SELECT COUNT(*) FROM network_offerings) + (SELECT COUNT(*) FROM security_group)",
    )
    .unwrap();
    assert_eq!(db.write(first_start).unwrap(), FirstStart::default());
    assert_eq!(
        count(
            conn,
            "SELECT (SELECT COUNT(*) FROM account) + (SELECT COUNT(*) FROM user) + \
             (SELECT COUNT(*) FROM disk_offering) + (SELECT COUNT(*) FROM service_offering) + \
             (SELECT COUNT(*) FROM network_offerings) + (SELECT COUNT(*) FROM security_group)",
        )
        .unwrap(),
        before
    );
}

#[test]
fn a_disabled_admin_is_enabled_again_and_missing_rows_are_added_alone() {
    let test = common::fresh();
    let db = test.database();
    db.cloud()
        .run(|c| {
            diesel::update(user::table.find(UserId(2)))
                .set(user::state.eq(AccountState::Disabled))
                .execute(c)?;
            diesel::delete(
                service_offering::table.filter(service_offering::id.eq(ServiceOfferingId(2))),
            )
            .execute(c)?;
            Ok(())
        })
        .unwrap();
    let wrote = db.write(first_start).unwrap();
    assert_eq!(
        wrote,
        FirstStart {
            compute_offerings: 1,
            admin_enabled: true,
            ..FirstStart::default()
        }
    );
}

#[test]
fn every_default_row_of_the_modelled_tables_loads_into_its_model() {
    let test = common::fresh();
    let mut conn = test.database().cloud().get().unwrap();
    let conn: &mut MysqlConnection = &mut conn;
    let root: Domain = domain::table
        .find(DomainId(1))
        .select(Domain::as_select())
        .first(conn)
        .unwrap();
    assert_eq!(
        (root.name.as_deref(), root.path.as_str(), root.owner),
        (Some("ROOT"), "/", AccountId(2))
    );
    let roles: Vec<Role> = roles::table.select(Role::as_select()).load(conn).unwrap();
    assert_eq!(roles.len(), 8);
    let rules: Vec<RolePermission> = role_permissions::table
        .select(RolePermission::as_select())
        .load(conn)
        .unwrap();
    assert_eq!(rules.len(), 1090);
    let templates: Vec<VmTemplate> = vm_template::table
        .select(VmTemplate::as_select())
        .load(conn)
        .unwrap();
    assert_eq!(templates.len(), 12);
    let versions: Vec<Version> = version::table
        .order(version::id)
        .select(Version::as_select())
        .load(conn)
        .unwrap();
    let names: Vec<&str> = versions.iter().map(|v| v.version.as_str()).collect();
    assert_eq!(names.len(), 49);
    assert_eq!(&names[..2], ["4.0.0", "4.1.0"]);
    assert_eq!(&names[47..], ["4.22.0.0", "4.22.1.0"]);
    let sequences: Vec<Sequence> = sequence::table
        .select(Sequence::as_select())
        .load(conn)
        .unwrap();
    assert_eq!(sequences.len(), 9);
}
