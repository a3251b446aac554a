//! A freshly migrated `cloud` database holds the rows a fresh CloudStack 4.22 install has, with
//! the ids the schema facts give (`default_rows` in the inventory).

mod common;

use cloudstack_db::catalog::ServiceOffering;
use cloudstack_db::catalog::{DiskOffering, VmTemplate};
use cloudstack_db::identity::password::verify_password;
use cloudstack_db::identity::{
    Account, AccountState, AccountType, Domain, Permission, Role, RolePermission, RoleState, User,
};
use cloudstack_db::install::{Sequence, Version};
use cloudstack_db::schema::cloud::*;
use cloudstack_db::types::ProvisioningType;
use cloudstack_db::types::*;
use diesel::prelude::*;
use serde_json::Value;

fn defaults() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/cloudstack-4.22-inventory.json"
    );
    serde_json::from_str::<Value>(&std::fs::read_to_string(path).unwrap()).unwrap()["default_rows"]
        .clone()
}

#[test]
fn fresh_install_rows_are_present_with_cloudstacks_ids() {
    let test = common::fresh();
    let mut conn = test.database().cloud().get().unwrap();
    let conn: &mut MysqlConnection = &mut conn;
    let facts = defaults();

    let root: Domain = domain::table
        .find(DomainId(1))
        .select(Domain::as_select())
        .first(conn)
        .unwrap();
    assert_eq!(
        (
            root.name.as_deref(),
            root.path.as_str(),
            root.parent,
            root.owner,
            root.level
        ),
        (Some("ROOT"), "/", None, AccountId(2), 0)
    );
    assert_eq!(root.state.as_str(), "Active");
    assert!(root.uuid.is_some());
    assert_eq!(domain::table.count().get_result::<i64>(conn).unwrap(), 1);

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
            )
        })
        .collect();
    let system = (
        1,
        "system".to_owned(),
        AccountType::Admin,
        Some(RoleId(1)),
        Some(DomainId(1)),
        true,
        AccountState::Enabled,
    );
    let admin = (
        2,
        "admin".to_owned(),
        AccountType::Admin,
        Some(RoleId(1)),
        Some(DomainId(1)),
        true,
        AccountState::Enabled,
    );
    assert_eq!(summary, vec![system, admin]);
    for (row, fact) in accounts
        .iter()
        .zip(facts["account"]["rows"].as_array().unwrap())
    {
        assert_eq!(row.id.get(), fact["id"].as_u64().unwrap());
        assert_eq!(
            row.account_type.value(),
            fact["type"].as_u64().unwrap() as u32
        );
    }

    let users: Vec<User> = user::table
        .order(user::id)
        .select(User::as_select())
        .load(conn)
        .unwrap();
    assert_eq!(users.len(), 2);
    let (sys, adm) = (&users[0], &users[1]);
    assert_eq!(
        (
            sys.id,
            sys.username.as_str(),
            sys.account_id,
            sys.firstname.as_deref(),
            sys.lastname.as_deref()
        ),
        (
            UserId(1),
            "system",
            AccountId(1),
            Some("system"),
            Some("cloud")
        )
    );
    assert_eq!(
        (
            adm.id,
            adm.username.as_str(),
            adm.account_id,
            adm.firstname.as_deref(),
            adm.lastname.as_deref()
        ),
        (
            UserId(2),
            "admin",
            AccountId(2),
            Some("admin"),
            Some("cloud")
        )
    );
    assert!(sys.default && adm.default);
    // Admin ends up enabled with the PBKDF2 hash of "password", as after CloudStack's first start.
    assert_eq!(adm.state, AccountState::Enabled);
    assert!(verify_password("password", adm.password.expose()).unwrap());
    assert!(!verify_password("Password", adm.password.expose()).unwrap());
    // The system user's password is unusable random text.
    assert!(verify_password("password", sys.password.expose()).is_err());

    let roles: Vec<Role> = roles::table
        .order(roles::id)
        .select(Role::as_select())
        .load(conn)
        .unwrap();
    let facts_roles = facts["roles"]["rows"].as_array().unwrap();
    assert_eq!(roles.len(), 8);
    for (row, fact) in roles.iter().zip(facts_roles) {
        assert_eq!(row.id.get(), fact["id"].as_u64().unwrap());
        assert_eq!(row.name.as_deref(), fact["name"].as_str());
        assert_eq!(row.role_type.as_str(), fact["role_type"].as_str().unwrap());
        assert_eq!(row.description.as_deref(), fact["description"].as_str());
        assert!(row.is_default && row.public_role);
        assert_eq!(row.state, RoleState::Enabled);
    }

    let rules: Vec<RolePermission> = role_permissions::table
        .select(RolePermission::as_select())
        .load(conn)
        .unwrap();
    assert_eq!(rules.len(), 1);
    assert_eq!(
        (
            rules[0].role_id,
            rules[0].rule.as_str(),
            rules[0].permission,
            rules[0].sort_order
        ),
        (RoleId(1), "*", Permission::Allow, 0)
    );

    let templates: Vec<VmTemplate> = vm_template::table
        .order(vm_template::id)
        .select(VmTemplate::as_select())
        .load(conn)
        .unwrap();
    let facts_templates = facts["vm_template"]["rows"].as_array().unwrap();
    assert_eq!(templates.len(), facts_templates.len());
    for (row, fact) in templates.iter().zip(facts_templates) {
        let id = fact["id"].as_u64().unwrap();
        assert_eq!(row.id.get(), id);
        assert_eq!(row.unique_name, fact["unique_name"].as_str().unwrap());
        assert_eq!(row.name, fact["name"].as_str().unwrap());
        assert_eq!(
            row.template_type.map(|t| t.as_str()),
            fact["type"].as_str(),
            "template {id}"
        );
        assert_eq!(row.format.as_str(), fact["format"].as_str().unwrap());
        assert_eq!(
            row.hypervisor_type.map(|h| h.as_str()),
            fact["hypervisor_type"].as_str()
        );
        assert_eq!(row.public, fact["public"].as_u64() == Some(1));
        assert_eq!(row.featured, fact["featured"].as_u64() == Some(1));
        assert_eq!(row.state.map(|s| s.as_str()), fact["state"].as_str());
        assert_eq!(
            row.removed.is_some(),
            fact["removed"].as_bool().unwrap(),
            "template {id}"
        );
        assert_eq!(row.guest_os_id, fact["guest_os_id"].as_u64().unwrap());
        assert_eq!(u64::from(row.bits), fact["bits"].as_u64().unwrap());
        assert_eq!(row.cross_zones, fact["cross_zones"].as_u64() == Some(1));
        assert_eq!(row.account_id.get(), fact["account_id"].as_u64().unwrap());
    }

    let sequences: Vec<Sequence> = sequence::table
        .select(Sequence::as_select())
        .load(conn)
        .unwrap();
    let facts_seq = facts["sequence"]["rows"].as_object().unwrap();
    assert_eq!(sequences.len(), facts_seq.len());
    for s in &sequences {
        assert_eq!(Some(s.value), facts_seq[&s.name].as_u64(), "{}", s.name);
    }

    let services: Vec<ServiceOffering> = service_offering::table
        .order(service_offering::id)
        .select(ServiceOffering::as_select())
        .load(conn)
        .unwrap();
    let got: Vec<_> = services
        .iter()
        .map(|s| (s.name.as_str(), s.cpu, s.ram_size, s.speed))
        .collect();
    assert_eq!(
        got,
        vec![
            ("Small Instance", Some(1), Some(512), Some(500)),
            ("Medium Instance", Some(1), Some(1024), Some(1000))
        ]
    );
    let disks: Vec<DiskOffering> = disk_offering::table
        .order(disk_offering::id)
        .select(DiskOffering::as_select())
        .load(conn)
        .unwrap();
    let gib = 1024 * 1024 * 1024;
    let got: Vec<_> = disks
        .iter()
        .filter(|d| !d.compute_only)
        .map(|d| (d.name.as_str(), d.disk_size / gib, d.customized))
        .collect();
    assert_eq!(
        got,
        vec![
            ("Small", 5, false),
            ("Medium", 20, false),
            ("Large", 100, false),
            ("Large", 100, false),
            ("Custom", 0, true)
        ]
    );
    assert!(
        disks
            .iter()
            .all(|d| d.provisioning_type == ProvisioningType::Thin)
    );
    assert_eq!(
        services
            .iter()
            .map(|s| s.disk_offering_id)
            .collect::<Vec<_>>(),
        vec![Some(DiskOfferingId(1)), Some(DiskOfferingId(2))]
    );

    let latest: Version = version::table
        .order(version::id.desc())
        .select(Version::as_select())
        .first(conn)
        .unwrap();
    assert_eq!(
        (latest.version.as_str(), latest.step.as_str()),
        ("4.22.1.0", "Complete")
    );
    // No zone by default.
    assert_eq!(
        data_center::table.count().get_result::<i64>(conn).unwrap(),
        0
    );
}
