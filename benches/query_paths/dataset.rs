//! The data every query-path bench runs on, generated once per run: 100 000 VMs, each with a
//! ROOT volume, across 1 000 accounts; 1 000 users with API keys; a role with 60 rules; a public
//! address range; made by cloning rows the crate created, with set-based SQL.

use cloudstack_db::catalog::NewDataCenter;
use cloudstack_db::catalog::zones;
use cloudstack_db::compute::vms::{self, UserVmSpec};
use cloudstack_db::db::Tx;
use cloudstack_db::identity::api_keys;
use cloudstack_db::identity::roles::{self, RuleSpec};
use cloudstack_db::identity::users::{self, UserSpec};
use cloudstack_db::identity::{AccountType, Permission, accounts};
use cloudstack_db::storage::VolumeType;
use cloudstack_db::storage::volumes::{self, VolumeSpec};
use cloudstack_db::types::HypervisorType;
use cloudstack_db::types::*;
use cloudstack_db::types::{ImageFormat, ProvisioningType};
use cloudstack_db::{Database, Secret};
use cloudstack_db_testing::{TestDatabases, clone_rows};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

pub const VMS: u64 = 100_000;
pub const ACCOUNTS: u64 = 1_000;
pub const USERS: u64 = 1_000;

pub struct Dataset {
    pub test: TestDatabases,
    pub zone: ZoneId,
    pub first_account: u64,
    pub vm_ids: Vec<VmId>,
    pub vm_uuids: Vec<String>,
    pub api_key: String,
    pub role: RoleId,
}

impl Dataset {
    pub fn db(&self) -> &Database {
        self.test.database()
    }

    pub fn account(&self, i: usize) -> AccountId {
        AccountId(self.first_account + (i as u64 % ACCOUNTS))
    }

    pub fn vm_spec(&self, i: usize) -> UserVmSpec {
        UserVmSpec {
            name: format!("bench-new-{i}"),
            display_name: None,
            account_id: self.account(i),
            domain_id: DomainId(1),
            user_id: UserId(2),
            zone_id: self.zone,
            service_offering_id: ServiceOfferingId(1),
            template_id: TemplateId(4),
            guest_os_id: 112,
            hypervisor_type: Some(HypervisorType::Kvm),
            vnc_password: Secret::new("bench-vnc"),
            ha_enabled: false,
            display_vm: true,
            user_data: None,
            custom_compute: None,
        }
    }

    pub fn root_spec(&self, vm: VmId, account: AccountId) -> VolumeSpec {
        VolumeSpec {
            name: format!("ROOT-{}", vm.get()),
            account_id: account,
            domain_id: DomainId(1),
            zone_id: self.zone,
            volume_type: VolumeType::Root,
            disk_offering_id: DiskOfferingId(1),
            template_id: Some(TemplateId(4)),
            size: 8 << 30,
            instance_id: Some(vm),
            device_id: Some(0),
            format: Some(ImageFormat::Qcow2),
            provisioning_type: ProvisioningType::Thin,
            display_volume: true,
        }
    }
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

pub fn build() -> Dataset {
    let started = std::time::Instant::now();
    let test = TestDatabases::with_pool(cloudstack_db::db::PoolSettings {
        max_size: 12,
        ..cloudstack_db_testing::test_pool_settings()
    })
    .expect("test databases");
    let db = test.database().clone();
    let mut conn = db.cloud().get().unwrap();
    let conn: &mut MysqlConnection = &mut conn;
    conn.batch_execute(
        "CREATE TABLE bench_numbers (n INT PRIMARY KEY); INSERT INTO bench_numbers VALUES (1)",
    )
    .unwrap();
    let mut have = 1u64;
    while have < VMS {
        conn.batch_execute(&format!(
            "INSERT INTO bench_numbers SELECT n + {have} FROM bench_numbers"
        ))
        .unwrap();
        have *= 2;
    }
    let zone = Tx::run(conn, &db, None, |tx| {
        zones::create(
            tx,
            &NewDataCenter {
                name: Some("bench-zone".into()),
                dns1: "8.8.8.8".into(),
                internal_dns1: "10.0.0.2".into(),
                ..Default::default()
            },
        )
        .and_then(|zone| {
            // The host the benchmark starts VMs on (the schema's foreign key wants it).
            cloudstack_db_testing::host(tx, zone.id, 1)?;
            Ok(zone)
        })
    })
    .unwrap()
    .id;

    // Accounts: one through the crate, the rest cloned (consecutive ids).
    let first = Tx::run(conn, &db, None, |tx| {
        accounts::create(
            tx,
            &cloudstack_db::identity::accounts::AccountSpec::new(
                DomainId(1),
                "bench-0",
                AccountType::Normal,
            ),
        )
    })
    .unwrap();
    let first_account = first.id.get();
    clone_rows(
        conn,
        "account",
        &format!("src.id = {first_account}"),
        ACCOUNTS - 1,
        &[
            ("id", format!("{first_account} + n.n")),
            ("account_name", "CONCAT('bench-', n.n)".into()),
            ("uuid", "UUID()".into()),
        ],
    )
    .unwrap();
    // Each account's count rows, as CloudStack creates them with the account.
    clone_rows(
        conn,
        "resource_count",
        &format!("src.account_id = {first_account}"),
        ACCOUNTS - 1,
        &[
            ("id", "NULL".into()),
            ("account_id", format!("{first_account} + n.n")),
        ],
    )
    .unwrap();

    // VMs with ROOT volumes: one through the crate, the rest cloned.
    let mut probe = Dataset {
        test,
        zone,
        first_account,
        vm_ids: Vec::new(),
        vm_uuids: Vec::new(),
        api_key: String::new(),
        role: RoleId(4),
    };
    let vm = Tx::run(conn, &db, db.column_encryptor(), |tx| {
        vms::create(tx, &probe.vm_spec(0))
    })
    .unwrap()
    .instance;
    let root = Tx::run(conn, &db, None, |tx| {
        volumes::create(tx, &probe.root_spec(vm.id, vm.account_id))
    })
    .unwrap();
    let (vm0, vol0) = (vm.id.get(), root.id.get());
    let account_of = format!("{first_account} + (n.n % {ACCOUNTS})");
    clone_rows(
        conn,
        "vm_instance",
        &format!("src.id = {vm0}"),
        VMS - 1,
        &[
            ("id", format!("{vm0} + n.n")),
            ("uuid", "UUID()".into()),
            ("name", "CONCAT('bench-vm-', n.n)".into()),
            (
                "instance_name",
                format!("CONCAT('i-', {account_of}, '-', {vm0} + n.n, '-VM')"),
            ),
            ("account_id", account_of.clone()),
        ],
    )
    .unwrap();
    clone_rows(
        conn,
        "user_vm",
        &format!("src.id = {vm0}"),
        VMS - 1,
        &[("id", format!("{vm0} + n.n"))],
    )
    .unwrap();
    clone_rows(
        conn,
        "volumes",
        &format!("src.id = {vol0}"),
        VMS - 1,
        &[
            ("id", format!("{vol0} + n.n")),
            ("uuid", "UUID()".into()),
            ("name", format!("CONCAT('ROOT-', {vm0} + n.n)")),
            ("instance_id", format!("{vm0} + n.n")),
            ("account_id", account_of),
        ],
    )
    .unwrap();
    conn.batch_execute(
        "UPDATE sequence SET value = (SELECT MAX(id) + 1 FROM vm_instance) WHERE name = 'vm_instance_seq'; \
         UPDATE sequence SET value = (SELECT MAX(id) + 1 FROM volumes) WHERE name = 'volume_seq'",
    )
    .unwrap();

    // Users with API keys: one through the crate (its key is the one looked up), the rest cloned.
    let user = Tx::run(conn, &db, None, |tx| {
        users::create(
            tx,
            &UserSpec {
                username: "bench-user".into(),
                password: Secret::new("bench-password"),
                account_id: AccountId(first_account),
                firstname: None,
                lastname: None,
                email: None,
            },
        )
    })
    .unwrap();
    let encryptor = db
        .column_encryptor()
        .expect("test databases have a column encryptor");
    let keys = Tx::run(conn, &db, None, |tx| {
        api_keys::generate_keys(tx, user.id, encryptor)
    })
    .unwrap();
    clone_rows(
        conn,
        "user",
        &format!("src.id = {}", user.id.get()),
        USERS - 1,
        &[
            ("id", format!("{} + n.n", user.id.get())),
            ("uuid", "UUID()".into()),
            ("username", "CONCAT('bench-user-', n.n)".into()),
            (
                "account_id",
                format!("{first_account} + (n.n % {ACCOUNTS})"),
            ),
            ("api_key", "CONCAT(REPLACE(UUID(), '-', ''), n.n)".into()),
        ],
    )
    .unwrap();

    // A role with 60 rules; the checked API matches the 59th.
    let role = Tx::run(conn, &db, None, |tx| {
        cloudstack_db::identity::roles::create(
            tx,
            &cloudstack_db::identity::roles::RoleSpec {
                name: "bench-role".into(),
                role_type: cloudstack_db::identity::RoleType::User,
                description: None,
            },
        )
    })
    .unwrap();
    for i in 0..60 {
        let rule = if i == 58 {
            "listVirtual*".to_owned()
        } else {
            format!("someApi{i}")
        };
        Tx::run(conn, &db, None, |tx| {
            roles::add_rule(
                tx,
                role.id,
                &RuleSpec {
                    rule,
                    permission: Permission::Allow,
                    description: None,
                },
            )
        })
        .unwrap();
    }

    // A public range for allocate/release.
    Tx::run(conn, &db, None, |tx| {
        cloudstack_db_testing::public_range(
            tx,
            zone,
            "10.40.0.10".parse().unwrap(),
            "10.40.0.250".parse().unwrap(),
            "255.255.255.0".parse().unwrap(),
        )
    })
    .unwrap();
    conn.batch_execute("ANALYZE TABLE vm_instance, user_vm, volumes, account, user, role_permissions, user_ip_address")
        .unwrap();

    let sample: Vec<Id> = diesel::sql_query(
        "SELECT CAST(id AS SIGNED) AS id FROM vm_instance WHERE id % 97 = 0 ORDER BY id LIMIT 1000",
    )
    .load(conn)
    .unwrap();
    probe.vm_ids = sample.iter().map(|r| VmId(r.id as u64)).collect();
    let uuids: Vec<Name> = diesel::sql_query(
        "SELECT uuid AS name FROM vm_instance WHERE id % 89 = 0 ORDER BY id LIMIT 1000",
    )
    .load(conn)
    .unwrap();
    probe.vm_uuids = uuids.into_iter().map(|r| r.name).collect();
    probe.api_key = keys.api_key;
    probe.role = role.id;
    println!(
        "query_paths: dataset of {VMS} VMs with ROOT volumes, {ACCOUNTS} accounts, {USERS} users built in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    probe
}
