//! The same work done by hand through the raw client (the `mysql` crate: its own prepared
//! statement cache, rows decoded into its `Value`s), on connections held outside any pool.

use cloudstack_db::crypto::Encryptor;
use mysql::prelude::*;
use mysql::{Conn, Opts, Row, TxOpts, Value};

pub struct Raw {
    pub conn: Conn,
    /// Sequence ids are taken on a connection of their own, as the crate does.
    pub seq: Conn,
}

fn open(url: &str) -> Conn {
    let mut conn = Conn::new(Opts::from_url(url).unwrap()).unwrap();
    conn.query_drop("SET time_zone = '+00:00'").unwrap();
    conn.query_drop("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")
        .unwrap();
    conn
}

impl Raw {
    pub fn connect(url: &str) -> Self {
        Self { conn: open(url), seq: open(url) }
    }

    pub fn find_vm(&mut self, id: u64) -> Row {
        self.conn
            .exec_first(
                "SELECT * FROM vm_instance JOIN user_vm ON user_vm.id = vm_instance.id \
                  WHERE vm_instance.id = ? AND vm_instance.removed IS NULL",
                (id,),
            )
            .unwrap()
            .unwrap()
    }

    pub fn find_vm_by_uuid(&mut self, uuid: &str) -> Row {
        self.conn
            .exec_first(
                "SELECT * FROM vm_instance JOIN user_vm ON user_vm.id = vm_instance.id \
                  WHERE vm_instance.uuid = ? AND vm_instance.removed IS NULL",
                (uuid,),
            )
            .unwrap()
            .unwrap()
    }

    pub fn list_vms(&mut self, account: u64, after: u64, size: u64) -> Vec<Row> {
        self.conn
            .exec(
                "SELECT * FROM vm_instance WHERE removed IS NULL AND account_id = ? AND id > ? \
                  ORDER BY id LIMIT ?",
                (account, after, size + 1),
            )
            .unwrap()
    }

    fn next_id(seq: &mut Conn, name: &str) -> u64 {
        let mut tx = seq.start_transaction(TxOpts::default()).unwrap();
        let value: u64 = tx
            .exec_first("SELECT value FROM sequence WHERE name = ? FOR UPDATE", (name,))
            .unwrap()
            .unwrap();
        tx.exec_drop("UPDATE sequence SET value = value + 1 WHERE name = ?", (name,))
            .unwrap();
        tx.commit().unwrap();
        value
    }

    /// A user VM, its ROOT volume and their two usage events, in one transaction.
    pub fn create_vm_with_root(&mut self, name: &str, account: u64, zone: u64, enc: &Encryptor) -> u64 {
        let vm = Self::next_id(&mut self.seq, "vm_instance_seq");
        let vnc = enc.encrypt("bench-vnc").unwrap();
        let now = chrono::Utc::now().format("%Y-%m-%d %H:%M:%S").to_string();
        let mut tx = self.conn.start_transaction(TxOpts::default()).unwrap();
        tx.exec_drop(
            "INSERT INTO vm_instance (id, name, uuid, instance_name, state, vm_template_id, guest_os_id, \
               data_center_id, vnc_password, ha_enabled, limit_cpu_use, update_count, created, type, \
               vm_type, account_id, domain_id, service_offering_id, hypervisor_type, dynamically_scalable, \
               display_vm, user_id) \
             VALUES (?, ?, ?, ?, 'Stopped', 4, 112, ?, ?, 0, 0, 0, ?, 'User', 'User', ?, 1, 1, 'KVM', 0, 1, 2)",
            (
                vm,
                name,
                uuid::Uuid::new_v4().to_string(),
                format!("i-{account}-{vm}-VM"),
                zone,
                vnc,
                &now,
                account,
            ),
        )
        .unwrap();
        tx.exec_drop("INSERT INTO user_vm (id) VALUES (?)", (vm,)).unwrap();
        let _: Option<Row> = tx
            .exec_first(
                "SELECT * FROM vm_instance JOIN user_vm ON user_vm.id = vm_instance.id WHERE vm_instance.id = ?",
                (vm,),
            )
            .unwrap();
        tx.exec_drop(
            "INSERT INTO usage_event (type, account_id, created, zone_id, resource_id, resource_name, \
               offering_id, template_id, size, resource_type, processed) \
             VALUES ('VM.CREATE', ?, ?, ?, ?, ?, 1, 4, NULL, 'KVM', 0)",
            (account, &now, zone, vm, name),
        )
        .unwrap();
        let volume = Self::next_id(&mut self.seq, "volume_seq");
        let _: Option<Row> = tx
            .exec_first("SELECT * FROM disk_offering WHERE id = ?", (1,))
            .unwrap();
        let volume_name = format!("ROOT-{vm}");
        tx.exec_drop(
            "INSERT INTO volumes (id, account_id, domain_id, instance_id, device_id, name, uuid, size, \
               data_center_id, volume_type, disk_offering_id, template_id, recreatable, created, attached, \
               updated, state, update_count, display_volume, format, provisioning_type) \
             VALUES (?, ?, 1, ?, 0, ?, ?, ?, ?, 'ROOT', 1, 4, 0, ?, ?, ?, 'Allocated', 0, 1, 'QCOW2', 'thin')",
            (
                volume,
                account,
                vm,
                &volume_name,
                uuid::Uuid::new_v4().to_string(),
                8u64 << 30,
                zone,
                &now,
                &now,
                &now,
            ),
        )
        .unwrap();
        let _: Option<Row> = tx.exec_first("SELECT * FROM volumes WHERE id = ?", (volume,)).unwrap();
        tx.exec_drop(
            "INSERT INTO usage_event (type, account_id, created, zone_id, resource_id, resource_name, \
               offering_id, template_id, size, processed, vm_id) \
             VALUES ('VOLUME.CREATE', ?, ?, ?, ?, ?, NULL, 4, ?, 0, ?)",
            (account, &now, zone, volume, &volume_name, 8u64 << 30, vm),
        )
        .unwrap();
        tx.commit().unwrap();
        vm
    }

    /// One guarded state change (`UPDATE ... WHERE id AND state AND update_count AND host`),
    /// with its usage event in the same transaction when it has one; returns the new count.
    #[allow(clippy::too_many_arguments)]
    pub fn transition(
        &mut self,
        vm: u64,
        from: &str,
        to: &str,
        count: u64,
        host: Option<u64>,
        new_host: Option<u64>,
        usage: Option<(&str, u64, u64, &str)>,
    ) -> u64 {
        let now = chrono::Utc::now().format("%Y-%m-%d %H:%M:%S").to_string();
        let update = "UPDATE vm_instance SET update_count = update_count + 1, state = ?, host_id = ?, \
                        update_time = ? WHERE id = ? AND removed IS NULL AND state = ? AND update_count = ? \
                        AND host_id <=> ?";
        let params = (to, new_host, &now, vm, from, count, host);
        match usage {
            None => {
                self.conn.exec_drop(update, params).unwrap();
                assert_eq!(self.conn.affected_rows(), 1);
            }
            Some((kind, account, zone, name)) => {
                let mut tx = self.conn.start_transaction(TxOpts::default()).unwrap();
                tx.exec_drop(update, params).unwrap();
                assert_eq!(tx.affected_rows(), 1);
                tx.exec_drop(
                    "INSERT INTO usage_event (type, account_id, created, zone_id, resource_id, resource_name, \
                       offering_id, template_id, resource_type, processed) \
                     VALUES (?, ?, ?, ?, ?, ?, 1, 4, 'KVM', 0)",
                    (kind, account, &now, zone, vm, name),
                )
                .unwrap();
                tx.commit().unwrap();
            }
        }
        count + 1
    }

    /// Allocate a free address of the zone to an account, then release it; both with usage
    /// events, each in one transaction. Returns the address id.
    pub fn allocate_and_release(&mut self, zone: u64, account: u64) -> u64 {
        let now = chrono::Utc::now().format("%Y-%m-%d %H:%M:%S").to_string();
        let mut tx = self.conn.start_transaction(TxOpts::default()).unwrap();
        let ranges: Vec<u64> = tx
            .exec(
                "SELECT id FROM vlan WHERE data_center_id = ? AND removed IS NULL AND vlan_type = 'VirtualNetwork'",
                (zone,),
            )
            .unwrap();
        let id: u64 = tx
            .exec_first(
                format!(
                    "SELECT id FROM user_ip_address WHERE data_center_id = ? AND allocated IS NULL \
                      AND removed IS NULL AND vlan_db_id IN ({}) ORDER BY forsystemvms, vlan_db_id, id \
                      LIMIT 1 FOR UPDATE SKIP LOCKED",
                    ranges.iter().map(|r| r.to_string()).collect::<Vec<_>>().join(",")
                ),
                (zone,),
            )
            .unwrap()
            .expect("a free address");
        tx.exec_drop(
            "UPDATE user_ip_address SET account_id = ?, domain_id = 1, allocated = ?, source_nat = 0, \
               is_system = 0, network_id = NULL, state = 'Allocated' WHERE id = ?",
            (account, &now, id),
        )
        .unwrap();
        let ip: Row = tx
            .exec_first("SELECT * FROM user_ip_address WHERE id = ? AND removed IS NULL", (id,))
            .unwrap()
            .unwrap();
        let address: String = ip.get("public_ip_address").unwrap();
        let vlan: u64 = ip.get("vlan_db_id").unwrap();
        let vlan_type: Option<String> = tx
            .exec_first("SELECT vlan_type FROM vlan WHERE id = ?", (vlan,))
            .unwrap();
        let event = "INSERT INTO usage_event (type, account_id, created, zone_id, resource_id, resource_name, \
                       template_id, size, resource_type, processed) VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?, 0)";
        tx.exec_drop(event, ("NET.IPASSIGN", account, &now, zone, id, &address, &vlan_type))
            .unwrap();
        tx.commit().unwrap();

        let mut tx = self.conn.start_transaction(TxOpts::default()).unwrap();
        let _: Row = tx
            .exec_first("SELECT * FROM user_ip_address WHERE id = ? AND removed IS NULL FOR UPDATE", (id,))
            .unwrap()
            .unwrap();
        let vlan_type: Option<String> = tx
            .exec_first("SELECT vlan_type FROM vlan WHERE id = ?", (vlan,))
            .unwrap();
        tx.exec_drop(event, ("NET.IPRELEASE", account, &now, zone, id, &address, &vlan_type))
            .unwrap();
        tx.exec_drop(
            "UPDATE user_ip_address SET account_id = NULL, domain_id = NULL, allocated = NULL, \
               network_id = NULL, vpc_id = NULL, vm_id = NULL, dnat_vmip = NULL, source_nat = 0, \
               one_to_one_nat = 0, is_system = 0, display = 1, state = 'Free' WHERE id = ?",
            (id,),
        )
        .unwrap();
        let _: Option<Row> = tx
            .exec_first("SELECT * FROM user_ip_address WHERE id = ? AND removed IS NULL", (id,))
            .unwrap();
        tx.commit().unwrap();
        id
    }

    /// Claims the oldest unclaimed job for `msid`.
    pub fn claim_next(&mut self, msid: i64) -> Option<Row> {
        let now = chrono::Utc::now().format("%Y-%m-%d %H:%M:%S").to_string();
        let mut tx = self.conn.start_transaction(TxOpts::default()).unwrap();
        let id: Option<u64> = tx
            .exec_first(
                "SELECT id FROM async_job WHERE job_status = 0 AND job_executing_msid IS NULL \
                  AND job_complete_msid IS NULL ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED",
                (),
            )
            .unwrap();
        let row = id.map(|id| {
            tx.exec_drop(
                "UPDATE async_job SET job_executing_msid = ?, last_updated = ? WHERE id IN (?)",
                (msid, &now, id),
            )
            .unwrap();
            tx.exec_first("SELECT * FROM async_job WHERE id IN (?) ORDER BY id", (id,))
                .unwrap()
                .unwrap()
        });
        tx.commit().unwrap();
        row
    }

    pub fn api_key_lookup(&mut self, key: &str) -> Row {
        self.conn
            .exec_first(
                "SELECT * FROM user JOIN account ON account.id = user.account_id WHERE user.api_key = ?",
                (key,),
            )
            .unwrap()
            .unwrap()
    }

    /// The role and its rules in order, then the first matching rule decides (a trailing `*`
    /// stands for any word characters).
    pub fn is_allowed(&mut self, role: u64, api: &str) -> bool {
        let role: Row = self
            .conn
            .exec_first("SELECT * FROM roles WHERE id = ? AND removed IS NULL", (role,))
            .unwrap()
            .unwrap();
        let rules: Vec<(String, String)> = self
            .conn
            .exec(
                "SELECT rule, permission FROM role_permissions WHERE role_id = ? ORDER BY sort_order, id",
                (role.get::<u64, _>("id").unwrap(),),
            )
            .unwrap();
        let api = api.to_ascii_lowercase();
        rules
            .iter()
            .find(|(rule, _)| {
                let rule = rule.to_ascii_lowercase();
                match rule.strip_suffix('*') {
                    Some(prefix) => {
                        api.starts_with(prefix)
                            && api[prefix.len()..].chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    }
                    None => rule == api,
                }
            })
            .is_some_and(|(_, permission)| permission == "ALLOW")
    }

    /// Runs hand-written multi-row INSERT statements (text protocol).
    pub fn run_sql(&mut self, sql: &str) {
        self.conn.query_drop(sql).unwrap();
    }
}

/// A column of a raw row as u64 (for checks).
pub fn column_u64(row: &Row, name: &str) -> u64 {
    match row.get::<Value, _>(name) {
        Some(Value::UInt(v)) => v,
        Some(Value::Int(v)) => v as u64,
        Some(Value::Bytes(b)) => String::from_utf8(b).unwrap().parse().unwrap(),
        other => panic!("{name}: {other:?}"),
    }
}
