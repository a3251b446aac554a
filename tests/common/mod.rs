//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod usage_rows;

use cloudstack_db::Result;
use cloudstack_db::db::Tx;
use cloudstack_db_testing::TestDatabases;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

/// Fresh migrated databases, or a panic that says why. Also sends this test binary's logs to
/// a file (see [`log_to_file`]).
pub fn fresh() -> TestDatabases {
    log_to_file();
    TestDatabases::new().expect("test databases")
}

/// Everything the crate logs in this test binary, at TRACE level (every database error the
/// crate converts is logged there too), goes to `target/tmp/test-logs/<binary>.log`;
/// `scripts/scan-test-logs` greps those files for the suite's secrets after `cargo test`.
/// Does nothing when a test installed its own subscriber first.
pub fn log_to_file() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("test-logs");
        std::fs::create_dir_all(&dir).expect("log directory");
        let binary = std::env::current_exe()
            .ok()
            .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "tests".into());
        let file = std::fs::File::create(dir.join(format!("{binary}.log"))).expect("log file");
        let _ = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(std::sync::Mutex::new(file))
            .try_init();
    });
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// The server-side id of a connection (`CONNECTION_ID()`).
pub fn connection_id(conn: &mut MysqlConnection) -> Result<i64> {
    let row: Id =
        diesel::sql_query("SELECT CAST(CONNECTION_ID() AS SIGNED) AS id").get_result(conn)?;
    Ok(row.id)
}

/// A scratch table `t (id, v)` with rows 1 and 2, for lock and transaction tests.
pub fn create_scratch_table(conn: &mut MysqlConnection) -> Result<()> {
    conn.batch_execute(
        "CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL DEFAULT 0) ENGINE=InnoDB; \
         INSERT INTO t (id, v) VALUES (1, 0), (2, 0); \
         CREATE TABLE effects (id INT AUTO_INCREMENT PRIMARY KEY, who VARCHAR(8) NOT NULL) ENGINE=InnoDB",
    )?;
    Ok(())
}

/// Kills connection `id` from a separate admin session.
pub fn kill(id: i64) -> Result<()> {
    let mut admin = cloudstack_db_testing::admin_connection()?;
    admin.batch_execute(&format!("KILL CONNECTION {id}"))?;
    Ok(())
}

/// An id source for writes that take no sequence ids (zones, accounts, ...): asking it is a
/// test bug.
pub struct NoIds;

impl cloudstack_db::db::IdSource for NoIds {
    fn next_id(&self, name: cloudstack_db::db::SequenceName) -> Result<u64> {
        Err(cloudstack_db::Error::Config(format!(
            "this test takes no sequence ids, but asked for {}",
            name.as_str()
        )))
    }
}

/// A zone for tests that need one (a fresh install has none), with the hosts 1 and 11 VMs are
/// started on and the physical network 200 its networks and ranges belong to (the schema's
/// foreign keys want them to exist).
pub fn zone(conn: &mut MysqlConnection) -> cloudstack_db::catalog::DataCenter {
    Tx::run(conn, &NoIds, None, |tx| {
        let zone = cloudstack_db::catalog::zones::create(
            tx,
            &cloudstack_db::catalog::NewDataCenter {
                name: Some("zone-1".into()),
                dns1: "8.8.8.8".into(),
                internal_dns1: "10.0.0.2".into(),
                networktype: Some(cloudstack_db::catalog::ZoneNetworkType::Advanced),
                ..Default::default()
            },
        )?;
        for host in [1, 11] {
            cloudstack_db_testing::host(tx, zone.id, host)?;
        }
        cloudstack_db_testing::physical_network(tx, zone.id, 200)?;
        Ok(zone)
    })
    .expect("zone")
}

/// A user VM spec for the admin account with the default Small Instance offering and the KVM
/// built-in template.
pub fn vm_spec(
    zone: cloudstack_db::types::ZoneId,
    name: &str,
) -> cloudstack_db::compute::vms::UserVmSpec {
    use cloudstack_db::types::*;
    cloudstack_db::compute::vms::UserVmSpec {
        name: name.to_owned(),
        display_name: Some(format!("{name} display")),
        account_id: AccountId(2),
        domain_id: DomainId(1),
        user_id: UserId(2),
        zone_id: zone,
        service_offering_id: ServiceOfferingId(1),
        template_id: TemplateId(4),
        guest_os_id: 112,
        hypervisor_type: Some(cloudstack_db::types::HypervisorType::Kvm),
        vnc_password: cloudstack_db::Secret::new("vnc-secret"),
        ha_enabled: false,
        display_vm: true,
        user_data: None,
        custom_compute: None,
    }
}

/// Usage events of a resource, as (type, resource_id) in id order.
pub fn usage_events(conn: &mut MysqlConnection) -> Vec<(String, Option<u64>)> {
    use cloudstack_db::schema::cloud::usage_event;
    usage_event::table
        .order(usage_event::id)
        .select((usage_event::type_, usage_event::resource_id))
        .load(conn)
        .expect("usage events")
}

/// A public network in `zone` with the address range 10.30.0.10–10.30.0.50 (VirtualNetwork).
pub fn public_range(
    conn: &mut MysqlConnection,
    db: &cloudstack_db::Database,
    zone: cloudstack_db::types::ZoneId,
) -> cloudstack_db::network::Vlan {
    Tx::run(conn, db, None, |tx| {
        cloudstack_db_testing::public_range(
            tx,
            zone,
            "10.30.0.10".parse().unwrap(),
            "10.30.0.50".parse().unwrap(),
            "255.255.255.0".parse().unwrap(),
        )
    })
    .expect("public range")
}

/// Every row of `table` as a JSON array of `columns`, sorted — to compare tables' contents
/// while leaving out auto-increment ids.
pub fn rows_as_text(conn: &mut MysqlConnection, table: &str, columns: &str) -> Vec<String> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        text: String,
    }
    let rows: Vec<Row> = diesel::sql_query(format!(
        "SELECT CAST(JSON_ARRAY({columns}) AS CHAR) AS text FROM {table} ORDER BY text"
    ))
    .load(conn)
    .expect("rows");
    rows.into_iter().map(|r| r.text).collect()
}

/// The contents of every table the usage job fills (records and helper rows, ids left out).
pub fn usage_contents(db: &cloudstack_db::Database) -> Vec<Vec<String>> {
    let conn = &mut *db.usage().get().expect("usage connection");
    vec![
        rows_as_text(
            conn,
            "cloud_usage",
            "zone_id, account_id, domain_id, description, usage_display, usage_type, raw_usage, \
             vm_instance_id, vm_name, offering_id, template_id, usage_id, type, size, network_id, \
             start_date, end_date, virtual_size, cpu_speed, cpu_cores, memory, quota_calculated, \
             is_hidden, state",
        ),
        rows_as_text(
            conn,
            "usage_vm_instance",
            "usage_type, zone_id, account_id, vm_instance_id, vm_name, service_offering_id, \
             template_id, hypervisor_type, start_date, end_date, cpu_speed, cpu_cores, memory",
        ),
        rows_as_text(
            conn,
            "usage_volume",
            "volume_id, zone_id, account_id, domain_id, disk_offering_id, template_id, size, \
             created, deleted, vm_id",
        ),
        rows_as_text(
            conn,
            "usage_ip_address",
            "ip_id, account_id, domain_id, zone_id, public_ip_address, is_source_nat, is_system, \
             assigned, released, is_hidden",
        ),
        rows_as_text(conn, "usage_event", "id, processed"),
    ]
}

/// An INFO event of type `VM.START` by the admin (user 2, account 2, ROOT domain).
pub fn event(description: &str) -> cloudstack_db::events::NewEvent {
    cloudstack_db::events::log::event(
        "VM.START",
        description,
        cloudstack_db::types::UserId(2),
        cloudstack_db::types::AccountId(2),
        cloudstack_db::types::DomainId(1),
        cloudstack_db::events::EventLevel::Info,
    )
}

/// Strings that break naive code: quotes, backslashes, percent signs, NUL, control characters,
/// 4-byte UTF-8, only whitespace, an injection attempt, and more than a varchar(255) holds.
pub fn hostile_text() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    prop_oneof![
        "[ -~]{0,40}",
        any::<String>().prop_map(|s| s.chars().take(60).collect()),
        "[a-z]{250,300}",
        "[ \t\n]{1,5}",
        Just("x'); DROP TABLE vm_instance; --".to_owned()),
        Just("\u{1F600}\u{0}\\%_".to_owned()),
    ]
}

/// The property tests' seed: `PROPTEST_RNG_SEED` when set, else a fixed one (CI sees the same
/// cases every run).
pub fn proptest_seed() -> proptest::test_runner::RngSeed {
    match std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        Some(seed) => proptest::test_runner::RngSeed::Fixed(seed),
        None => proptest::test_runner::RngSeed::Fixed(20_261_126),
    }
}

/// Prints every thread's stack of this process to stderr through `gdb`, when it is installed:
/// what a test that gave up on a hung call shows of where it hung.
#[allow(dead_code)]
pub fn dump_thread_stacks() {
    let pid = std::process::id().to_string();
    match std::process::Command::new("gdb")
        .args(["-p", &pid, "-batch", "-ex", "thread apply all bt"])
        .output()
    {
        // Written to the process's stderr itself: the test harness's capture drops what
        // `eprintln!` printed when the process exits.
        Ok(out) => {
            use std::io::Write;
            let _ = std::io::stderr().write_all(&out.stdout);
        }
        Err(err) => {
            use std::io::Write;
            let _ = writeln!(std::io::stderr(), "no thread stacks (gdb: {err})");
        }
    }
}

/// What the server on `port` is doing, as the `mariadb` client prints it: its sessions, open
/// InnoDB transactions and lock waits, and Galera state — for a test that gave up on a hung call.
#[allow(dead_code)]
pub fn server_activity(port: u16) -> Vec<u8> {
    let sql = "SHOW FULL PROCESSLIST; \
               SELECT trx_id, trx_state, trx_started, trx_mysql_thread_id, trx_query, trx_rows_locked \
               FROM information_schema.innodb_trx; \
               SELECT * FROM information_schema.innodb_lock_waits; \
               SHOW GLOBAL STATUS WHERE variable_name IN ('wsrep_local_state_comment', \
               'wsrep_cluster_size', 'wsrep_cluster_status', 'wsrep_ready', 'wsrep_flow_control_paused')";
    match std::process::Command::new("mariadb")
        .args([
            "-h127.0.0.1",
            &format!("-P{port}"),
            "-uroot",
            "--connect-timeout=5",
            "-e",
            sql,
        ])
        .output()
    {
        Ok(out) => [out.stdout, out.stderr].concat(),
        Err(err) => format!("no activity report (mariadb client: {err})\n").into_bytes(),
    }
}

/// One of the server's per-session command counters (`COM_STMT_EXECUTE`, `COM_BEGIN`, …) for
/// `conn`'s session. Reading it is itself one prepared statement.
pub fn session_status(conn: &mut MysqlConnection, name: &str) -> i64 {
    cloudstack_db_testing::count(
        conn,
        &format!(
            "SELECT CAST(VARIABLE_VALUE AS SIGNED) FROM information_schema.SESSION_STATUS \
             WHERE VARIABLE_NAME = '{name}'"
        ),
    )
    .expect("session counter")
}
